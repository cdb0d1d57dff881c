"""The open data of the official roster: /donnees/listes-officielles.csv, every official list
with its answer (pledges/directory/open_data_roster.py), documented on /donnees/."""

import csv
import io
from datetime import date

import pytest
from django.utils import timezone

from candidates.models import OfficialList
from communes.models import Commune
from pledges.directory import open_data_roster
from pledges.models import Campaign, ElectoralList, ListDecline, ListInvitation
from tests.factories import make_official_list
from tests.pledges.directory.html import tables
from tests.pledges.directory.lists_data import make_list

pytestmark = pytest.mark.django_db

PATH = "/donnees/listes-officielles.csv"


def commune(code: str = "42218") -> Commune:
    return Commune.objects.get(insee_code=code)


def tie(site_list: ElectoralList, official_list: OfficialList) -> ElectoralList:
    site_list.official_list = official_list
    site_list.save(update_fields=["official_list"])
    return site_list


def get_csv(client) -> tuple[list[str], list[dict]]:
    response = client.get(PATH)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="listes-officielles.csv"'
    assert response.streaming
    text = response.getvalue().decode("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames or []), list(reader)


def test_every_official_list_is_a_line_with_its_answer(client):
    saint_etienne = commune()
    signed = make_official_list(
        saint_etienne,
        panel_number=1,
        name="Saint-Étienne d’abord",
        short_name="SE D’ABORD",
        nuance="LDVC",
        head=("Camille", "MARTIN"),
        colistiers=(("Alex", "DURAND"), ("Sam", "PETIT")),
    )
    invited = make_official_list(saint_etienne, panel_number=2, name="Ensemble")
    declined = make_official_list(saint_etienne, panel_number=3, name="Écologie")
    silent = make_official_list(commune("42187"), panel_number=1, name="Roanne demain")
    site_list = tie(make_list(codes=("1.1", "2.1", "3.2")), signed)
    campaign = Campaign.objects.current()
    ListInvitation.objects.create(
        campaign=campaign,
        official_list=invited,
        at=date(2020, 2, 3),
        channel=ListInvitation.Channel.EMAIL,
        email="tete@liste.test",
        note="Rappeler jeudi",
        recorded_at=timezone.now(),
    )
    ListDecline.objects.create(
        campaign=campaign,
        official_list=declined,
        reason="Nous ne signons aucune charte.",
        publish_reason=True,
        at=date(2020, 2, 20),
        recorded_at=timezone.now(),
    )

    header, rows = get_csv(client)
    assert header == open_data_roster.ROSTER_COLUMN_NAMES
    by_name = {row["libelle_etendu"]: row for row in rows}
    assert set(by_name) == {"Saint-Étienne d’abord", "Ensemble", "Écologie", "Roanne demain"}
    approved = timezone.localdate(site_list.signature.approved_at).isoformat()
    assert by_name["Saint-Étienne d’abord"] == {
        "tour": "1",
        "departement_code": "42",
        "departement_nom": "Loire",
        "commune_code_insee": "42218",
        "commune_nom": "Saint-Étienne",
        "secteur_numero": "",
        "secteur_nom": "",
        "numero_panneau": "1",
        "libelle_abrege": "SE D’ABORD",
        "libelle_etendu": "Saint-Étienne d’abord",
        "nuance": "LDVC",
        "tete_de_liste": "Camille MARTIN",
        "nombre_candidats": "3",
        "reponse": "a_signe",
        "date_reponse": approved,
        "date_retrait_signature": "",
        "engagements": "3",
        "raison_refus": "",
        "resultat": "",  # nothing said before the elected are imported
        "elus": "",
        "maire": "",
        "url_signature": f"http://127.0.0.1:8000/listes/{site_list.pk}/",
    }
    assert (by_name["Ensemble"]["reponse"], by_name["Ensemble"]["date_reponse"]) == (
        "invitee",
        "2020-02-03",
    )
    assert by_name["Écologie"]["reponse"] == "a_decline"
    assert by_name["Écologie"]["raison_refus"] == "Nous ne signons aucune charte."
    assert by_name["Écologie"]["date_reponse"] == "2020-02-20"
    assert by_name["Roanne demain"]["reponse"] == "sans_reponse"
    assert by_name["Roanne demain"]["date_reponse"] == ""
    assert by_name["Roanne demain"]["url_signature"] == ""
    assert silent.pk  # in pk order:
    assert [row["libelle_etendu"] for row in rows] == [
        "Saint-Étienne d’abord",
        "Ensemble",
        "Écologie",
        "Roanne demain",
    ]
    text = client.get(PATH).getvalue().decode()
    assert "tete@liste.test" not in text
    assert "Rappeler" not in text


def test_a_reason_not_to_be_published_stays_out_of_the_file(client):
    official = make_official_list(commune(), panel_number=1)
    ListDecline.objects.create(
        campaign=Campaign.objects.current(),
        official_list=official,
        reason="Raison gardée pour l’équipe.",
        publish_reason=False,
        at=date(2020, 2, 20),
        recorded_at=timezone.now(),
    )
    _header, (row,) = get_csv(client)
    assert row["reponse"] == "a_decline"
    assert row["raison_refus"] == ""


def test_both_rounds_secteurs_and_only_standing_lists(client):
    marseille = commune("13055")
    first = marseille.secteurs.order_by("number").first()
    round1 = make_official_list(marseille, secteur=first, panel_number=1, name="Marseille 1")
    round2 = make_official_list(
        marseille, secteur=first, panel_number=4, name="Marseille 2", tour=2
    )
    round2.continues = round1
    round2.save()
    gone = make_official_list(marseille, secteur=first, panel_number=2, name="Retirée")
    gone.gone_at = timezone.now()
    gone.save()
    tie(make_list(commune="13055", secteur=first.number), round1)

    _header, rows = get_csv(client)
    assert [(row["tour"], row["libelle_etendu"], row["reponse"]) for row in rows] == [
        ("1", "Marseille 1", "a_signe"),
        ("2", "Marseille 2", "a_signe"),  # it continues the round-1 list
    ]
    assert {(row["secteur_numero"], row["secteur_nom"]) for row in rows} == {
        (str(first.number), first.name)
    }
    assert rows[0]["departement_code"] == "13"


def test_a_name_a_spreadsheet_would_run_is_defused(client):
    make_official_list(commune(), panel_number=1, name="=HYPERLINK(1)")
    _header, (row,) = get_csv(client)
    assert row["libelle_etendu"] == "'=HYPERLINK(1)"


def test_before_any_import_the_file_has_its_header_only(client):
    header, rows = get_csv(client)
    assert header == open_data_roster.ROSTER_COLUMN_NAMES
    assert rows == []


def test_the_file_is_public_and_a_head_request_reads_nothing(client, django_assert_num_queries):
    make_official_list(commune(), panel_number=1)
    response = client.get(PATH)
    assert "public" in response["Cache-Control"]
    assert not response.cookies
    with django_assert_num_queries(1):  # the campaign
        response = client.head(PATH)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b""


@pytest.mark.parametrize("count", [1, 12])
def test_the_file_runs_the_same_queries(client, django_assert_num_queries, count):
    lists = [make_official_list(commune(), panel_number=n) for n in range(1, count + 1)]
    tie(make_list(), lists[0])
    # campaign; a chunk's ids, its lists, the round-2 lists continuing them, the site lists,
    # the declines, the invitations
    with django_assert_num_queries(7):
        assert len(get_csv(client)[1]) == count


def test_the_file_is_streamed_a_chunk_at_a_time(client, monkeypatch):
    monkeypatch.setattr(open_data_roster, "EXPORT_CHUNK", 2)
    lists = [make_official_list(commune(), panel_number=n) for n in range(1, 6)]
    pieces = list(client.get(PATH).streaming_content)
    assert len(pieces) == 4  # the header, then a piece per chunk (2, 2, 1)
    rows = list(csv.DictReader(io.StringIO(b"".join(pieces).decode())))
    assert [row["numero_panneau"] for row in rows] == [str(ol.panel_number) for ol in lists]


def test_the_open_data_page_documents_the_file_and_names_its_source(client):
    content = client.get("/donnees/").content.decode()
    assert f'href="{PATH}"' in content
    assert "ministère de l’Intérieur" in content
    assert "Licence Ouverte" in content
    (documented,) = [
        t for t in tables(content) if t.attrs.get("id") == "colonnes-listes-officielles"
    ]
    assert [row[0].text for row in documented.rows()] == open_data_roster.ROSTER_COLUMN_NAMES
