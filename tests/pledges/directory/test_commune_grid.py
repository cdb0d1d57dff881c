"""The commune page's comparison grid (pledges/directory/areas.py, grid.py, _grid.html)."""

import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from config.typography import french_text
from pledges.directory.areas import COMMUNE_PAGE_SIZE
from pledges.directory.grid import long_date, short_label
from pledges.models import Commitment, Proposal, Signature
from tests.bulk import french_date, make_signatories, make_signatory
from tests.pledges.directory.html import table

pytestmark = pytest.mark.django_db

SAINT_ETIENNE = "/communes/42218/"
ALL_CODES = tuple(
    f"{number}.{position}"
    for number, positions in enumerate((2, 3, 2, 1, 1, 1, 2, 3, 3, 2), start=1)
    for position in range(1, positions + 1)
)
CSS = (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_text()


def grid_of(client, path=SAINT_ETIENNE):
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode(), table(response.content.decode(), "grid")


def names(grid) -> list[str]:
    """The rows' names: a head signs for their list (tests/bulk.py), so a list's name."""
    return [row[0].text.split(" Liste conduite par")[0] for row in grid.rows()]


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
    assert rows[0][0].text.startswith("Agir ensemble Liste conduite par Camille Bernard")
    assert rows[1][0].text.startswith("Saint-Étienne solidaire Liste conduite par Camille Durand")
    marks = {codes[i].text: rows[1][i + 1].text for i in range(20)}
    assert marks["1.1"] == marks["1.2"] == "signé"
    assert marks["3.2"] == "non signé"
    assert rows[1][-1].text == "2"
    assert rows[1][-1].named == "2 engagements signés sur 20"  # on a phone
    assert 'href="/listes/' in content


def test_the_grid_is_printed_once_with_no_second_copy_as_cards(client):
    make_signatories(3, codes=("1.1", "2.1"))
    content, grid = grid_of(client)
    assert content.count("<table") == 1
    assert "grid-card" not in content
    assert len(grid.rows()) == 3
    for name in names(grid):
        assert content.count(f">{name}</a>") == 1


def test_every_mark_has_words_and_a_shape_not_only_a_colour(client):
    make_signatory(codes=("1.1",), withdrawn_codes=("2.1",))
    _content, grid = grid_of(client)
    (row,) = grid.rows()
    cells = row[1:-1]
    by_words = {cell.text.split(" le ")[0]: cell.attrs["class"] for cell in cells}
    assert by_words == {"signé": "s", "non signé": "a", "retiré": "w"}
    # The CSS draws each class's own symbol, with an empty text so it is not read twice.
    for css_class, symbol in (("s", "✓"), ("w", "↺"), ("a", "–")):
        assert (
            f'.grid td.{css_class}::before {{ content: "{symbol}"; content: "{symbol}" / "";' in CSS
        )


def test_each_marked_cell_names_its_commitment_for_phones_and_an_absent_one_does_not(client):
    make_signatory(codes=("1.1",), withdrawn_codes=("2.1",))
    _content, grid = grid_of(client)
    (row,) = grid.rows()
    named = {cell.attrs["class"]: cell.named for cell in row[1:-1] if cell.named}
    assert named == {
        "s": "1.1 généraliser l’intégration des clauses…",
        "w": "2.1 former les élus et techniciens sur le…",
    }
    assert sum(1 for cell in row[1:-1] if not cell.named) == 18
    # On a narrow screen the table reflows: absent cells go, the names and words show.
    narrow = CSS[CSS.index("@media screen and (max-width: 47.99rem)") :]
    assert ".grid td.a { display: none; }" in narrow.replace(", .grid td.a", "\n.grid td.a")
    assert ".grid td b { display: inline;" in narrow


def test_a_short_label_drops_the_formula_and_cuts_at_a_word():
    assert short_label("Je m’engage à désigner un-e élu-e en charge de l’ESS.") == (
        "désigner un-e élu-e en charge de l’ESS."
    )
    label = short_label(Commitment.objects.get(proposal__number=3, position=2).text)
    assert label == "soutenir les entreprises d’utilité sociale…"
    assert len(label) <= 43


def test_the_key_under_the_grid_gives_every_commitments_full_text(client):
    make_signatory()
    content, _grid = grid_of(client)
    key = content[content.index('<section class="grid-key"') :]
    assert "Les 20 engagements de la grille" in key
    for commitment in Commitment.objects.select_related("proposal"):
        anchor = "engagement-" + commitment.code.replace(".", "-")
        assert f'<div id="{anchor}"><dt>{commitment.code}</dt><dd>{commitment.text}</dd>' in key
        assert f'<a href="#{anchor}">{commitment.code}</a>' in content  # the column header
    assert "Proposition 10\u202f: " in key


def test_the_page_says_when_it_was_drawn_up(client):
    make_signatory()
    content, _grid = grid_of(client)
    today = timezone.localdate()
    drawn_up = french_text(long_date(today))  # « 1er décembre » does not split
    assert f'État au <time datetime="{today.isoformat()}">{drawn_up}</time>.' in content
    # Printed too: the print CSS hides neither the line nor the key.
    printed = CSS[CSS.rindex("@media print") :]
    assert "grid-as-of" not in printed and "grid-key {" in printed


def test_a_long_date_says_1er_on_the_first_of_the_month():
    assert long_date(date(2026, 12, 1)) == "1er décembre 2026"
    assert long_date(date(2020, 3, 15)) == "15 mars 2020"


def test_a_withdrawn_commitment_is_marked_with_its_date(client):
    pledge = make_signatory(codes=("1.1",), withdrawn_codes=("2.1",))
    withdrawn_on = pledge.signed_commitments.get(commitment__proposal__number=2).withdrawn_at
    _content, grid = grid_of(client)
    (row,) = grid.rows()
    withdrawn = " ".join(f"retiré le {french_date(withdrawn_on)}".split())  # as cells read
    assert withdrawn in [cell.text for cell in row]
    assert row[-1].text == "1"  # one commitment currently signed
    assert row[-1].named == "1 engagement signé sur 20"


def test_a_withdrawn_signature_stays_dated_and_counts_for_nothing(client):
    make_signatory(last_name="Ancienne", status=Signature.Status.WITHDRAWN, was_approved=True)
    make_signatory(last_name="Actuelle")
    content, grid = grid_of(client)
    assert "1 liste a signé les engagements à Saint-Étienne." in content
    withdrawn = next(row for row in grid.rows() if "Ancienne" in row[0].text)
    assert grid.rows()[-1] is withdrawn  # after the current signatories
    assert "signature retirée le" in withdrawn[0].text
    assert {cell.text.split(" le ")[0] for cell in withdrawn[1:-1]} == {"retiré", "non signé"}
    assert withdrawn[-1].text == "0"
    assert withdrawn[-1].named == "Aucun engagement signé sur 20"
    (footer,) = grid.rows("tfoot")
    assert footer[1].text == "1"  # 1.1: only the current signatory


def test_the_footer_counts_the_signatories_of_each_commitment(client):
    make_signatories(3, codes=("1.1", "2.1"))
    make_signatories(2, codes=("1.1",))
    _content, grid = grid_of(client)
    (footer,) = grid.rows("tfoot")
    assert footer[0].text == "Listes et candidat·es ayant signé l’engagement"
    assert [cell.text for cell in footer[1:4]] == ["5", "0", "3"]


def test_a_commune_without_signatory_says_so_and_invites_candidates(client):
    content = client.get(SAINT_ETIENNE).content.decode()
    assert "Aucun·e candidat·e n’a encore signé les engagements à Saint-Étienne." in content
    assert 'class="grid"' not in content
    assert "État au" not in content
    assert "Vous êtes candidat·e ici\u202f? Signez les engagements" in content
    assert 'href="/signer/"' in content


def test_the_call_to_action_is_shown_beside_the_grid_too(client):
    make_signatory()
    assert "Vous êtes candidat·e ici\u202f? Signez les engagements" in grid_of(client)[0]


def test_no_call_to_action_where_no_council_is_elected(client):
    content = client.get("/communes/55039/").content.decode()
    assert "Signez les engagements" not in content


def test_signatories_of_other_communes_are_not_in_the_grid(client):
    make_signatory(commune="69123", last_name="Lyonnaise")
    make_signatory(last_name="Stéphanoise")
    content, grid = grid_of(client)
    assert "Lyonnaise" not in content
    assert len(grid.rows()) == 1


# ------------------------------------------------------------------ pagination


def test_a_commune_with_few_signatories_has_a_single_page(client):
    make_signatories(COMMUNE_PAGE_SIZE)
    content, grid = grid_of(client)
    assert len(grid.rows()) == COMMUNE_PAGE_SIZE
    assert 'class="pages"' not in content
    assert "Page 1 sur" not in grid.caption


def test_page_2_shows_the_next_signatories(client):
    signatories = make_signatories(COMMUNE_PAGE_SIZE + 20, codes=("1.1",))
    make_signatory(last_name="Retirée", status=Signature.Status.WITHDRAWN, was_approved=True)
    first_content, first = grid_of(client)
    second_content, second = grid_of(client, SAINT_ETIENNE + "?page=2")
    assert len(first.rows()) == COMMUNE_PAGE_SIZE and len(second.rows()) == 21
    assert not set(names(first)) & set(names(second))
    wanted = sorted(p.candidate.list_name for p in signatories)  # lists by name
    assert names(first) + names(second)[:20] == wanted
    assert "Camille Retirée" in second.rows()[-1][0].text  # the withdrawn list comes last

    assert "Page 1 sur 2." in first.caption and "Page 2 sur 2." in second.caption
    assert f"{COMMUNE_PAGE_SIZE + 20} listes ont signé" in second_content
    assert f"</time>\u202f; lignes 101 à 121 sur {COMMUNE_PAGE_SIZE + 21}." in second_content
    assert '<nav class="pages" aria-label="Pages des listes et candidat·es">' in first_content
    assert '<a rel="next" href="?page=2#titre-signataires">Page suivante →</a>' in first_content
    assert '<a rel="prev" href="?page=1#titre-signataires">← Page précédente</a>' in second_content
    assert re.search(r'<a aria-current="page" href="\?page=2#titre-signataires">', second_content)
    # The totals are the commune's, on every page.
    (footer,) = second.rows("tfoot")
    assert footer[1].text == str(COMMUNE_PAGE_SIZE + 20)


@pytest.mark.parametrize("page", ["3", "0", "-1", "deux"])
def test_a_page_out_of_range_is_not_found(client, page):
    make_signatories(COMMUNE_PAGE_SIZE + 1)
    assert client.get(SAINT_ETIENNE, {"page": page}).status_code == 404


@pytest.mark.parametrize("count", [1, 50])
def test_the_commune_page_runs_the_same_queries_at_1_and_50_signatories(
    client, django_assert_num_queries, count
):
    make_signatories(count, codes=("1.1", "2.1", "3.2"), withdrawn_codes=("4.1",))
    # commune, arrondissements, campaign, the commune's list (pk, status), the page's
    # pledges, their signed commitments, the commune's totals, proposals, commitments
    with django_assert_num_queries(9):
        response = client.get(SAINT_ETIENNE)
    assert response.content.decode().count('<th scope="row"><a href="/listes/') == count


@pytest.mark.parametrize("page", [1, 2, 3])
def test_every_page_runs_the_same_queries(client, django_assert_num_queries, page):
    make_signatories(2 * COMMUNE_PAGE_SIZE + 5, codes=("1.1", "2.1"))
    with django_assert_num_queries(9):
        assert client.get(SAINT_ETIENNE, {"page": page}).status_code == 200


def test_the_largest_communes_page_stays_under_250_kb(client):
    # 1,137 signatories in Paris, each signing all 20 commitments (every cell named),
    # with long list names: the heaviest page the grid can make.
    make_signatories(
        1137, commune="75056", codes=ALL_CODES, list_name="Liste " + "très longue " * 15 + "{n}"
    )
    for page in (1, 6, 12):
        response = client.get("/communes/75056/", {"page": page})
        assert response.status_code == 200
        assert len(response.content) < 250_000, (page, len(response.content))
    assert client.get("/communes/75056/", {"page": 13}).status_code == 404


def test_the_commune_page_has_sharing_tags(client):
    make_signatories(2)
    content = client.get(SAINT_ETIENNE).content.decode()
    assert (
        '<meta property="og:title" content="Saint-Étienne (42)\u202f: qui s’est engagé\u202f?">'
        in content
    )
    assert (
        '<meta property="og:description" content="2 listes ont signé les engagements de '
        "Coorace pour des territoires inclusifs à Saint-Étienne (Loire)"
    ) in content
    assert '<meta property="og:url" content="http://127.0.0.1:8000/communes/42218/">' in content
    assert "<title>Saint-Étienne (42) ·" in content


def test_the_breadcrumb_links_the_region_and_the_departement(client):
    content = client.get(SAINT_ETIENNE).content.decode()
    assert '<a href="/regions/84/">Auvergne-Rhône-Alpes</a>' in content
    assert '<a href="/departements/42/">Loire (42)</a>' in content
