"""Proposal pages: each commitment's signatories, and their breakdown by région."""

import pytest

from pledges.models import Signature
from tests.bulk import make_signatories, make_signatory
from tests.pledges.directory.html import table

pytestmark = pytest.mark.django_db


def test_each_commitment_shows_its_number_of_signatories(client):
    make_signatories(3, commune="42218", codes=("2.1", "2.2"))
    make_signatory(commune="13055", codes=("2.1",), withdrawn_codes=("2.3",))
    make_signatory(commune="13055", codes=("2.1",), status=Signature.Status.PENDING)
    make_signatory(
        commune="13055", codes=("2.1",), status=Signature.Status.WITHDRAWN, was_approved=True
    )
    content = client.get("/propositions/2/").content.decode()
    counts = [
        line.split(">")[1].split("<")[0]
        for line in content.splitlines()
        if 'class="commitment__count"' in line
    ]
    assert counts == ["4 signataires", "3 signataires", "0 signataire"]  # 0 is singular


def test_the_breakdown_by_region_is_a_table(client):
    make_signatories(3, commune="42218", codes=("2.1", "2.2"))
    make_signatory(commune="13055", codes=("2.1",))
    data = table(client.get("/propositions/2/").content.decode(), "data-table")
    assert data.caption.startswith(
        "Nombre de signataires de chaque engagement de la proposition n° 2"
    )
    (header,) = data.rows("thead")
    assert [cell.text for cell in header] == [
        "Région",
        "Engagement 2.1",
        "Engagement 2.2",
        "Engagement 2.3",
    ]
    assert [[cell.text for cell in row] for row in data.rows()] == [
        ["Auvergne-Rhône-Alpes", "3", "3", "0"],
        ["Provence-Alpes-Côte d’Azur", "1", "0", "0"],
    ]
    assert [cell.text for cell in data.rows("tfoot")[0]] == ["France entière", "4", "3", "0"]


def test_without_signatures_the_page_says_so(client):
    content = client.get("/propositions/5/").content.decode()
    assert "Aucune signature validée ne comporte encore ces engagements." in content


def test_the_proposal_page_has_sharing_tags(client):
    content = client.get("/propositions/9/").content.decode()
    assert '<meta property="og:title" content="Financement des acteurs de l’ESS' in content
    assert '<meta property="og:url" content="http://127.0.0.1:8000/propositions/9/">' in content


@pytest.mark.parametrize("count", [1, 50])
def test_the_proposal_page_runs_the_same_queries_at_1_and_50_signatories(
    client, django_assert_num_queries, count
):
    make_signatories(count, codes=("2.1", "2.2"))
    # campaign, proposals, commitments; once a minute: commitment counts, counters, départements
    with django_assert_num_queries(6):
        client.get("/propositions/2/")
    # A second visit reads the charter again, not the cached counts.
    with django_assert_num_queries(3):
        client.get("/propositions/2/", {"source": "affiche"})
