"""The certificate stays the anchor (issue 14, must-have 6): a list's verification page
links to its follow-up and its commune's bilan once elected, and approving a follow-up
update issues no new certificate (it is not part of what was signed)."""

import pytest

from candidates.models import ListOutcome
from pledges.models import Certificate, FollowUpStatus
from tests.factories import make_pledge
from tests.pledges.bilans.data import report
from tests.pledges.bilans.pages import text_of
from tests.pledges.outcomes.factories import make_elected_candidate, make_elected_list

pytestmark = pytest.mark.django_db
FOLLOW_UP = "Après l’élection : le suivi des engagements"


def verification_of(client, pledge):
    certificate = pledge.certificates.current().get()
    response = client.get(f"/verifier/{certificate.reference}/")
    return text_of(response), response.content.decode()


def test_an_elected_lists_verification_page_links_to_its_follow_up_and_bilan(client):
    pledge = make_elected_list(codes=("3.1",))
    text, html = verification_of(client, pledge)
    assert FOLLOW_UP in text
    assert "Cette liste a été élue au conseil municipal." in text
    assert f'href="/suivi/signatures/{pledge.pk}/"' in html
    commune = pledge.candidate.commune
    assert f'href="/bilans/communes/{commune.insee_code}/"' in html
    assert f"Le bilan des élu·es de la commune : {commune.name}" in text


def test_an_elected_candidates_verification_page_links_too(client):
    pledge = make_elected_candidate(codes=("3.1",))
    text, html = verification_of(client, pledge)
    assert "Cette personne a été élue au conseil municipal." in text
    assert f'href="/suivi/signatures/{pledge.pk}/"' in html


@pytest.mark.parametrize("outcome", [ListOutcome.NOT_ELECTED, None])
def test_no_follow_up_link_for_a_list_not_elected_or_before_the_results(client, outcome):
    pledge = (
        make_elected_list(outcome=outcome, codes=("3.1",))
        if outcome
        else make_pledge(codes=("3.1",), status="approved")
    )
    text, html = verification_of(client, pledge)
    assert FOLLOW_UP not in text
    assert "/suivi/signatures/" not in html


def test_approving_a_follow_up_update_issues_no_new_certificate(client):
    pledge = make_elected_list(codes=("3.1", "1.1"))
    before = list(Certificate.objects.order_by("pk").values_list("pk", "reference", "fingerprint"))
    assert before
    report(pledge, "3.1", FollowUpStatus.DONE)
    report(pledge, "1.1", FollowUpStatus.IN_PROGRESS)
    assert (
        pledge.signed_commitments.get(
            commitment__position=1, commitment__proposal__number=3
        ).follow_up_status
        == FollowUpStatus.DONE
    )
    after = list(Certificate.objects.order_by("pk").values_list("pk", "reference", "fingerprint"))
    assert after == before
    text, _html = verification_of(client, pledge)
    assert "Attestation valide et à jour" in text
