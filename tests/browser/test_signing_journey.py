"""A new candidate's whole journey in a real browser."""

import re

import pytest

from candidates.models import Candidate
from pledges.models import Pledge
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_new_candidate_signs_up_verifies_fills_the_profile_and_signs(
    page, mailoutbox, screenshot
):
    page.goto(page.base_url + "/")
    page.get_by_role("link", name="Candidat·e ? Signez").click()
    page.get_by_role("link", name=re.compile("Inscription|enregistrer", re.I)).first.click()
    page.get_by_label("Courriel").fill("camille.candidate@exemple.test")
    page.get_by_label("Mot de passe :", exact=True).fill(PASSWORD)
    page.get_by_label("Mot de passe (confirmation) :").fill(PASSWORD)
    page.get_by_role("button", name="Création de compte").click()
    page.get_by_role("heading", name="Vérifiez votre adresse e-mail").wait_for()

    (email,) = mailoutbox
    link = re.search(r"https?://\S+", email.body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirmer").click()

    # Back where the candidate was going: signing starts with « Ma candidature ».
    page.get_by_text("Dites-nous d’abord qui vous êtes").wait_for()
    assert page.url.endswith("/ma-candidature/")
    page.get_by_label("Prénom").fill("Camille")
    page.get_by_label(re.compile(r"^Nom( \*)?$")).fill("Durand")
    commune = page.get_by_role("combobox", name=re.compile("Commune où vous êtes candidat"))
    commune.press_sequentially("saint etien", delay=30)
    page.get_by_role("option", name=re.compile("^Saint-Étienne Loire")).click()
    assert commune.input_value() == "Saint-Étienne (42)"
    page.get_by_label("Tête de liste").check()
    page.get_by_label("Nom de la liste").fill("Saint-Étienne solidaire")
    page.get_by_role("button", name="Continuer vers les engagements").click()

    page.get_by_role("heading", name="Signer les engagements").wait_for()
    page.get_by_label(re.compile("^1\\.1 Je m’engage à généraliser")).check()
    page.get_by_role("button", name="Tout cocher (proposition #2)").click()
    page.get_by_label(re.compile("^Je certifie être candidate ou candidat")).check()
    page.get_by_label(re.compile("^J’accepte que mon nom")).check()
    screenshot("signing-page")
    page.get_by_role("button", name="Signer et envoyer").click()

    page.get_by_text("Votre signature est enregistrée").wait_for()
    assert page.get_by_role("heading", name=re.compile("en attente de validation")).is_visible()
    screenshot("mon-espace-pending")

    candidate = Candidate.objects.get(user__email="camille.candidate@exemple.test")
    assert candidate.commune.insee_code == "42218"
    pledge = Pledge.objects.get(candidate=candidate)
    assert pledge.status == Pledge.Status.PENDING
    codes = sorted(s.commitment.code for s in pledge.active_signatures())
    assert codes == ["1.1", "2.1", "2.2", "2.3"]
