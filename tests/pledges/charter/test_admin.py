import pytest

from pledges.models import Commitment, Proposal

pytestmark = pytest.mark.django_db


def test_staff_edit_a_commitment_in_the_admin(superuser_client):
    commitment = Commitment.objects.get(proposal__number=4, position=1)
    response = superuser_client.get(f"/admin/pledges/commitment/{commitment.pk}/change/")
    assert response.status_code == 200
    assert "ressourceries" in response.content.decode()


def test_the_signing_override_is_offered_from_the_list(superuser_client):
    response = superuser_client.get("/admin/pledges/campaign/")
    assert response.status_code == 200
    assert 'value="force_signing_closed"' in response.content.decode()


def test_proposals_show_their_commitments_inline(superuser_client):
    proposal = Proposal.objects.get(number=8)
    content = superuser_client.get(
        f"/admin/pledges/proposal/{proposal.pk}/change/"
    ).content.decode()
    assert "jardins partagés" in content
    assert content.count('name="commitments-') >= 3
