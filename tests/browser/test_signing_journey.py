"""A new candidate's whole journey in a real browser."""

import re

import pytest

from candidates.models import Candidate
from pledges.models import Signature
from tests.browser.journeys import consent_and_submit, fill_profile, sign_up_and_verify

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_new_candidate_signs_up_verifies_fills_the_profile_and_signs(
    page, mailoutbox, screenshot
):
    sign_up_and_verify(page, mailoutbox, "camille.candidate@exemple.test")
    assert page.url.endswith("/ma-candidature/")
    fill_profile(
        page,
        first_name="Camille",
        last_name="Durand",
        commune_typed="saint etien",
        commune_option="^Saint-Étienne Loire",
        commune_chosen="Saint-Étienne (42)",
        list_name="Saint-Étienne solidaire",
    )
    page.get_by_label(re.compile("^1\\.1 Je m’engage à généraliser")).check()
    page.get_by_role("button", name="Tout cocher (proposition #2)").click()
    screenshot("signing-page")
    consent_and_submit(page)
    assert page.get_by_role("heading", name=re.compile("en attente de validation")).is_visible()
    screenshot("mon-espace-pending")

    candidate = Candidate.objects.get(user__email="camille.candidate@exemple.test")
    assert candidate.commune.insee_code == "42218"
    pledge = Signature.objects.get(candidate=candidate)
    assert pledge.status == Signature.Status.PENDING
    codes = sorted(s.commitment.code for s in pledge.active_signatures())
    assert codes == ["1.1", "2.1", "2.2", "2.3"]
