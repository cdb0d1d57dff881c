"""The bilans' pages (pledges/bilans/views.py): what a visitor reads, down the territory
tree, before and after the results, in a bounded number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.pledges.bilans.data import make_bilan_data
from tests.pledges.bilans.pages import flat, text_of
from tests.pledges.outcomes.factories import make_elected_candidate, make_elected_list

pytestmark = pytest.mark.django_db

NOT_IMPORTED = "Les résultats des élections ne sont pas encore importés"
PAGES = [
    "/bilans/",
    "/bilans/regions/94/",
    "/bilans/departements/2A/",
    "/bilans/engagements/3.1/",
]


@pytest.mark.parametrize("path", [*PAGES, "/bilans/communes/42218/"])
def test_before_any_result_every_page_says_so_rather_than_showing_zeros(client, path):
    text = text_of(client.get(path))
    assert NOT_IMPORTED in text
    assert "engagé par 0" not in text
    assert "Aucune liste ni aucun·e candidat·e élu·e" not in text


def test_the_commitment_page_states_its_figures(client):
    make_bilan_data()
    text = text_of(client.get("/bilans/engagements/3.1/"))
    assert (
        "3.1 — développer un réseau de transport en commun gratuit et… : engagé par 3 listes "
        "élues et 1 candidat·e élu·e, réalisé par 1, en cours pour 1, abandonné par 1"
    ) in text
    assert (
        "Je m’engage à développer un réseau de transport en commun gratuit et électrique." in text
    )
    assert NOT_IMPORTED not in text


def test_the_commitment_page_in_the_singular_and_without_abandonment(client):
    make_bilan_data()
    text = text_of(client.get("/bilans/engagements/1.1/"))
    assert ": engagé par 1 liste élue, réalisé par 0, en cours pour 1" in text
    assert "abandonné par" not in text


def test_an_unknown_commitment_is_a_404(client):
    assert client.get("/bilans/engagements/3.9/").status_code == 404
    assert client.get("/bilans/engagements/99.1/").status_code == 404


def test_the_national_page_counts_and_links_down_the_tree(client):
    make_bilan_data()
    response = client.get("/bilans/")
    text = text_of(response)
    assert "3 listes élues ont signé, 1 candidat·e élu·e aussi" in text
    assert "sur 7 engagements signés, 1 réalisé et 2 en cours." in text
    html = response.content.decode()
    assert 'href="/bilans/regions/94/"' in html
    assert 'href="/bilans/regions/84/"' in html
    assert 'href="/bilans/engagements/3.1/"' in html
    assert 'href="/bilans/bilan.pdf"' in html
    # The row of 3.1: 3 lists, 1 candidate, then réalisé, en cours, pas commencé, abandonné.
    assert "3.1 — développer un réseau de transport en commun gratuit et… 3 1 1 1 1 1" in text
    assert "8.2 — instaurer dans les cantines scolaires une alimentation bio… 0 1 0 0 1 0" in text


def test_the_region_and_departement_pages(client):
    data = make_bilan_data()
    region = client.get("/bilans/regions/94/")
    text = text_of(region)
    assert "Bilan des élu·es de la Corse" in text or "Bilan des élu·es de Corse" in text
    assert 'href="/bilans/departements/2A/"' in region.content.decode()
    assert "Corse-du-Sud (2A) 2 1 6 1 2 2 1" in text
    departement = client.get("/bilans/departements/2A/")
    text = text_of(departement)
    assert f"Bourg-sur-Essai ({data.town.insee_code}) 2 0 4 1 2 1 0" in text
    assert f"Hameau-d’Essai ({data.village.insee_code}) 0 1 2 0 0 1 1" in text
    assert f'href="/bilans/communes/{data.town.insee_code}/"' in departement.content.decode()
    loire = text_of(client.get("/bilans/departements/42/"))
    assert "Saint-Étienne (42218) 1 0 1 0 0 1 0" in loire


def test_the_commune_page_shows_each_elected_signatory_and_its_statuses(client):
    data = make_bilan_data()
    response = client.get(f"/bilans/communes/{data.town.insee_code}/")
    text = text_of(response)
    html = response.content.decode()
    assert "« Majorité pour Bourg »" in text
    assert "liste élue (majorité)" in text
    assert "« Opposition constructive »" in text
    assert "liste élue (opposition)" in text
    assert "Battue de peu" not in text  # not elected
    majority = text.split("« Majorité pour Bourg »")[1].split("« Opposition constructive »")[0]
    assert "2.1 — Je m’engage à former les élus" in majority
    assert "pas encore commencé aucune" in majority  # its pending update counts for nothing
    assert "réalisé" in majority
    opposition = text.split("« Opposition constructive »")[1]
    assert "1.1 —" not in opposition.split("Engagement par engagement")[0]  # withdrawn
    assert f'href="/suivi/signatures/{data.majority.pk}/"' in html
    assert f'href="/suivi/signatures/{data.opposition.pk}/"' in html
    assert f'href="/bilans/communes/{data.town.insee_code}/bilan.pdf"' in html


def test_an_elected_individual_candidate_on_the_commune_page(client):
    data = make_bilan_data()
    text = text_of(client.get(f"/bilans/communes/{data.village.insee_code}/"))
    assert "Dominique Durand" in text
    assert "candidat·e élu·e" in text
    assert "abandonné" in text


def test_a_commune_with_results_but_no_elected_signatory(client):
    data = make_bilan_data()
    data.majority.electoral_list.outcome = "not_elected"
    data.majority.electoral_list.save(update_fields=["outcome"])
    data.opposition.electoral_list.outcome = "not_elected"
    data.opposition.electoral_list.save(update_fields=["outcome"])
    text = text_of(client.get(f"/bilans/communes/{data.town.insee_code}/"))
    assert "Aucune liste ni aucun·e candidat·e élu·e n’a signé" in text
    assert NOT_IMPORTED not in text


def test_an_unknown_commune_or_area_is_a_404(client):
    assert client.get("/bilans/communes/99999/").status_code == 404
    assert client.get("/bilans/departements/999/").status_code == 404
    assert client.get("/bilans/regions/999/").status_code == 404


@pytest.mark.parametrize("path", [*PAGES, "/bilans/communes/42218/"])
def test_pages_are_public_and_cacheable(client, path):
    make_bilan_data()
    response = client.get(path)
    assert "public" in response["Cache-Control"]
    assert not response.cookies
    assert client.post(path).status_code == 405


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", [*PAGES, "/bilans/communes/42218/", "/bilans/departements/42/"])
def test_a_page_runs_the_same_queries_whatever_the_number_of_signatories(client, path):
    make_bilan_data()
    before = _queries(client, path)
    assert before <= 12
    commune = __import__("communes.models", fromlist=["Commune"]).Commune.objects.get(
        insee_code="42218"
    )
    for number in range(3):
        make_elected_list(commune, codes=("3.1", "4.1", "9.3"), list_name=f"Encore {number}")
        make_elected_candidate(codes=("5.1",))
    assert _queries(client, path) == before


def test_the_home_page_and_the_area_pages_link_to_the_bilans(client):
    assert 'href="/bilans/"' in client.get("/").content.decode()
    assert 'href="/bilans/communes/42218/"' in client.get("/communes/42218/").content.decode()
    assert 'href="/bilans/departements/42/"' in client.get("/departements/42/").content.decode()
    assert 'href="/bilans/regions/84/"' in client.get("/regions/84/").content.decode()


def test_flat_reads_narrow_spaces_as_spaces():
    assert flat("a\u202f: b") == "a : b"


def test_the_sitemap_lists_the_bilans_once_results_are_imported(client):
    site = "http://127.0.0.1:8000"
    before = client.get("/sitemap-bilans.xml").content.decode()
    assert f"<loc>{site}/bilans/</loc>" in before
    assert "/bilans/regions/" not in before
    data = make_bilan_data()
    after = client.get("/sitemap-bilans.xml").content.decode()
    for path in [
        "/bilans/",
        "/bilans/engagements/3.1/",
        "/bilans/engagements/10.2/",
        "/bilans/regions/84/",
        "/bilans/departements/2A/",
        f"/bilans/communes/{data.town.insee_code}/",
        f"/bilans/communes/{data.village.insee_code}/",
        "/bilans/communes/42218/",
    ]:
        assert f"<loc>{site}{path}</loc>" in after
    assert after.count("/bilans/communes/") == 3  # only communes with an elected signatory


def test_a_lowercase_corsican_code_redirects_to_the_canonical_address(client):
    response = client.get("/bilans/communes/2a004/")
    assert response.status_code == 301
    assert response["Location"] == "/bilans/communes/2A004/"
    response = client.get("/bilans/communes/2a004/bilan.pdf")
    assert response["Location"] == "/bilans/communes/2A004/bilan.pdf"
