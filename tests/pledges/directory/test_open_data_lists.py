"""The open data of lists (pledges/directory/open_data_lists.py) and the signatories' list
columns: every file and the API checked against the columns /donnees/ documents."""

import csv
import io
import json

import pytest
from django.utils import timezone

from pledges.directory import open_data_lists
from pledges.models import Signature
from pledges.signing.services import withdraw_pledge
from tests.bulk import make_signatory
from tests.pledges.directory.html import tables
from tests.pledges.directory.lists_data import (
    add_member,
    make_individual,
    make_list,
    sign_personally,
)

pytestmark = pytest.mark.django_db

Status = Signature.Status


def documented(client) -> dict[str, list[str]]:
    """The /donnees/ page's tables of columns, as it documents them: {table id: names}."""
    content = client.get("/donnees/").content.decode()
    return {
        table.attrs["id"]: [row[0].text for row in table.rows()]
        for table in tables(content)
        if table.attrs.get("id", "").startswith("colonnes-")
    }


def get_csv(client, path: str) -> tuple[list[str], list[dict]]:
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming
    text = response.getvalue().decode("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    return reader.fieldnames or next(csv.reader(io.StringIO(text))), list(reader)


def get_json(client, path: str) -> dict:
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.getvalue().decode("utf-8"))


def test_every_file_and_api_has_exactly_the_documented_columns(client):
    the_list = make_list("Saint-Étienne d’abord", codes=("1.1",))
    sign_personally(add_member(the_list), "5.1")
    make_individual(commune="01001", group="Vivre au village")
    docs = documented(client)
    # (listes-officielles.csv's: tests/pledges/directory/test_open_data_roster.py; suivi.csv's:
    # tests/pledges/bilans/test_open_data.py)
    assert set(docs) == {
        "colonnes-signataires",
        "colonnes-listes",
        "colonnes-listes-officielles",
        "colonnes-suivi",
    }
    people, lists = docs["colonnes-signataires"], docs["colonnes-listes"]
    assert "liste_id" in people and "role_liste" in people

    header, rows = get_csv(client, "/donnees/signataires.csv")
    assert header == people and len(rows) == 3
    for record in get_json(client, "/donnees/signataires.json")["signataires"]:
        assert list(record) == people
    for record in client.get("/api/communes/42218/signataires/").json()["signataires"]:
        assert list(record) == people

    header, rows = get_csv(client, "/donnees/listes.csv")
    assert header == lists and len(rows) == 1
    data = get_json(client, "/donnees/listes.json")
    assert list(data) == ["campagne", "licence", "documentation", "genere_le", "nombre", "listes"]
    assert data["nombre"] == 1
    assert [list(record) for record in data["listes"]] == [lists]
    api = client.get("/api/communes/42218/listes/").json()
    assert [list(record) for record in api["listes"]] == [lists]
    assert lists == open_data_lists.LIST_COLUMN_NAMES


def test_a_list_record_says_what_the_list_signed_and_who_joined(client):
    the_list = make_list(
        "Marseille en grand",
        commune="13055",
        secteur=1,
        head_name="Durand",
        political_label="Divers",
        codes=("1.1", "1.2", "3.2"),
    )
    for _ in range(2):
        add_member(the_list)
    add_member(the_list, confirm=None)
    add_member(the_list, confirm=False)
    _header, (row,) = get_csv(client, "/donnees/listes.csv")
    signature = Signature.objects.get(electoral_list=the_list)
    assert row == {
        "id": str(the_list.pk),
        "nom": "Marseille en grand",
        "commune_code_insee": "13055",
        "commune_nom": "Marseille",
        "secteur_numero": "1",
        "secteur_nom": the_list.secteur.name,
        "tete_de_liste": "Camille Durand",
        "etiquette": "Divers",
        "engagements_signes": "1.1 1.2 3.2",
        "engagements_retires": "",
        "membres": "3",  # two confirmed colistiers and the head
        "date_validation": timezone.localdate(signature.approved_at).isoformat(),
        "date_retrait_signature": "",
        "resultat": "",  # nothing said before the elected are imported
        "tete_de_liste_elue": "",
        "tete_de_liste_maire": "",
        "url": f"http://127.0.0.1:8000/listes/{the_list.pk}/",
    }
    (record,) = get_json(client, "/donnees/listes.json")["listes"]
    assert record["engagements_signes"] == ["1.1", "1.2", "3.2"]
    assert record["secteur_numero"] == 1 and record["membres"] == 3
    assert record == client.get("/api/communes/13055/listes/").json()["listes"][0]


def test_a_list_elsewhere_has_no_secteur_and_a_withdrawn_one_is_dated(client):
    the_list = make_list(codes=("1.1", "2.1"))
    withdraw_pledge(pledge=the_list.signature)
    (record,) = get_json(client, "/donnees/listes.json")["listes"]
    assert (record["secteur_numero"], record["secteur_nom"]) == (None, "")
    assert record["engagements_signes"] == []
    assert record["engagements_retires"] == ["1.1", "2.1"]
    the_list.signature.refresh_from_db()
    assert record["date_retrait_signature"] == (
        timezone.localdate(the_list.signature.withdrawn_at).isoformat()
    )
    _header, (row,) = get_csv(client, "/donnees/listes.csv")
    assert (row["secteur_numero"], row["secteur_nom"]) == ("", "")


@pytest.mark.parametrize("status", [Status.PENDING, Status.REJECTED, Status.UNPUBLISHED])
def test_a_list_that_is_not_public_is_in_no_file(client, status):
    make_list("Liste cachée", status=status)
    assert get_csv(client, "/donnees/listes.csv")[1] == []
    assert get_json(client, "/donnees/listes.json")["nombre"] == 0
    assert client.get("/api/communes/42218/listes/").json()["listes"] == []


def test_the_signatories_file_gives_each_signature_its_list_and_role_in_it(client):
    the_list = make_list("Ensemble", codes=("1.1",))
    member = add_member(the_list)
    personal = sign_personally(member, "5.1")
    waiting = sign_personally(add_member(the_list, confirm=None), "6.1")
    hidden = make_list("Pas encore", status=Status.PENDING)
    unlisted = sign_personally(add_member(hidden), "7.1")
    individual = make_individual(commune="01001")
    head = make_signatory()  # tests/bulk.py: a head signing for a list of their own
    by_id = {int(row["id"]): row for row in get_csv(client, "/donnees/signataires.csv")[1]}
    roles = {pk: (row["liste_id"], row["role_liste"]) for pk, row in by_id.items()}
    assert roles == {
        the_list.signature.pk: (str(the_list.pk), "tete"),
        personal.pk: (str(the_list.pk), "colistier"),
        waiting.pk: ("", "colistier"),  # not confirmed: no list named
        unlisted.pk: ("", "colistier"),  # its list is not public
        individual.pk: ("", "individuel"),
        head.pk: (str(head.electoral_list_id), "tete"),
    }


def test_the_open_data_page_documents_the_lists_files(client):
    make_list()
    content = client.get("/donnees/").content.decode()
    for path in ("/donnees/listes.csv", "/donnees/listes.json", "/api/communes/42218/listes/"):
        assert f'href="{path}"' in content
    assert "une ligne par liste signataire (1 aujourd’hui)" in content


def test_an_unknown_commune_is_a_json_404_for_lists_too(client):
    response = client.get("/api/communes/99999/listes/")
    assert response.status_code == 404
    assert response.json() == {"error": "Commune inconnue."}


@pytest.mark.parametrize("count", [1, 12])
def test_the_lists_files_run_the_same_queries(client, django_assert_num_queries, count):
    for n in range(count):
        add_member(make_list(f"Liste {n}", codes=("1.1", "2.1")))
    with django_assert_num_queries(4):  # campaign, a chunk's ids, its lists, their signatures
        assert len(get_csv(client, "/donnees/listes.csv")[1]) == count
    with django_assert_num_queries(5):  # the same and the count
        assert get_json(client, "/donnees/listes.json")["nombre"] == count
    with django_assert_num_queries(4):  # campaign, commune, lists, their signatures
        assert len(client.get("/api/communes/42218/listes/").json()["listes"]) == count


def test_the_lists_files_are_streamed_a_chunk_at_a_time(client, monkeypatch):
    monkeypatch.setattr(open_data_lists, "EXPORT_CHUNK", 2)
    lists = [make_list(f"Liste {n}") for n in range(5)]
    response = client.get("/donnees/listes.csv")
    pieces = list(response.streaming_content)
    assert len(pieces) == 4  # the header, then a piece per chunk (2, 2, 1)
    rows = list(csv.DictReader(io.StringIO(b"".join(pieces).decode())))
    assert [int(row["id"]) for row in rows] == sorted(the_list.pk for the_list in lists)
