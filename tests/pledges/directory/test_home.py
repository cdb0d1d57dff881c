"""The home page: counters, the map, the latest signatories (pledges/directory.py)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from pledges.directory.queries import invalidate_public_caches
from pledges.models import Signature
from tests.bulk import make_signatories, make_signatory
from tests.pledges.directory.html import table

pytestmark = pytest.mark.django_db

Status = Signature.Status


def home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def map_links(content: str) -> dict[str, tuple[str, str]]:
    """{département code: (aria-label, shade class)} for each link of the map."""
    found = re.findall(
        r'<a href="/departements/(\w+)/" aria-label="([^"]+)" class="map__link">'
        r'<title>[^<]+</title><path class="map__area (shade-\d)"',
        content,
    )
    return {code: (label, shade) for code, label, shade in found}


def test_the_counters_count_approved_signatories_their_communes_and_departements(client):
    make_signatories(2, commune="42218")
    make_signatory(commune="42095")  # Loire too
    make_signatory(commune="69123")
    make_signatory(commune="75056", status=Status.PENDING)
    make_signatory(commune="13055", status=Status.WITHDRAWN, was_approved=True)
    make_signatory(commune="33063", status=Status.UNPUBLISHED)
    content = home(client)
    assert re.search(r'counters__value">4</span> signataires', content)
    assert re.search(r'counters__value">3</span> communes', content)
    assert re.search(r'counters__value">2</span> départements', content)


def test_the_counters_speak_in_the_singular(client):
    make_signatory()
    content = home(client)
    assert re.search(r'counters__value">1</span> signataire<', content)
    assert re.search(r'counters__value">1</span> département<', content)


def test_each_departement_of_the_map_is_a_link_with_an_accessible_name(client):
    make_signatories(3, commune="42218")
    make_signatory(commune="2A004")
    links = map_links(home(client))
    assert len(links) == 96
    assert links["42"] == ("Loire (42)\u202f: 3 signataires", "shade-5")
    assert links["2A"] == ("Corse-du-Sud (2A)\u202f: 1 signataire", "shade-2")
    assert links["75"] == ("Paris (75)\u202f: aucun signataire", "shade-0")


def test_the_map_is_shaded_on_a_scale_its_legend_spells_out(client):
    make_signatories(10, commune="42218")
    make_signatories(5, commune="69123")
    make_signatory(commune="13055")
    content = home(client)
    links = map_links(content)
    assert links["42"][1] == "shade-5"  # 10: the top range
    assert links["69"][1] == "shade-4"  # 5: in 5–6
    assert links["13"][1] == "shade-1"  # 1: in 1–2
    for text in ["aucun signataire", "de 1 à 2 signataires", "3 signataires",
                 "de 5 à 6 signataires", "de 7 à 10 signataires"]:  # fmt: skip
        assert text in content


def test_overseas_departements_and_collectivites_are_listed_beside_the_map(client):
    make_signatory(commune="97411")  # Saint-Denis, La Réunion
    content = home(client)
    aside = content[content.index('<ul class="overseas">') :]
    aside = aside[: aside.index("</ul>")]
    assert aside.count("<li>") == 8
    for name in ["Guadeloupe (971)", "Mayotte (976)", "Saint-Pierre-et-Miquelon (975)",
                 "Polynésie française (987)", "Nouvelle-Calédonie (988)"]:  # fmt: skip
        assert name in aside
    assert '<a href="/departements/974/">La Réunion (974)</a>\u202f: 1 signataire' in aside


def test_a_table_gives_the_same_figures_as_the_map(client):
    make_signatories(2, commune="42218")
    data = table(home(client), "data-table")
    assert data.caption == "Nombre de signataires par département, métropole et outre-mer"
    rows = {row[0].text: [cell.text for cell in row[1:]] for row in data.rows()}
    assert len(rows) == 104
    assert rows["Loire (42)"] == ["Auvergne-Rhône-Alpes", "2"]
    assert rows["Nouvelle-Calédonie (988)"] == ["Nouvelle-Calédonie", "0"]


def test_the_map_credits_its_source_as_its_licence_asks(client):
    content = home(client)
    assert "Fond de carte\u202f: svg-maps (Victor Cazanave), CC BY 4.0" in content
    assert 'href="https://creativecommons.org/licenses/by/4.0/deed.fr" rel="license"' in content


def test_the_latest_signatories_are_listed_newest_first(client):
    make_signatory(last_name="Ancien", at=timezone.now() - timedelta(days=30))
    make_signatory(last_name="Récent", at=timezone.now() - timedelta(days=3))
    make_signatory(last_name="Attente", status=Status.PENDING)
    content = home(client)
    latest = content[content.index('id="titre-derniers"') :]
    assert latest.index("Camille Récent") < latest.index("Camille Ancien")
    assert "Attente" not in content


def test_the_home_keeps_the_unified_search(client):
    content = home(client)
    assert 'action="/recherche/"' in content
    assert '<label for="q-accueil">Commune, candidat·e ou liste</label>' in content


@pytest.mark.parametrize("count", [1, 50])
def test_the_home_runs_the_same_queries_whatever_the_number_of_signatories(
    client, django_assert_num_queries, count
):
    make_signatories(count)
    # campaign, proposals, commitments; then, once per minute: counters, départements, latest,
    # and the official lists by département (the map's table)
    with django_assert_num_queries(7):
        client.get("/")
    # A second visit reads the charter again, not the cached counters.
    with django_assert_num_queries(3):
        client.get("/", {"source": "affiche"})


def test_the_counters_are_cached_until_public_data_changes(client):
    make_signatory()
    assert re.search(r'counters__value">1</span> signataire<', home(client))
    make_signatories(2, commune="69123")
    # Still cached: not recomputed over all signatures on every request.
    assert re.search(r'counters__value">1</span> signataire<', home(client))
    invalidate_public_caches()
    content = home(client)
    assert re.search(r'counters__value">3</span> signataires', content)
    assert map_links(content)["69"][0] == "Rhône (69)\u202f: 2 signataires"
