"""/donnees/suivi.csv (pledges/bilans/open_data.py): one line per elected signature and
commitment kept, parsed back, and documented on /donnees/."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pledges.bilans.open_data import FOLLOW_UP_COLUMN_NAMES, follow_up_chunks
from pledges.directory.open_data import LICENCE_NAME
from tests.factories import current_campaign
from tests.pledges.bilans.data import make_bilan_data
from tests.pledges.bilans.pages import text_of
from tests.pledges.directory.test_open_data_lists import documented
from tests.pledges.outcomes.factories import make_elected_list

pytestmark = pytest.mark.django_db


def rows_of(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="suivi.csv"' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames == FOLLOW_UP_COLUMN_NAMES
    return list(reader)


def test_one_row_per_elected_signature_and_kept_commitment(client):
    data = make_bilan_data()
    rows = rows_of(client.get("/donnees/suivi.csv"))
    lines = sorted((row["nom"], row["engagement"], row["statut"]) for row in rows)
    assert lines == [
        ("Dominique Durand", "3.1", "abandonne"),
        ("Dominique Durand", "8.2", "pas_commence"),
        ("Loire élue", "3.1", "pas_commence"),
        ("Majorité pour Bourg", "1.1", "en_cours"),
        ("Majorité pour Bourg", "2.1", "pas_commence"),
        ("Majorité pour Bourg", "3.1", "realise"),
        ("Opposition constructive", "3.1", "en_cours"),
    ]
    (done,) = [r for r in rows if r["nom"] == "Majorité pour Bourg" and r["engagement"] == "3.1"]
    assert done["signature_id"] == str(data.majority.pk)
    assert done["liste_id"] == str(data.majority.electoral_list_id)
    assert done["type"] == "liste"
    assert done["resultat"] == "majorite"
    assert done["commune_code_insee"] == data.town.insee_code
    assert done["departement_code"] == "2A"
    assert done["region_code"] == "94"
    assert done["nombre_mises_a_jour"] == "2"
    assert len(done["date_derniere_mise_a_jour"]) == 10
    assert done["url_suivi"].endswith(f"/suivi/signatures/{data.majority.pk}/")
    (pending,) = [r for r in rows if r["engagement"] == "2.1"]
    assert pending["nombre_mises_a_jour"] == "0"  # a pending update is not counted
    assert pending["date_derniere_mise_a_jour"] == ""
    (opposition,) = [r for r in rows if r["nom"] == "Opposition constructive"]
    assert opposition["resultat"] == "opposition"
    assert opposition["nombre_mises_a_jour"] == "1"  # the refused one is not counted
    (person, _other) = [r for r in rows if r["type"] == "candidat"]
    assert person["resultat"] == "elu"
    assert person["liste_id"] == ""


def test_before_any_result_the_file_has_only_its_header(client):
    assert rows_of(client.get("/donnees/suivi.csv")) == []


def test_a_formula_in_a_list_name_is_defused(client):
    make_elected_list(codes=("3.1",), list_name="=HYPERLINK(1)")
    (row,) = rows_of(client.get("/donnees/suivi.csv"))
    assert row["nom"] == "'=HYPERLINK(1)"


def test_the_file_is_read_a_chunk_at_a_time_in_a_fixed_number_of_queries():
    make_bilan_data()
    with CaptureQueriesContext(connection) as captured:
        chunks = list(follow_up_chunks(current_campaign(), size=3))
    assert [len(chunk) for chunk in chunks] == [3, 3, 1]
    assert len(captured) == 1 + 2 * 3  # the campaign; per chunk its ids, then its rows


def test_the_open_data_page_documents_the_file(client):
    text = text_of(client.get("/donnees/"))
    assert "suivi.csv" in text
    assert "Les colonnes de suivi.csv, dans l’ordre" in text
    for name in FOLLOW_UP_COLUMN_NAMES:
        assert name in text
    assert LICENCE_NAME in text
    assert documented(client)["colonnes-suivi"] == FOLLOW_UP_COLUMN_NAMES
    html = client.get("/donnees/").content.decode()
    assert 'href="/donnees/suivi.csv"' in html
    assert 'href="/bilans/"' in html
