"""The official roster on the public pages: the commune page's official lists (or candidates)
with their answers, and « 3 listes sur 5 ont signé » on the commune, département and région
pages and in the map's table (pledges/directory/areas.py, templates/pledges/directory/)."""

from datetime import date

import pytest
from django.utils import timezone

from candidates.models import OfficialList
from communes.models import Commune
from pledges.models import Campaign, ElectoralList, ListDecline, ListInvitation
from tests.factories import make_official_individual, make_official_list
from tests.pledges.directory.html import tables
from tests.pledges.directory.lists_data import make_individual, make_list

pytestmark = pytest.mark.django_db

SAINT_ETIENNE = "/communes/42218/"


def imported(code: str, *, by_list: bool = True) -> Commune:
    """The commune as the import leaves it: its ballot known from the files."""
    commune = Commune.objects.get(insee_code=code)
    commune.votes_by_list = by_list
    commune.save(update_fields=["votes_by_list"])
    return commune


def tie(site_list: ElectoralList, official_list: OfficialList) -> ElectoralList:
    site_list.official_list = official_list
    site_list.save(update_fields=["official_list"])
    return site_list


def invite(official_list: OfficialList, at: date) -> None:
    ListInvitation.objects.create(
        campaign=Campaign.objects.current(),
        official_list=official_list,
        at=at,
        channel=ListInvitation.Channel.LETTER,
        recorded_at=timezone.now(),
    )


def decline(official_list: OfficialList, reason: str, *, publish: bool) -> None:
    ListDecline.objects.create(
        campaign=Campaign.objects.current(),
        official_list=official_list,
        reason=reason,
        publish_reason=publish,
        at=date(2020, 2, 20),
        recorded_at=timezone.now(),
    )


def roster_tables(content: str):
    return [t for t in tables(content) if "roster-table" in t.attrs.get("class", "").split()]


def roster_rows(content: str) -> list[list[str]]:
    return [[cell.text for cell in row] for t in roster_tables(content) for row in t.rows()]


def three_lists(commune: Commune) -> list[OfficialList]:
    return [
        make_official_list(
            commune,
            panel_number=1,
            name="Saint-Étienne d’abord",
            short_name="SE D’ABORD",
            nuance="LDVC",
            head=("Camille", "MARTIN"),
        ),
        make_official_list(
            commune, panel_number=2, name="Ensemble pour Saint-Étienne", head=("Alex", "DURAND")
        ),
        make_official_list(commune, panel_number=3, name="Saint-Étienne écologie", nuance="LECO"),
    ]


def get(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def plain(content: str) -> str:
    """The page with plain spaces where the typography set no-break ones."""
    return content.replace("\u202f", " ").replace("\u00a0", " ")


# ------------------------------------------------------------------ the commune page


def test_the_commune_page_lists_the_official_lists_with_their_answers(client):
    lists = three_lists(imported("42218"))
    site_list = tie(make_list("Saint-Étienne d’abord", codes=("1.1", "2.1", "3.2")), lists[0])
    invite(lists[1], date(2020, 2, 3))

    content = get(client, SAINT_ETIENNE)
    assert "Les listes officielles" in content
    assert content.count("1 liste sur 3 a signé") == 2  # the facts and the section
    assert roster_rows(content) == [
        [
            "1",
            "Saint-Étienne d’abord (SE D’ABORD)",
            "Camille MARTIN",
            "LDVC",
            "a signé · 3 engagements",
        ],
        ["2", "Ensemble pour Saint-Étienne", "Alex DURAND", "LDIV", "invitée le 3 février 2020"],
        ["3", "Saint-Étienne écologie", "Camille Martin", "LECO", "n’a pas (encore) répondu"],
    ]
    assert f'<a href="/listes/{site_list.pk}/">a signé</a>' in content
    assert "invitée le 3 février 2020" in plain(content)
    assert "ministère de l’Intérieur" in content
    assert 'href="/donnees/listes-officielles.csv"' in content


def test_two_lists_out_of_three_read_in_the_plural(client):
    lists = three_lists(imported("42218"))
    tie(make_list(), lists[0])
    tie(make_list(), lists[2])
    assert "2 listes sur 3 ont signé" in get(client, SAINT_ETIENNE)


def test_three_lists_out_of_three(client):
    lists = three_lists(imported("42218"))
    for official_list in lists:
        tie(make_list(), official_list)
    assert "3 listes sur 3 ont signé" in get(client, SAINT_ETIENNE)


def test_a_declined_list_shows_its_reason_only_when_published(client):
    lists = three_lists(imported("42218"))
    decline(lists[0], "Nous ne signons aucune charte.", publish=True)
    decline(lists[1], "Une raison gardée pour l’équipe.", publish=False)

    content = get(client, SAINT_ETIENNE)
    rows = roster_rows(content)
    assert rows[0][-1] == "a décliné : « Nous ne signons aucune charte. »"
    assert rows[1][-1] == "a décliné"
    assert "Une raison gardée" not in content
    assert "0 liste" in content or "0 listes" in content


def test_a_withdrawn_signature_reads_so_and_no_longer_counts(client):
    from pledges.signing.services import withdraw_pledge

    lists = three_lists(imported("42218"))
    withdrawn = tie(make_list(), lists[0])
    withdraw_pledge(pledge=withdrawn.signature)
    tie(make_list(), lists[1])

    content = get(client, SAINT_ETIENNE)
    today = timezone.localdate()
    assert roster_rows(content)[0][-1].startswith("a signé, puis retiré sa signature le ")
    assert str(today.year) in roster_rows(content)[0][-1]
    assert "1 liste sur 3 a signé" in content


def test_the_page_shows_the_latest_round_only(client):
    commune = imported("42218")
    round1 = three_lists(commune)
    round2 = make_official_list(commune, panel_number=1, name="Saint-Étienne d’abord", tour=2)
    round2.continues = round1[0]
    round2.save()
    tie(make_list(), round1[0])

    content = get(client, SAINT_ETIENNE)
    assert [row[1] for row in roster_rows(content)] == ["Saint-Étienne d’abord"]
    assert "1 liste sur 1 a signé" in content
    assert "se présentent au second tour" in content


def test_secteur_cities_list_their_official_lists_by_secteur(client):
    marseille = imported("13055")
    first, second = marseille.secteurs.order_by("number")[:2]
    signed = make_official_list(marseille, secteur=first, panel_number=1, name="Marseille d’abord")
    make_official_list(marseille, secteur=first, panel_number=2, name="Marseille avance")
    make_official_list(marseille, secteur=second, panel_number=1, name="Le 2e secteur")
    tie(make_list(commune="13055", secteur=first.number), signed)

    content = get(client, "/communes/13055/")
    assert f'<h3 id="listes-officielles-secteur-{first.number}">{first.name}</h3>' in content
    assert f'<h3 id="listes-officielles-secteur-{second.number}">{second.name}</h3>' in content
    assert "1 liste sur 3 a signé" in content  # the city's
    assert "1 liste sur 2 a signé" in content  # the first secteur's
    assert "0 liste sur 1" in content or "0 listes sur 1" in content  # the second's
    captions = [t.caption for t in roster_tables(content)]
    assert captions == [
        f"Les listes officielles, {first.name}, et leur réponse",
        f"Les listes officielles, {second.name}, et leur réponse",
    ]


def test_a_small_commune_shows_its_official_candidates(client):
    imported("01001", by_list=False)
    small = Commune.objects.get(insee_code="01001")
    signed = make_official_individual(small, first_name="Dominique", last_name="PETIT")
    make_official_individual(small, first_name="Claude", last_name="ROUX")
    signature = make_individual(commune="01001", codes=("1.1", "2.1"))
    signature.candidate.official_candidate = signed
    signature.candidate.save(update_fields=["official_candidate"])

    content = get(client, "/communes/01001/")
    assert "Les candidatures officielles" in content
    assert "1 candidat·e sur 2 a signé" in content
    rows = roster_rows(content)
    assert [row[1:] for row in rows] == [
        ["Dominique PETIT", "a signé · 2 engagements"],
        ["Claude ROUX", "n’a pas (encore) répondu"],
    ]
    assert f'<a href="/signataires/{signature.pk}/">a signé</a>' in content


def test_before_any_import_the_commune_page_says_nothing_of_the_roster(client):
    make_list()
    content = get(client, SAINT_ETIENNE)
    assert "listes officielles" not in content.lower()
    assert "candidatures officielles" not in content.lower()
    assert "roster" not in content


@pytest.mark.parametrize("count", [1, 6])
def test_the_commune_page_runs_the_same_queries_with_1_or_6_official_lists(
    client, django_assert_num_queries, count
):
    commune = imported("42218")
    lists = [make_official_list(commune, panel_number=n) for n in range(1, count + 1)]
    tie(make_list(), lists[0])
    invite(lists[-1], date(2020, 2, 3))
    # The page's nine (tests/pledges/directory/test_commune_grid.py), then the official
    # lists, the round-2 lists continuing them, the site lists that signed, the declines
    # and the invitations.
    with django_assert_num_queries(14):
        client.get(SAINT_ETIENNE)


def test_the_commune_page_stays_public(client):
    three_lists(imported("42218"))
    response = client.get(SAINT_ETIENNE)
    assert "public" in response["Cache-Control"]
    assert not response.cookies


# ------------------------------------------------------------------ areas and the map


def roster_setup():
    lists = three_lists(imported("42218"))
    tie(make_list(), lists[0])
    roanne = imported("42187")
    make_official_list(roanne, panel_number=1, name="Roanne demain")
    make_list(commune="42187")  # Roanne has a signatory: a row of the communes' table
    small = Commune.objects.get(insee_code="01001")
    make_official_individual(small)


def test_the_departement_page_counts_its_official_lists_and_fills_the_table(client):
    roster_setup()
    content = get(client, "/departements/42/")
    assert "Listes officielles : 1 liste sur 4 a signé." in plain(content)
    (communes,) = [t for t in tables(content) if "data-table" in t.attrs.get("class", "")]
    header = [cell.text for cell in communes.rows("thead")[0]]
    assert header[-1] == "Candidatures officielles ayant signé"
    cells = {row[0].text: row[-1].text for row in communes.rows()}
    assert cells["Saint-Étienne"] == "1 liste sur 3"
    assert cells["Roanne"] == "0 liste sur 1" or cells["Roanne"] == "0 listes sur 1"


def test_the_region_page_counts_lists_and_candidates_standing_alone(client):
    roster_setup()
    content = plain(get(client, "/regions/84/"))
    assert "Listes officielles : 1 liste sur 4 a signé." in content
    # French plural rule (0 is singular) once the catalogue is in, English's until then.
    assert (
        "Candidatures individuelles (communes de moins de 1 000 habitants) : "
        "0 candidat·e sur 1 a signé."
        in content
        or "0 candidat·es sur 1 ont signé." in content
    )
    assert "candidatures officielles ayant signé : 1 liste sur 4" in content  # the Loire


def test_the_maps_table_counts_the_lists_that_signed(client):
    roster_setup()
    content = get(client, "/")
    (map_table,) = [t for t in tables(content) if "Nombre de signataires" in t.caption]
    assert [cell.text for cell in map_table.rows("thead")[0]][-1] == (
        "Listes officielles ayant signé"
    )
    loire = next(row for row in map_table.rows() if row[0].text == "Loire (42)")
    assert loire[-1].text == "1 sur 4"
    ain = next(row for row in map_table.rows() if row[0].text == "Ain (01)")
    assert ain[-1].text == "—"  # candidates standing alone only


def test_before_any_import_area_pages_and_the_map_are_unchanged(client):
    make_list()
    for path in ("/departements/42/", "/regions/84/", "/"):
        content = get(client, path).lower()
        assert "listes officielles" not in content, path
        assert "candidatures officielles" not in content, path
        assert "candidatures individuelles" not in content, path
