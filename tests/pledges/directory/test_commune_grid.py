"""The commune page's comparison grid (communes/views.py, templates/directory/_grid.html)."""

import pytest

from pledges.models import Proposal, Signature
from tests.bulk import french_date, make_signatories, make_signatory
from tests.pledges.directory.html import table

pytestmark = pytest.mark.django_db

SAINT_ETIENNE = "/communes/42218/"


def grid_of(client, path=SAINT_ETIENNE):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode(), table(response.content.decode(), "grid")


def test_the_grid_has_a_row_per_signatory_and_a_column_per_commitment(client):
    make_signatory(last_name="Durand", list_name="Saint-Étienne solidaire", codes=("1.1", "1.2"))
    make_signatory(last_name="Bernard", list_name="Agir ensemble", codes=("1.1", "3.2"))
    content, grid = grid_of(client)

    assert grid.caption.startswith("Les engagements signés à Saint-Étienne : une ligne par")
    groups, codes = grid.rows("thead")
    assert [cell.attrs["scope"] for cell in groups] == ["col"] + ["colgroup"] * 10 + ["col"]
    first = Proposal.objects.get(number=1)
    assert groups[1].text == f"Proposition 1 : {first.title}"
    assert [cell.text for cell in codes][:4] == ["1.1", "1.2", "2.1", "2.2"]
    assert len(codes) == 20 and all(cell.attrs["scope"] == "col" for cell in codes)

    rows = grid.rows()
    assert [row[0].attrs["scope"] for row in rows] == ["row", "row"]
    # Ordered by list name: « Agir ensemble » before « Saint-Étienne solidaire ».
    assert rows[0][0].text.startswith("Camille Bernard Tête de liste · Agir ensemble")
    assert rows[1][0].text.startswith("Camille Durand")
    marks = {codes[i].text: rows[1][i + 1].text for i in range(20)}
    assert marks["1.1"] == marks["1.2"] == "signé"
    assert marks["3.2"] == "non signé"
    assert rows[1][-1].text == "2"
    assert 'href="/signataires/' in content


def test_every_mark_has_a_text_equivalent_and_a_shape_not_only_a_colour(client):
    make_signatory(codes=("1.1",), withdrawn_codes=("2.1",))
    _content, grid = grid_of(client)
    (row,) = grid.rows()
    cells = row[1:-1]
    assert {cell.text.split(" le ")[0] for cell in cells} == {"signé", "non signé", "retiré"}
    visible = {cell.text.split(" le ")[0]: cell.visible.split(" ")[0] for cell in cells}
    assert visible == {"signé": "✓signé", "non signé": "–non", "retiré": "↺retiré"}


def test_a_withdrawn_commitment_is_marked_with_its_date(client):
    pledge = make_signatory(codes=("1.1",), withdrawn_codes=("2.1",))
    withdrawn_on = pledge.signed_commitments.get(commitment__proposal__number=2).withdrawn_at
    _content, grid = grid_of(client)
    (row,) = grid.rows()
    assert f"retiré le {french_date(withdrawn_on)}" in [cell.text for cell in row]
    assert row[-1].text == "1"  # one commitment currently signed


def test_a_withdrawn_signature_stays_dated_and_counts_for_nothing(client):
    make_signatory(last_name="Ancienne", status=Signature.Status.WITHDRAWN, was_approved=True)
    make_signatory(last_name="Actuelle")
    content, grid = grid_of(client)
    assert "1 candidat·e a signé les engagements à Saint-Étienne." in content
    withdrawn = next(row for row in grid.rows() if "Ancienne" in row[0].text)
    assert "signature retirée le" in withdrawn[0].text
    assert {cell.text.split(" le ")[0] for cell in withdrawn[1:-1]} == {"retiré", "non signé"}
    assert withdrawn[-1].text == "0"
    (footer,) = grid.rows("tfoot")
    assert footer[1].text == "1"  # 1.1: only the current signatory


def test_the_footer_counts_the_signatories_of_each_commitment(client):
    make_signatories(3, codes=("1.1", "2.1"))
    make_signatories(2, codes=("1.1",))
    _content, grid = grid_of(client)
    (footer,) = grid.rows("tfoot")
    assert footer[0].text == "Signataires de l’engagement"
    assert [cell.text for cell in footer[1:4]] == ["5", "0", "3"]


def test_narrow_screens_get_one_card_per_signatory(client):
    make_signatories(3)
    content, _grid = grid_of(client)
    assert content.count('class="grid-card"') == 3
    assert content.count("2 engagements signés sur 20") == 3


def test_a_commune_without_signatory_says_so_and_invites_candidates(client):
    content = client.get(SAINT_ETIENNE).content.decode()
    assert "Aucun candidat n’a encore signé les engagements à Saint-Étienne." in content
    assert 'class="grid"' not in content
    assert "Vous êtes candidat·e ici ? Signez les engagements" in content
    assert 'href="/signer/"' in content


def test_the_call_to_action_is_shown_beside_the_grid_too(client):
    make_signatory()
    assert "Vous êtes candidat·e ici ? Signez les engagements" in grid_of(client)[0]


def test_no_call_to_action_where_no_council_is_elected(client):
    content = client.get("/communes/55039/").content.decode()
    assert "Signez les engagements" not in content


def test_signatories_of_other_communes_are_not_in_the_grid(client):
    make_signatory(commune="69123", last_name="Lyonnaise")
    make_signatory(last_name="Stéphanoise")
    content, grid = grid_of(client)
    assert "Lyonnaise" not in content
    assert len(grid.rows()) == 1


@pytest.mark.parametrize("count", [1, 50])
def test_the_commune_page_runs_the_same_queries_at_1_and_50_signatories(
    client, django_assert_num_queries, count
):
    make_signatories(count, codes=("1.1", "2.1", "3.2"), withdrawn_codes=("4.1",))
    # commune, arrondissements, campaign, pledges, signatures, proposals, commitments
    with django_assert_num_queries(7):
        response = client.get(SAINT_ETIENNE)
    assert response.content.decode().count('<th scope="row" class="grid__who">') == count


def test_the_commune_page_has_sharing_tags(client):
    make_signatories(2)
    content = client.get(SAINT_ETIENNE).content.decode()
    assert '<meta property="og:title" content="Saint-Étienne (42) : qui s’est engagé ?">' in content
    assert (
        '<meta property="og:description" content="2 candidat·es ont signé les engagements de '
        "Coorace pour des territoires inclusifs à Saint-Étienne (Loire)"
    ) in content
    assert '<meta property="og:url" content="http://127.0.0.1:8000/communes/42218/">' in content
    assert "<title>Saint-Étienne (42) ·" in content


def test_the_breadcrumb_links_the_region_and_the_departement(client):
    content = client.get(SAINT_ETIENNE).content.decode()
    assert '<a href="/regions/84/">Auvergne-Rhône-Alpes</a>' in content
    assert '<a href="/departements/42/">Loire (42)</a>' in content
