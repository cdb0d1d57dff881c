"""The open data: /donnees/, the CSV and JSON files, the per-commune API (pledges/open_data.py)."""

import csv
import io
import json

import pytest
from django.utils import timezone

from pledges.directory import open_data
from pledges.directory.open_data import COLUMN_NAMES
from pledges.models import Signature
from tests.bulk import make_signatories, make_signatory

pytestmark = pytest.mark.django_db

COLUMNS = [
    "id", "prenom", "nom", "liste", "role", "liste_id", "role_liste", "etiquette",
    "commune_code_insee", "commune_nom", "departement_code", "region_code", "date_validation",
    "engagements_signes", "engagements_retires", "date_retrait_signature",
    "resultat_liste", "elu", "maire", "url",
]  # fmt: skip


def read_csv(client) -> list[dict]:
    response = client.get("/donnees/signataires.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="signataires.csv"'
    assert response.streaming
    text = response.getvalue().decode("utf-8")
    assert text.splitlines()[0] == ",".join(COLUMNS)
    return list(csv.DictReader(io.StringIO(text)))


def read_json(client) -> dict:
    response = client.get("/donnees/signataires.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.streaming
    return json.loads(response.getvalue().decode("utf-8"))


def test_the_columns_are_the_documented_ones():
    assert COLUMN_NAMES == COLUMNS


def test_the_csv_has_one_record_per_public_signatory(client):
    pledge = make_signatory(
        first_name="Dominique",
        last_name="Lefèvre",
        list_name="Saint-Étienne, ensemble",
        political_label="Sans étiquette",
        codes=("1.1", "1.2", "3.2"),
        withdrawn_codes=("2.1",),
    )
    (row,) = read_csv(client)
    assert row == {
        "id": str(pledge.pk),
        "prenom": "Dominique",
        "nom": "Lefèvre",
        "liste": "Saint-Étienne, ensemble",
        "role": "Tête de liste",
        "liste_id": str(pledge.electoral_list_id),  # a head signs for their list
        "role_liste": "tete",
        "etiquette": "Sans étiquette",
        "commune_code_insee": "42218",
        "commune_nom": "Saint-Étienne",
        "departement_code": "42",
        "region_code": "84",
        "date_validation": timezone.localdate(pledge.approved_at).isoformat(),
        "engagements_signes": "1.1 1.2 3.2",
        "engagements_retires": "2.1",
        "date_retrait_signature": "",
        "resultat_liste": "",  # nothing said before the elected are imported
        "elu": "",
        "maire": "",
        "url": f"http://127.0.0.1:8000/signataires/{pledge.pk}/",
    }


def test_a_withdrawn_signature_is_dated_and_all_its_commitments_withdrawn(client):
    pledge = make_signatory(status=Signature.Status.WITHDRAWN, was_approved=True)
    (row,) = read_csv(client)
    assert row["engagements_signes"] == ""
    assert row["engagements_retires"] == "1.1 2.1"
    assert row["date_retrait_signature"] == timezone.localdate(pledge.withdrawn_at).isoformat()


def test_a_cell_a_spreadsheet_would_run_is_defused(client):
    make_signatory(list_name='=HYPERLINK("http://exemple.test")')
    (row,) = read_csv(client)
    assert row["liste"] == '\'=HYPERLINK("http://exemple.test")'
    (record,) = read_json(client)["signataires"]
    assert record["liste"] == '=HYPERLINK("http://exemple.test")'


def test_the_json_file_has_the_same_records_with_lists_and_its_licence(client):
    pledge = make_signatory(codes=("1.1", "3.2"), withdrawn_codes=("2.1",))
    make_signatory(commune="69123", status=Signature.Status.PENDING)
    data = read_json(client)
    assert list(data) == [
        "campagne",
        "licence",
        "documentation",
        "genere_le",
        "nombre",
        "signataires",
    ]
    assert data["licence"] == {
        "nom": "Licence Ouverte / Open Licence 2.0 (Etalab)",
        "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    }
    assert data["documentation"] == "http://127.0.0.1:8000/donnees/"
    assert data["nombre"] == 1
    (record,) = data["signataires"]
    assert list(record) == COLUMNS
    assert record["id"] == pledge.pk
    assert record["engagements_signes"] == ["1.1", "3.2"]
    assert record["engagements_retires"] == ["2.1"]
    assert record["date_retrait_signature"] is None
    assert [row["id"] for row in read_csv(client)] == [str(pledge.pk)]


def test_the_commune_api_gives_the_same_records_for_one_commune(client):
    here = make_signatories(2)
    make_signatory(commune="69123")
    data = client.get("/api/communes/42218/signataires/").json()
    assert data["commune"] == {
        "insee_code": "42218",
        "name": "Saint-Étienne",
        "departement_code": "42",
        "region_code": "84",
        "url": "http://127.0.0.1:8000/communes/42218/",
    }
    assert sorted(record["id"] for record in data["signataires"]) == [p.pk for p in here]
    everything = {r["id"]: r for r in read_json(client)["signataires"]}
    for record in data["signataires"]:
        assert record == everything[record["id"]]


def test_the_commune_api_of_a_commune_without_signatories_is_an_empty_list(client):
    assert client.get("/api/communes/2A004/signataires/").json()["signataires"] == []
    assert client.get("/api/communes/2a004/signataires/").json()["commune"]["name"] == "Ajaccio"


def test_an_unknown_commune_is_a_json_404(client):
    response = client.get("/api/communes/99999/signataires/")
    assert response.status_code == 404
    assert response.json() == {"error": "Commune inconnue."}


def test_the_open_data_page_explains_files_columns_and_licence(client):
    make_signatories(3)
    content = client.get("/donnees/").content.decode()
    assert "<h1>Données ouvertes</h1>" in content
    assert 'href="/donnees/signataires.csv"' in content
    assert 'href="/donnees/signataires.json"' in content
    assert 'href="/api/communes/42218/signataires/"' in content
    assert "aujourd’hui 3 signataires" in content
    for column in COLUMNS:
        assert f"<code>{column}</code>" in content
    assert "Licence Ouverte / Open Licence 2.0 (Etalab)" in content
    assert "Aucune adresse électronique, aucun numéro de téléphone" in content


@pytest.mark.parametrize("count", [1, 50])
def test_the_exports_run_the_same_queries_at_1_and_50_signatories(
    client, django_assert_num_queries, count
):
    make_signatories(count, codes=("1.1", "2.1"), withdrawn_codes=("3.1",))
    with django_assert_num_queries(4):  # campaign, a chunk's ids, its pledges, signatures
        assert len(read_csv(client)) == count
    with django_assert_num_queries(5):  # the same and the count
        assert read_json(client)["nombre"] == count
    with django_assert_num_queries(4):  # campaign, commune, pledges, signatures
        client.get("/api/communes/42218/signataires/")


def test_the_files_are_streamed_a_chunk_of_signatories_at_a_time(
    client, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(open_data, "EXPORT_CHUNK", 2)
    pledges = make_signatories(5, codes=("1.1",))
    make_signatory(status=Signature.Status.PENDING)
    response = client.get("/donnees/signataires.csv")
    with django_assert_num_queries(9):  # three chunks (2, 2, 1) of three queries
        pieces = list(response.streaming_content)
    assert len(pieces) == 4  # the header, then a piece a chunk
    rows = list(csv.DictReader(io.StringIO(b"".join(pieces).decode())))
    assert [row["id"] for row in rows] == [str(p.pk) for p in sorted(pledges, key=lambda p: p.pk)]

    data = read_json(client)
    assert data["nombre"] == 5
    assert [r["id"] for r in data["signataires"]] == [int(row["id"]) for row in rows]


def test_an_empty_directory_gives_valid_files(client):
    assert read_csv(client) == []
    data = read_json(client)
    assert (data["nombre"], data["signataires"]) == (0, [])


def test_a_head_request_reads_no_signatory(client, django_assert_num_queries):
    make_signatories(3)
    with django_assert_num_queries(1):  # the campaign
        response = client.head("/donnees/signataires.csv")
        assert response.getvalue() == b""
    assert response["Content-Type"] == "text/csv; charset=utf-8"
