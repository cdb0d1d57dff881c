"""allauth's pages as the site overrides them (templates/account/): French, in the site's
voice, inside its layout, without the phrases of allauth's French catalogue that read wrong."""

import re

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.urls import reverse

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

WRONG = [
    "Merci de confirmer que",
    "est l'adresse électronique de",
    "E-mail actuel",
    "Êtes-vous sûr",
    "sûr(e)",
    "Courriel actuel",
    "Changer pour",
]
ENGLISH = [
    "Recipient",
    "Sign In",
    "Sign Up",
    "Sign Out",
    "Password Reset",
    "Email Address",
    "Change Password",
    "Forgot",
    "Confirm Email",
    "Verify Your",
]


def text(response) -> str:
    """The page's visible text, without its tags and the values of its attributes."""
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="fr">' in content and 'href="#contenu"' in content  # base.html
    return re.sub(r"<[^>]+>", " ", content)


def assert_in_the_sites_voice(page: str, heading: str) -> None:
    assert heading in page
    for phrase in [*WRONG, *ENGLISH]:
        assert phrase not in page


def test_the_login_page_links_to_sign_up_and_the_forgotten_password(client):
    response = client.get(reverse("account_login") + "?next=/signer/")
    page = text(response)
    assert_in_the_sites_voice(page, "Connexion")
    assert "Se connecter" in page
    content = response.content.decode()
    assert 'href="/compte/inscription/?next=%2Fsigner%2F"' in content
    assert 'action="/compte/connexion/"' in content


def test_the_sign_up_page_links_to_the_login_and_the_privacy_notice(client):
    response = client.get(reverse("account_signup") + "?next=/signer/")
    page = text(response)
    assert_in_the_sites_voice(page, "Créer mon compte")
    content = response.content.decode()
    assert 'href="/compte/connexion/?next=%2Fsigner%2F"' in content
    assert 'href="/donnees-personnelles/"' in content
    assert 'name="next" value="/signer/"' in content


def test_candidat_e_signez_leads_to_sign_up_then_to_the_signing_page(client):
    home = client.get(reverse("pledges:home")).content.decode()
    assert 'href="/compte/inscription/?next=/signer/">Candidat·e\u202f? Signez</a>' in home
    data = {"email": "lea@exemple.test", "password1": PASSWORD, "password2": PASSWORD}
    client.post("/compte/inscription/?next=/signer/", {**data, "next": "/signer/"})
    address = EmailAddress.objects.get(email="lea@exemple.test")
    key = EmailConfirmationHMAC(address).key
    response = client.post(reverse("account_confirm_email", args=[key]))
    assert response.status_code == 302
    assert response["Location"] == "/signer/"


def test_the_logout_page_asks_in_french(client):
    client.force_login(make_user("lea@exemple.test"))
    page = text(client.get(reverse("account_logout")))
    assert_in_the_sites_voice(page, "Voulez-vous vraiment vous déconnecter")


def test_the_forgotten_password_pages(client):
    page = text(client.get(reverse("account_reset_password")))
    assert_in_the_sites_voice(page, "Mot de passe oublié")
    response = client.post(reverse("account_reset_password"), {"email": "x@exemple.test"})
    assert response["Location"] == reverse("account_reset_password_done")
    page = text(client.get(response["Location"]))
    assert_in_the_sites_voice(page, "Si cette adresse est celle d’un compte")
    page = text(client.get(reverse("account_reset_password_from_key_done")))
    assert_in_the_sites_voice(page, "Votre nouveau mot de passe est enregistré.")


def test_a_used_or_wrong_reset_link_says_so_and_offers_a_new_one(client):
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "faux"})
    response = client.get(path)
    page = text(response)
    assert_in_the_sites_voice(page, "Ce lien ne fonctionne plus")
    assert 'href="/compte/mot-de-passe/oubli/"' in response.content.decode()


def test_the_password_change_page(client):
    client.force_login(make_user("lea@exemple.test"))
    page = text(client.get(reverse("account_change_password")))
    assert_in_the_sites_voice(page, "Changer de mot de passe")


def test_the_e_mail_page_names_the_current_address_in_french(client):
    client.force_login(make_user("lea@exemple.test"))
    response = client.get(reverse("account_email"))
    page = text(response)
    assert_in_the_sites_voice(page, "Mon adresse électronique")
    assert "Adresse actuelle, confirmée" in page and "lea@exemple.test" in page
    assert "style=" not in response.content.decode()  # the Content-Security-Policy


def test_the_confirmation_page_asks_the_owner_of_the_address_plainly(client):
    user = make_user("lea@exemple.test", verified=False)
    key = EmailConfirmationHMAC(EmailAddress.objects.get(user=user)).key
    page = text(client.get(reverse("account_confirm_email", args=[key])))
    assert_in_the_sites_voice(page, "Confirmer mon adresse électronique")
    assert "Confirmez que l’adresse  lea@exemple.test  est bien la vôtre" in page


def test_an_expired_confirmation_link_says_what_to_do(client):
    page = text(client.get(reverse("account_confirm_email", args=["MQ:faux:faux"])))
    assert_in_the_sites_voice(page, "Ce lien de confirmation n’est plus valable")
    assert "Connectez-vous" in page


def test_the_page_after_sign_up_says_to_check_the_e_mails(client):
    data = {"email": "lea@exemple.test", "password1": PASSWORD, "password2": PASSWORD}
    response = client.post(reverse("account_signup"), data, follow=True)
    assert_in_the_sites_voice(text(response), "Vérifiez votre adresse électronique")


def test_confirming_that_it_is_you_by_password_or_by_a_code(client, mailoutbox):
    client.force_login(make_user("lea@exemple.test"))
    response = client.get(reverse("account_reauthenticate"))
    assert_in_the_sites_voice(text(response), "Confirmer que c’est vous")
    assert 'href="/compte/reauthentification/code/"' in response.content.decode()
    page = text(client.get("/compte/reauthentification/code/"))
    assert_in_the_sites_voice(page, "nous envoyons un code à votre adresse électronique")
    data = {"recipient": "lea@exemple.test"}
    response = client.post("/compte/reauthentification/code/", data, follow=True)
    assert_in_the_sites_voice(text(response), "Recopiez le code reçu")
    (message,) = mailoutbox
    assert message.subject == "[Coorace #Municipales2020] Votre code de connexion"
    assert "Voici le code qui confirme que c’est bien vous" in message.body
