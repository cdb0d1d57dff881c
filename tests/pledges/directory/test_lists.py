"""Lists on the public directory: the commune page's rows (pledges/directory/lists.py,
grid.py, areas.py), the list page (list_page.py), the signatory page's link, the search."""

import pytest

from communes.models import Secteur
from pledges.directory.areas import COMMUNE_PAGE_SIZE
from pledges.models import Certificate, Signature
from pledges.signing.services import withdraw_pledge
from tests.bulk import make_signatory
from tests.pledges.directory.html import table
from tests.pledges.directory.lists_data import (
    add_member,
    leave,
    make_individual,
    make_list,
    remove,
    sign_personally,
)

pytestmark = pytest.mark.django_db

SAINT_ETIENNE = "/communes/42218/"
SMALL_COMMUNE = "01001"  # L'Abergement-Clémenciat, under 1,000 inhabitants
Status = Signature.Status


def grid_rows(client, path=SAINT_ETIENNE):
    response = client.get(path)
    assert response.status_code == 200
    content = response.content.decode()
    rows = table(content, "grid").rows()
    return content, [row for row in rows if row[0].attrs.get("scope") == "row"], rows


def headings(rows) -> list[str]:
    return [row[0].text for row in rows if row[0].attrs.get("scope") == "rowgroup"]


# ------------------------------------------------------------------ the commune page


def test_a_list_is_one_row_with_its_name_head_label_members_and_marks(client):
    the_list = make_list(
        "Saint-Étienne d’abord",
        head_name="Durand",
        political_label="Divers gauche",
        codes=("1.1", "3.2"),
    )
    for _ in range(3):
        add_member(the_list)
    add_member(the_list, confirm=None)  # waiting: not counted
    add_member(the_list, confirm=False)  # refused: not counted
    content, rows, _all = grid_rows(client)

    (row,) = rows
    assert row[0].text == (
        "Saint-Étienne d’abord Liste conduite par Camille Durand · Divers gauche · 4 candidat·es"
    )
    assert f'href="/listes/{the_list.pk}/"' in content
    marks = [cell.text for cell in row[1:-1]]
    assert marks.count("signé") == 2 and marks.count("non signé") == 18
    assert row[1].named == "1.1 généraliser l’intégration des clauses…"  # readable on a phone
    assert row[-1].named == "2 engagements signés sur 20"
    assert "1 liste a signé les engagements à Saint-Étienne." in content


def test_a_colistiers_personal_signature_is_no_row_of_its_own(client):
    the_list = make_list("Ensemble", codes=("1.1",))
    member = add_member(the_list, last_name="Colistière")
    sign_personally(member, "5.1")
    waiting = add_member(the_list, last_name="Enattente", confirm=None)
    sign_personally(waiting, "6.1")
    content, rows, _all = grid_rows(client)
    assert len(rows) == 1
    assert "Colistière" not in content and "Enattente" not in content
    (footer,) = table(content, "grid").rows("tfoot")
    assert footer[1].text == "1"  # 1.1, the list's
    codes = [c.text for c in table(content, "grid").rows("thead")[1]]
    assert footer[1 + codes.index("5.1")].text == "0"  # a personal commitment is not the list's


def test_lists_and_candidates_in_their_own_name_side_by_side(client):
    make_list("Zénith", codes=("1.1",))
    make_list("Avenir", codes=("1.1",))
    own = make_signatory(last_name="Seule", role="individual", list_name="")
    content, rows, _all = grid_rows(client)
    assert [row[0].text.split(" ")[0] for row in rows] == ["Avenir", "Zénith", "Camille"]
    assert f'href="/signataires/{own.pk}/"' in content
    assert "2 listes et 1 candidat·e ont signé les engagements à Saint-Étienne." in content
    assert (
        '<meta property="og:description" content="2 listes et 1 candidat·e ont signé les '
        "engagements de Coorace"
    ) in content


def test_a_list_that_withdrew_its_signature_is_shown_withdrawn_after_the_others(client):
    withdrawn = make_list("Aaa d’abord", codes=("1.1", "2.1"))
    make_list("Zzz ensemble", codes=("1.1",))
    withdraw_pledge(pledge=withdrawn.signature)
    content, rows, _all = grid_rows(client)
    assert [row[0].text.split(" ")[0] for row in rows] == ["Zzz", "Aaa"]
    assert "signature retirée le" in rows[1][0].text
    assert {cell.text.split(" le ")[0] for cell in rows[1][1:-1]} == {"retiré", "non signé"}
    assert "1 liste a signé les engagements" in content


@pytest.mark.parametrize("status", [Status.PENDING, Status.REJECTED, Status.UNPUBLISHED])
def test_a_list_that_is_not_public_is_nowhere_on_the_commune_page(client, status):
    hidden = make_list("Liste cachée", status=status)
    make_list("Liste visible")
    content, rows, _all = grid_rows(client)
    assert len(rows) == 1
    assert "Liste cachée" not in content and f"/listes/{hidden.pk}/" not in content


def test_individual_candidates_of_a_small_commune_are_grouped_by_their_group(client):
    path = f"/communes/{SMALL_COMMUNE}/"
    make_individual(commune=SMALL_COMMUNE, group="Vivre au village", last_name="Blanc")
    make_individual(commune=SMALL_COMMUNE, group="vivre au Village", last_name="Arnaud")
    make_individual(commune=SMALL_COMMUNE, group="Agir ensemble", last_name="Carré")
    make_individual(commune=SMALL_COMMUNE, last_name="Seule")
    content, rows, everything = grid_rows(client, path)
    assert headings(everything) == [
        "Groupe « Agir ensemble »",
        "Groupe « Vivre au village »",
        "Sans groupe",
    ]
    names = [row[0].text.split(" Candidat·e")[0] for row in rows]
    assert names == ["Camille Carré", "Camille Arnaud", "Camille Blanc", "Camille Seule"]
    assert "4 candidat·es ont signé les engagements" in content
    # One <tbody> per group, its heading row spanning the table.
    assert content.count("<tbody>") == 3
    assert '<th scope="rowgroup" colspan="22">Groupe «\u202fAgir ensemble\u202f»</th>' in content


def test_paris_is_in_sections_per_secteur_by_number_with_a_table_of_contents(client):
    make_list("Paris en commun", commune="75056", secteur=12)
    make_list("Centre d’abord", commune="75056", secteur=1)
    make_list("Onze ensemble", commune="75056", secteur=11)
    make_list("Douze demain", commune="75056", secteur=12)
    content, rows, everything = grid_rows(client, "/communes/75056/")
    assert headings(everything) == [
        "Paris Centre (1er, 2e, 3e et 4e arrondissements)",
        "Paris 11e arrondissement",
        "Paris 12e arrondissement",
    ]
    assert [row[0].text.split(" Liste conduite")[0] for row in rows] == [
        "Centre d’abord",
        "Onze ensemble",
        "Douze demain",
        "Paris en commun",
    ]
    assert 'id="secteur-12"' in content
    assert "À Paris, les listes se présentent par secteur (17 secteurs)" in content
    assert '<a href="?page=1#secteur-11">Paris 11e arrondissement</a> <small>1 liste</small>' in (
        content
    )
    assert "Paris 12e arrondissement</a> <small>2 listes</small>" in content
    assert "Paris 20e arrondissement <small>aucune liste</small>" in content


def test_a_list_of_a_sector_city_recorded_without_secteur_is_in_its_own_section(client):
    make_list("Marseille en grand", commune="13055", secteur=1)
    make_list("Liste d’avant", commune="13055")
    _content, _rows, everything = grid_rows(client, "/communes/13055/")
    assert headings(everything)[-1] == "Secteur à préciser"


@pytest.mark.parametrize("lists", [1, 8])
def test_the_commune_page_with_lists_runs_the_same_queries(
    client, django_assert_num_queries, lists
):
    for n in range(lists):
        the_list = make_list(f"Liste {n}", commune="75056", secteur=(1, 5, 6)[n % 3])
        add_member(the_list)
    make_signatory(commune="75056", role="individual", list_name="")  # from before secteurs
    # commune, arrondissements, campaign, secteurs, the commune's rows (pk, status…), the
    # page's signatures (with their list, head and members), their signed commitments,
    # the commune's totals, proposals, commitments
    with django_assert_num_queries(10):
        response = client.get("/communes/75056/")
    assert response.content.decode().count('href="/listes/') == lists


def test_the_largest_communes_page_with_lists_stays_light(client):
    # A full page of lists in every secteur, each with a long name (128 characters) and a
    # label, signing every commitment: every cell names its commitment.
    every = tuple(f"{n}.{p}" for n, k in enumerate((2, 3, 2, 1, 1, 1, 2, 3, 3, 2), 1)
                  for p in range(1, k + 1))  # fmt: skip
    secteurs = list(
        Secteur.objects.filter(commune__insee_code="75056").values_list("number", flat=True)
    )
    for n in range(COMMUNE_PAGE_SIZE):
        make_list(
            f"Liste {n} " + "au nom très long " * 7,
            commune="75056",
            secteur=secteurs[n % len(secteurs)],
            codes=every,
            political_label="Union de la gauche et des écologistes",
        )
    response = client.get("/communes/75056/")
    assert response.status_code == 200
    assert len(response.content) < 250_000, len(response.content)


# ------------------------------------------------------------------ the list page


def list_page(client, electoral_list, status=200):
    response = client.get(f"/listes/{electoral_list.pk}/")
    assert response.status_code == status
    return response


def test_the_list_page_shows_its_signature_head_members_history_and_certificate(client):
    the_list = make_list(
        "Saint-Étienne d’abord", head_name="Durand", political_label="Divers", codes=("1.1", "3.2")
    )
    member = add_member(the_list, last_name="Bernard")
    sign_personally(member, "5.1", "6.1")
    add_member(the_list, last_name="Sansperso")
    add_member(the_list, last_name="Attente", confirm=None)
    add_member(the_list, last_name="Refusée", confirm=False)
    response = list_page(client, the_list)
    content = response.content.decode()

    assert "<h1>Saint-Étienne d’abord</h1>" in content
    assert "Camille Durand" in content and "Divers" in content
    assert "La liste a signé 2 engagements" in content
    assert "3 colistier·es" not in content and "2 colistier·es" in content
    assert "Camille Bernard" in content and "Camille Sansperso" in content
    assert "Attente" not in content and "Refusée" not in content
    # The member's own commitments, apart from the list's and said to be personal.
    members = content[content.index('id="titre-membres"') :]
    assert "À titre personnel\u202f: 2 engagements signés en plus de ceux de la liste" in members
    assert members.count("à titre personnel ·") == 2
    signed = content[content.index('id="titre-engagements"') : content.index('id="titre-membres"')]
    assert '<span class="commitment__code">1.1</span>' in signed
    assert '<span class="commitment__code">5.1</span>' not in signed
    assert "Candidat·es ayant rejoint la liste</dt><dd>3</dd>" in content  # head + 2
    # The dated history: the signature's public events, the members' arrivals.
    history = content[content.index('id="titre-historique"') :]
    assert "signature validée" in history
    assert "Camille Bernard a rejoint la liste" in history
    # Its certificate's verification page.
    certificate = Certificate.objects.current().get(pledge=the_list.signature)
    assert f'href="/verifier/{certificate.reference}/"' in content
    assert "Vérifier l’attestation de la liste" in content
    assert response["Cache-Control"] == "public, max-age=60"


def test_former_members_are_not_named_but_their_departure_is_dated(client):
    the_list = make_list("Ensemble")
    gone = add_member(the_list, last_name="Partie")
    removed = add_member(the_list, last_name="Écartée")
    sign_personally(gone, "5.1")
    leave(gone)
    remove(removed)
    content = list_page(client, the_list).content.decode()
    assert "Partie" not in content and "Écartée" not in content
    history = content[content.index('id="titre-historique"') :]
    assert history.count("un·e colistier·e a rejoint la liste") == 2
    assert "un·e colistier·e a quitté la liste" in history
    assert "un·e colistier·e a été retiré·e de la liste" in history
    assert "0 colistier·e" in content


@pytest.mark.parametrize(
    "status",
    [Status.PENDING, Status.CHANGES_REQUESTED, Status.REJECTED, Status.UNPUBLISHED],
)
def test_a_list_that_is_not_public_has_no_page(client, status):
    list_page(client, make_list(status=status), status=404)


def test_an_unknown_list_is_a_404(client):
    assert client.get("/listes/999999/").status_code == 404


def test_a_withdrawn_list_keeps_its_page_dated(client):
    the_list = make_list(codes=("1.1",))
    withdraw_pledge(pledge=the_list.signature)
    content = list_page(client, the_list).content.decode()
    assert "Signature de la liste retirée le" in content
    assert "Télécharger l’attestation" not in content


@pytest.mark.parametrize("members", [1, 6])
def test_the_list_page_runs_the_same_queries(
    client, settings, django_assert_num_queries, database_tasks, members
):
    settings.SHARE_IMAGE_ON_PAGE_VIEW = True  # as in production
    the_list = make_list()
    for _ in range(members):
        sign_personally(add_member(the_list), "5.1")
    # campaign, the list (with commune, secteur, head, signature), its signed commitments,
    # memberships, members' personal signatures, their signed commitments, certificate,
    # public events; the share image's job, enqueued as its file is not drawn yet (once
    # drawn, nothing: tests/pledges/directory/test_share_image.py)
    with django_assert_num_queries(9):
        content = list_page(client, the_list).content.decode()
    assert content.count('class="member__name"') == members


# ------------------------------------------------------------------ signatory pages, search


def test_a_heads_page_links_to_the_list_it_signed_for(client):
    the_list = make_list("Ensemble")
    content = client.get(the_list.signature.get_absolute_url()).content.decode()
    assert "signe au nom de la liste" in content
    assert f'<a href="/listes/{the_list.pk}/">Ensemble</a>' in content


def test_a_colistiers_page_links_to_their_list(client):
    the_list = make_list("Ensemble")
    personal = sign_personally(add_member(the_list), "5.1")
    content = client.get(personal.get_absolute_url()).content.decode()
    assert "Colistier·e de la liste" in content
    assert f'<a href="/listes/{the_list.pk}/">Ensemble</a>' in content
    assert "signés à titre personnel, en plus de ceux de la liste" in content


def test_a_colistier_who_left_no_longer_links_to_the_list(client):
    the_list = make_list("Ensemble")
    member = add_member(the_list)
    personal = sign_personally(member, "5.1")
    leave(member)
    content = client.get(personal.get_absolute_url()).content.decode()
    assert f"/listes/{the_list.pk}/" not in content


def test_the_search_finds_lists_by_name_whatever_the_accents_and_punctuation(client):
    the_list = make_list("Saint-Étienne d’Abord", commune="42218")
    make_list("Autre chose")
    hidden = make_list("Saint-Étienne cachée", status=Status.PENDING)
    content = client.get("/recherche/", {"q": "saint etienne dabord"}).content.decode()
    section = content[content.index('id="titre-listes"') : content.index('id="titre-signataires"')]
    assert f'<a href="/listes/{the_list.pk}/">Saint-Étienne d’Abord</a>' in section
    assert "conduite par Camille" in section
    content = client.get("/recherche/", {"q": "SAINT-ÉTIENNE"}).content.decode()
    assert f"/listes/{the_list.pk}/" in content and f"/listes/{hidden.pk}/" not in content
    assert "1 liste," in content
