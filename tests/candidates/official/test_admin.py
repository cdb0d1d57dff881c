"""The roster's admin: imports with their report, candidates, read only."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from candidates.official.models import OfficialCandidate, RosterImport
from tests.candidates.official.files import list_file_bytes, list_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(tmp_path):
    rows = [
        list_row("004", "01", 1, 1, "DUPRÉ", "Hélène", name="Ambérieu écologique"),
        list_row("999", "01", 1, 1, "NULLEPART", "Personne"),
    ]
    path = tmp_path / "listes.txt"
    path.write_bytes(list_file_bytes(rows))
    call_command("import_candidatures", str(path), "--tour", "1", verbosity=0)
    return RosterImport.objects.get()


def test_import_page_shows_the_report(superuser_client, imported):
    changelist = superuser_client.get(reverse("admin:candidates_rosterimport_changelist"))
    assert changelist.status_code == 200
    assert "listes.txt" in changelist.text
    page = superuser_client.get(reverse("admin:candidates_rosterimport_change", args=[imported.pk]))
    assert page.status_code == 200
    assert "ligne 5 : commune inconnue 01999" in page.text
    assert 'name="_save"' not in page.text  # read only
    assert superuser_client.get(reverse("admin:candidates_rosterimport_add")).status_code == 403


def test_candidates_browse_and_search(superuser_client, imported):
    url = reverse("admin:candidates_officialcandidate_changelist")
    page = superuser_client.get(url, {"q": "dupré"})
    assert page.status_code == 200
    assert "DUPRÉ" in page.text
    assert "Ambérieu écologique" in page.text
    assert "DUPRÉ" not in superuser_client.get(url, {"dans_le_dernier_fichier": "non"}).text
    candidate = OfficialCandidate.objects.get()
    detail = superuser_client.get(
        reverse("admin:candidates_officialcandidate_change", args=[candidate.pk])
    )
    assert detail.status_code == 200 and "L|01004|1|1" in detail.text
    assert 'name="_save"' not in detail.text
