"""The poster of a list or signatory (pledges/directory/poster.py): one A4 page with the
name, the commitments signed in their exact wording and a QR code to the public page, read
back from the real PDF with pdftotext and pdfinfo."""

import re
import subprocess

import pytest

from candidates.models import Candidate
from pledges.directory.poster import list_poster_html, signatory_poster_html
from pledges.directory.share_image import public_list, public_signatory
from pledges.models import Commitment, Signature
from pledges.signing.services import withdraw_pledge
from tests.factories import current_campaign, make_candidate, make_pledge
from tests.pledges.directory.lists_data import make_individual, make_list

pytestmark = pytest.mark.django_db

LONG_NAME = ("Œuvrer ensemble à L’Haÿ-les-Roses, " * 10)[:200]
Status = Signature.Status


def every_code() -> tuple[str, ...]:
    return tuple(
        commitment.code
        for commitment in Commitment.objects.select_related("proposal").order_by(
            "proposal__number", "position"
        )
    )


def pdf_of(response) -> bytes:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    return response.content


def text_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "affiche.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return flat(text)


def flat(text: str) -> str:
    """Lines joined, spaces (no-break ones too) made one, as a reader reads the page."""
    return re.sub(r"[\s\u202f\u00a0]+", " ", text.replace("'", "’")).strip()


def info_of(pdf: bytes, tmp_path) -> dict[str, str]:
    path = tmp_path / "info.pdf"
    path.write_bytes(pdf)
    output = subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return {
        key.strip(): value.strip()
        for key, value in (line.split(":", 1) for line in output.splitlines() if ":" in line)
    }


def one_a4_page(pdf: bytes, tmp_path) -> None:
    info = info_of(pdf, tmp_path)
    assert info["Pages"] == "1"
    width, height = re.match(r"([\d.]+) x ([\d.]+) pts", info["Page size"]).groups()
    assert (round(float(width)), round(float(height))) == (595, 842)


# ------------------------------------------------------------------ a list's poster


def test_a_lists_poster_has_its_name_and_each_signed_commitment_in_full(client, tmp_path):
    the_list = make_list("Saint-Étienne d’abord", codes=("1.1", "3.2", "10.1"))
    text = text_of(pdf_of(client.get(f"/listes/{the_list.pk}/affiche.pdf")), tmp_path)

    assert "Saint-Étienne d’abord" in text
    assert f"Liste conduite par {the_list.head.full_name}" in text
    assert "a signé 3 engagements de la charte de Coorace" in text
    signed = Commitment.objects.select_related("proposal").filter(
        pk__in=the_list.signature.signed_commitments.values("commitment")
    )
    for commitment in signed:
        assert flat(commitment.text) in text, commitment.code
    unsigned = Commitment.objects.exclude(pk__in=[c.pk for c in signed])
    for commitment in unsigned:
        assert flat(commitment.text) not in text
    assert f"http://127.0.0.1:8000/listes/{the_list.pk}/" in text


def test_every_commitment_and_a_long_name_still_make_one_a4_page(
    client, tmp_path, tmp_path_factory
):
    the_list = make_list(LONG_NAME, commune="94038", codes=every_code())
    pdf = pdf_of(client.get(f"/listes/{the_list.pk}/affiche.pdf"))
    one_a4_page(pdf, tmp_path)
    text = text_of(pdf, tmp_path)
    assert flat(LONG_NAME) in text
    assert "a signé 20 engagements" in text
    for commitment in Commitment.objects.all():
        assert flat(commitment.text) in text, commitment.code

    # A picture of the page, kept under the test output folder (pytest's basetemp).
    folder = tmp_path_factory.getbasetemp() / "screenshots"
    folder.mkdir(exist_ok=True)
    (tmp_path / "affiche.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
         str(tmp_path / "affiche.pdf"), str(folder / "affiche-liste")],
        check=True,
    )  # fmt: skip
    assert (folder / "affiche-liste.png").stat().st_size > 10_000


def test_the_poster_html_carries_a_qr_code_to_the_public_page():
    the_list = make_list(codes=("1.1",))
    electoral_list, row = public_list(current_campaign(), the_list.pk)
    html = list_poster_html(electoral_list, row)
    assert "<svg" in html and "<path" in html  # segno's inline QR code
    assert f"http://127.0.0.1:8000/listes/{the_list.pk}/" in html
    assert "Imprimer" not in html


# ------------------------------------------------------------------ a signatory's poster


def test_a_signatorys_poster_names_the_person_and_their_commitments(client, tmp_path):
    pledge = make_individual(commune="01001", last_name="Dupré", codes=("2.1", "7.2"))
    pdf = pdf_of(client.get(f"/signataires/{pledge.pk}/affiche.pdf"))
    one_a4_page(pdf, tmp_path)
    text = text_of(pdf, tmp_path)
    assert "Camille Dupré" in text
    assert "L’Abergement-Clémenciat (01)" in text
    assert "a signé 2 engagements" in text
    for signed in pledge.signed_commitments.select_related("commitment"):
        assert flat(signed.commitment.text) in text
    row, electoral_list = public_signatory(pledge.pk)
    html = signatory_poster_html(row, electoral_list)
    assert "<svg" in html and f"http://127.0.0.1:8000/signataires/{pledge.pk}/" in html


def test_a_withdrawn_commitment_is_not_on_the_poster(client, tmp_path):
    from pledges.signing.services import withdraw_commitment

    pledge = make_individual(commune="01001", codes=("2.1", "7.2"))
    (gone,) = Commitment.objects.filter(proposal__number=7, position=2)
    withdraw_commitment(pledge=pledge, commitment=gone)
    text = text_of(pdf_of(client.get(f"/signataires/{pledge.pk}/affiche.pdf")), tmp_path)
    assert "a signé 1 engagement de la charte" in text
    assert flat(gone.text) not in text


@pytest.mark.parametrize(
    "status", [Status.PENDING, Status.CHANGES_REQUESTED, Status.REJECTED, Status.UNPUBLISHED]
)
def test_no_poster_unless_the_signature_is_public(client, status):
    the_list = make_list(status=status)
    assert client.get(f"/listes/{the_list.pk}/affiche.pdf").status_code == 404
    assert client.get(f"/signataires/{the_list.signature.pk}/affiche.pdf").status_code == 404


def test_no_poster_once_withdrawn_nor_for_an_unknown_id(client):
    the_list = make_list()
    withdraw_pledge(pledge=the_list.signature)
    assert client.get(f"/listes/{the_list.pk}/affiche.pdf").status_code == 404
    assert client.get(f"/signataires/{the_list.signature.pk}/affiche.pdf").status_code == 404
    assert client.get("/listes/999999/affiche.pdf").status_code == 404
    assert client.get("/signataires/999999/affiche.pdf").status_code == 404


# ------------------------------------------------------------------ the links


def test_the_pages_and_mon_espace_link_the_poster(client):
    the_list = make_list()
    head_pledge = the_list.signature
    list_page = client.get(f"/listes/{the_list.pk}/").content.decode()
    assert f'href="/listes/{the_list.pk}/affiche.pdf"' in list_page
    signatory = make_individual(commune="01001")
    page = client.get(f"/signataires/{signatory.pk}/").content.decode()
    assert f'href="/signataires/{signatory.pk}/affiche.pdf"' in page
    assert "Imprimer l’affiche (PDF)" in page

    client.force_login(head_pledge.candidate.user)
    space = client.get("/mon-espace/").content.decode()
    assert f'href="/listes/{the_list.pk}/affiche.pdf"' in space  # a head prints the list's

    client.force_login(signatory.candidate.user)
    assert (
        f'href="/signataires/{signatory.pk}/affiche.pdf"'
        in client.get("/mon-espace/").content.decode()
    )


def test_a_pending_signature_offers_no_poster(client):
    candidate = make_candidate(role=Candidate.Role.INDIVIDUAL, list_name="")
    make_pledge(candidate)
    client.force_login(candidate.user)
    assert "affiche.pdf" not in client.get("/mon-espace/").content.decode()
