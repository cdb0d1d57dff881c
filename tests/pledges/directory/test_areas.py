"""Région and département pages: communes with signatories, sortable; a search."""

import pytest

from tests.bulk import make_signatories, make_signatory
from tests.pledges.directory.html import table

pytestmark = pytest.mark.django_db


@pytest.fixture
def loire_and_rhone():
    make_signatories(3, commune="42218")  # Saint-Étienne, 173,821 inhabitants
    make_signatories(1, commune="42095")  # Firminy
    make_signatories(2, commune="42187")  # Roanne
    make_signatories(2, commune="69123")  # Lyon


def commune_rows(content: str) -> list[list[str]]:
    return [[cell.text for cell in row] for row in table(content, "data-table").rows()]


def test_a_departement_lists_its_communes_with_signatories_most_first(client, loire_and_rhone):
    content = client.get("/departements/42/").content.decode()
    assert "<h1>Loire <span" in content
    assert "6 signataires dans le département." in content
    assert commune_rows(content) == [
        ["Saint-Étienne", "173 821", "3"],
        ["Roanne", "33 809", "2"],
        ["Firminy", "16 901", "1"],
    ]
    assert (
        '<th scope="col" aria-sort="descending" class="number"><a href="?tri=signataires">'
        in content
    )
    assert '<a href="/regions/84/">Auvergne-Rhône-Alpes</a>' in content


@pytest.mark.parametrize(
    ("sort", "order", "aria"),
    [
        ("nom", ["Firminy", "Roanne", "Saint-Étienne"], "ascending"),
        ("population", ["Saint-Étienne", "Roanne", "Firminy"], "descending"),
        ("signataires", ["Saint-Étienne", "Roanne", "Firminy"], "descending"),
        ("n’importe-quoi", ["Saint-Étienne", "Roanne", "Firminy"], "descending"),
    ],
)
def test_the_table_sorts_by_a_link_in_each_column_header(
    client, loire_and_rhone, sort, order, aria
):
    content = client.get("/departements/42/", {"tri": sort}).content.decode()
    assert [row[0] for row in commune_rows(content)] == order
    assert content.count(f'aria-sort="{aria}"') == 1


def test_a_region_lists_its_departements_and_communes(client, loire_and_rhone):
    content = client.get("/regions/84/").content.decode()
    assert "<h1>Auvergne-Rhône-Alpes</h1>" in content
    assert "8 signataires dans la région." in content
    assert "Ses 12 départements" in content
    assert (
        '<a href="/departements/42/">Loire (42)</a> <span class="result-list__meta">6 signataires'
        in content
    )
    rows = commune_rows(content)
    assert [row[0] for row in rows] == ["Saint-Étienne", "Lyon", "Roanne", "Firminy"]
    assert rows[1] == ["Lyon", "Rhône (69)", "522 969", "2"]


def test_an_area_without_signatory_says_so(client):
    content = client.get("/departements/2B/").content.decode()
    assert "Aucune commune du département n’a encore de signataire." in content
    content = client.get("/regions/975/").content.decode()
    assert "Aucune commune de la région n’a encore de signataire." in content


def test_the_departement_search_finds_its_communes_only(client, loire_and_rhone):
    content = client.get("/departements/42/", {"q": "saint etienne"}).content.decode()
    results = content[content.index('id="titre-resultats"') : content.index('id="titre-communes"')]
    assert '<a href="/communes/42218/">Saint-Étienne</a>' in results
    assert "3 signataires" in results
    assert "Saint-Étienne-de-Saint-Geoirs" not in results  # Isère
    content = client.get("/departements/42/", {"q": "42300"}).content.decode()
    assert '<a href="/communes/42187/">Roanne</a>' in content
    content = client.get("/departements/42/", {"q": "marseille"}).content.decode()
    assert "Aucune commune de la Loire ne correspond à «\u202fmarseille\u202f»." in content


def test_the_sort_links_keep_the_search(client, loire_and_rhone):
    content = client.get("/departements/42/", {"q": "saint"}).content.decode()
    assert 'href="?tri=nom&amp;q=saint"' in content


@pytest.mark.parametrize(
    "path", ["/regions/99/", "/regions/1/", "/departements/20/", "/departements/2C/"]
)
def test_unknown_areas_are_404s(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("count", [1, 50])
def test_area_pages_run_the_same_queries_at_1_and_50_signatories(
    client, django_assert_num_queries, count
):
    make_signatories(count, commune="42218")
    make_signatory(commune="42187")
    # département, campaign, communes with counts; counters, départements and the official
    # lists by département (then cached; none imported here, so no count by commune)
    with django_assert_num_queries(6):
        client.get("/departements/42/")
    with django_assert_num_queries(5):  # the same three, the search and its counts
        client.get("/departements/42/", {"q": "saint"})
    with django_assert_num_queries(3):  # région, campaign, communes with counts
        client.get("/regions/84/")
