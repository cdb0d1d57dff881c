"""Steps that several browser journeys share."""

import re

from tests.factories import PASSWORD


def sign_up_and_verify(page, mailoutbox, email: str) -> None:
    """From the home page to a verified, signed-in account (back on « Ma candidature »)."""
    page.goto(page.base_url + "/")
    page.get_by_role("link", name="Candidat·e ? Signez").click()  # sign-up first
    page.get_by_role("heading", name="Créer mon compte").wait_for()
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe :", exact=True).fill(PASSWORD)
    page.get_by_label("Mot de passe (confirmation) :").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    page.get_by_role("heading", name="Vérifiez votre adresse électronique").wait_for()
    (message,) = [m for m in mailoutbox if m.to == [email]]
    # The link is on SITE_URL; the live server listens elsewhere.
    page.goto(page.base_url + re.search(r"https?://[^/\s]+(/\S*)", message.body).group(1))
    page.get_by_role("button", name="Confirmer").click()
    page.get_by_text("Dites-nous d’abord qui vous êtes").wait_for()


def fill_profile(
    page, *, first_name, last_name, commune_typed, commune_option, commune_chosen, list_name
):
    """« Ma candidature », choosing the commune from the autocomplete."""
    page.get_by_label("Prénom").fill(first_name)
    page.get_by_label(re.compile(r"^Nom( \*)?$")).fill(last_name)
    commune = page.get_by_role("combobox", name=re.compile("Commune où vous êtes candidat"))
    commune.press_sequentially(commune_typed, delay=30)
    page.get_by_role("option", name=re.compile(commune_option)).click()
    assert commune.input_value() == commune_chosen
    page.get_by_label("Tête de liste").check()
    page.get_by_label("Nom de la liste").fill(list_name)
    page.get_by_role("button", name="Continuer vers les engagements").click()
    page.get_by_role("heading", name="Signer les engagements").wait_for()


def consent_and_submit(page) -> None:
    page.get_by_label(re.compile("^Je certifie être candidat·e")).check()
    page.get_by_label(re.compile("^J’accepte que mon nom")).check()
    page.get_by_role("button", name="Signer et envoyer").click()
    page.get_by_text("Votre signature est enregistrée").wait_for()


def log_in(page, email: str) -> None:
    """Through allauth's login form, with the factories' password; lands on « Mon espace »."""
    page.goto(page.base_url + "/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Mon espace", level=1).wait_for()
