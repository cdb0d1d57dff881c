"""Each bilan as an A4 PDF (pledges/bilans/pdf.py), read back with pdftotext and pdfinfo."""

import re
import subprocess

import pytest

from tests.pledges.bilans.data import make_bilan_data
from tests.pledges.bilans.pages import flat

pytestmark = pytest.mark.django_db


def pdf_of(response) -> bytes:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert "public" in response["Cache-Control"]
    return response.content


def text_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "bilan.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return flat(text.replace("'", "’"))


def unbroken(text: str) -> str:
    """Without hyphens and spaces: pdftotext joins a word broken at a hyphen."""
    return re.sub(r"[-\s]", "", text)


def a4_pages(pdf: bytes, tmp_path) -> int:
    path = tmp_path / "info.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info.stdout).groups()
    assert (round(float(size[0])), round(float(size[1]))) == (595, 842)
    return int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))


def test_the_commitment_pdf_states_its_figures(client, tmp_path):
    make_bilan_data()
    pdf = pdf_of(client.get("/bilans/engagements/3.1/bilan.pdf"))
    text = text_of(pdf, tmp_path)
    assert "Engagement 3.1 : le bilan des élu·es" in text
    assert (
        "engagé par 3 listes élues et 1 candidat·e élu·e, réalisé par 1, en cours pour 1, "
        "abandonné par 1"
    ) in text
    assert "Corse (94)" in text
    assert a4_pages(pdf, tmp_path) == 1


def test_the_commune_pdf_lists_each_elected_signatory(client, tmp_path):
    data = make_bilan_data()
    pdf = pdf_of(client.get(f"/bilans/communes/{data.town.insee_code}/bilan.pdf"))
    text = text_of(pdf, tmp_path)
    assert unbroken("Bilan des élu·es de Bourg-sur-Essai") in unbroken(text)
    assert "« Majorité pour Bourg »" in text
    assert "liste élue (majorité)" in text
    assert "« Opposition constructive »" in text
    assert "Battue de peu" not in text
    assert "pas encore commencé" in text
    assert f"/bilans/communes/{data.town.insee_code}/" in text  # the page's address
    assert a4_pages(pdf, tmp_path) >= 1


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/bilans/bilan.pdf", "Bilan national des engagements des élu·es"),
        ("/bilans/regions/94/bilan.pdf", "Bilan des élu·es de Corse"),
        ("/bilans/departements/2A/bilan.pdf", "Bilan des élu·es de la Corse-du-Sud"),
    ],
)
def test_the_area_pdfs(client, tmp_path, path, title):
    make_bilan_data()
    pdf = pdf_of(client.get(path))
    text = text_of(pdf, tmp_path)
    assert unbroken(title) in unbroken(text)
    assert "3.1 — développer un réseau de transport en commun gratuit et…" in text
    assert a4_pages(pdf, tmp_path) >= 1


def test_before_the_results_the_pdf_says_so(client, tmp_path):
    text = text_of(pdf_of(client.get("/bilans/bilan.pdf")), tmp_path)
    assert "Les résultats des élections ne sont pas encore importés" in text
