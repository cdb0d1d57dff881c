"""The poster of a list or signatory (pledges/directory/poster.py): one A4 page with the
name, the commitments signed in their exact wording and a QR code to the public page, read
back from the real PDF with pdftotext and pdfinfo; rendered by a job once per version of
what it shows (pledges/directory/tasks.py), stored, never in a request.

Jobs run when the transaction that enqueued them commits (tests/conftest.py): a first
request for a new version answers « en préparation » (503) and its job renders the poster
at once; the tests about the queue itself (`database_tasks`) run the worker in-process."""

import errno
import re
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from candidates.models import Candidate
from pledges.certificates.services import write_whole
from pledges.directory import poster
from pledges.directory.poster import (
    PosterContent,
    list_poster_content,
    poster_html,
    signatory_poster_content,
)
from pledges.directory.share_image import Kind, public_list, public_signatory
from pledges.models import Commitment, Signature
from pledges.signing.services import add_commitment, withdraw_pledge
from tests.concurrency import at_once
from tests.config.test_tasks import due_now
from tests.factories import commitments, current_campaign, make_candidate, make_pledge
from tests.jobs import run_worker
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
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF-")
    return data


def in_preparation(response) -> bool:
    """« L’affiche est en préparation… »: 503, Retry-After, kept by no cache."""
    if response.status_code != 503:
        return False
    assert response["Retry-After"] == "5"
    assert response["Cache-Control"] == "no-store"
    assert "L’affiche est en préparation…" in response.content.decode()
    return True


def printed(client, url: str) -> bytes:
    """The poster of a version not rendered yet, once its job has run: the first request
    answers « en préparation » and enqueues the job (run at once here)."""
    assert in_preparation(client.get(url))
    return pdf_of(client.get(url))


def count_renders(monkeypatch) -> list[str]:
    renders = []
    render = poster.render_pdf

    def counted(html, **kwargs):
        renders.append(html)
        return render(html, **kwargs)

    monkeypatch.setattr(poster, "render_pdf", counted)
    return renders


def stored(settings) -> list[str]:
    folder = Path(settings.MEDIA_ROOT) / "affiches"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def stored_bytes(settings, name: str) -> bytes:
    return (Path(settings.MEDIA_ROOT) / "affiches" / name).read_bytes()


def jobs() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path="pledges.directory.tasks.render_poster"))


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
    text = text_of(printed(client, f"/listes/{the_list.pk}/affiche.pdf"), tmp_path)

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
    pdf = printed(client, f"/listes/{the_list.pk}/affiche.pdf")
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
    html = poster_html(list_poster_content(electoral_list, row))
    assert "<svg" in html and "<path" in html  # segno's inline QR code
    assert f"http://127.0.0.1:8000/listes/{the_list.pk}/" in html
    assert "Imprimer" not in html


# ------------------------------------------------------------------ a signatory's poster


def test_a_signatorys_poster_names_the_person_and_their_commitments(client, tmp_path):
    pledge = make_individual(commune="01001", last_name="Dupré", codes=("2.1", "7.2"))
    pdf = printed(client, f"/signataires/{pledge.pk}/affiche.pdf")
    one_a4_page(pdf, tmp_path)
    text = text_of(pdf, tmp_path)
    assert "Camille Dupré" in text
    assert "L’Abergement-Clémenciat (01)" in text
    assert "a signé 2 engagements" in text
    for signed in pledge.signed_commitments.select_related("commitment"):
        assert flat(signed.commitment.text) in text
    row, electoral_list = public_signatory(pledge.pk)
    html = poster_html(signatory_poster_content(row, electoral_list))
    assert "<svg" in html and f"http://127.0.0.1:8000/signataires/{pledge.pk}/" in html


def test_a_withdrawn_commitment_is_not_on_the_poster(client, tmp_path):
    from pledges.signing.services import withdraw_commitment

    pledge = make_individual(commune="01001", codes=("2.1", "7.2"))
    (gone,) = Commitment.objects.filter(proposal__number=7, position=2)
    withdraw_commitment(pledge=pledge, commitment=gone)
    text = text_of(printed(client, f"/signataires/{pledge.pk}/affiche.pdf"), tmp_path)
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


# ------------------------------------------------------------------ rendered by a job


@pytest.mark.parametrize("kind", [Kind.LIST, Kind.SIGNATORY])
def test_a_request_never_renders_the_poster_its_job_does(
    client, settings, monkeypatch, tmp_path, database_tasks, kind
):
    the_list = make_list("Saint-Étienne d’abord", codes=("1.1", "3.2"))
    DBTaskResult.objects.all().delete()  # the approval's e-mails
    pk = the_list.pk if kind == Kind.LIST else the_list.signature.pk
    url = f"/listes/{pk}/affiche.pdf" if kind == Kind.LIST else f"/signataires/{pk}/affiche.pdf"
    page = url.removesuffix("affiche.pdf")
    renders = count_renders(monkeypatch)

    response = client.get(url)
    assert in_preparation(response)
    content = response.content.decode()
    assert '<meta http-equiv="refresh" content="5">' in content
    assert f'<a href="{page}">Revenir à la page</a>' in content
    said = flat(content)
    assert "L’affiche de « Saint-Étienne d’abord » est en cours de fabrication" in said or (
        kind == Kind.SIGNATORY and f"L’affiche de « {the_list.head.full_name} »" in said
    )
    assert "Elle sera prête dans quelques secondes : cette page se recharge d’elle-même." in said
    assert renders == []
    assert stored(settings) == []
    (job,) = jobs()
    assert job.args_kwargs["args"] == [kind, pk]
    assert in_preparation(client.get(url))  # the worker has not run yet

    run_worker()  # two jobs queued for one poster: rendered once
    assert len(renders) == 1
    assert {job.status for job in jobs()} == {TaskResultStatus.SUCCESSFUL}
    (name,) = stored(settings)
    assert name.startswith(f"{kind}-{pk}-") and name.endswith(".pdf")

    response = client.get(url)
    pdf = pdf_of(response)
    assert pdf == stored_bytes(settings, name)
    digest = name.removesuffix(".pdf").rsplit("-", 1)[1]
    assert response["ETag"] == f'"{digest}"'
    assert response["Cache-Control"] == "public, max-age=60"
    assert response["Content-Disposition"].startswith('inline; filename="affiche-coorace-')
    text = text_of(pdf, tmp_path)
    assert "a signé 2 engagements de la charte de Coorace" in text
    assert f"http://127.0.0.1:8000{page}" in text
    assert len(renders) == 1 and len(jobs()) == 2  # served from storage: no job, no render


def test_a_changed_poster_is_a_new_file_and_the_old_one_goes(
    client, settings, monkeypatch, tmp_path
):
    renders = count_renders(monkeypatch)
    pledge = make_individual(commune="01001", codes=("2.1",))
    url = f"/signataires/{pledge.pk}/affiche.pdf"
    first = printed(client, url)
    assert pdf_of(client.get(url)) == first
    (name,) = stored(settings)
    assert len(renders) == 1

    (added,) = commitments("7.2")
    add_commitment(pledge=pledge, commitment=added)
    second = printed(client, url)  # a new version: « en préparation », then rendered
    assert len(renders) == 2
    (newer,) = stored(settings)  # the old version is gone
    assert newer != name
    assert second == stored_bytes(settings, newer)
    text = text_of(second, tmp_path)
    assert "a signé 2 engagements" in text and flat(added.text) in text
    pdf_of(client.get(url))
    assert len(renders) == 2


def test_what_the_poster_shows_is_its_version():
    content = PosterContent(
        kind=Kind.LIST, pk=1, name="A", kicker="", place="B (42)", page_path="/listes/1/",
        campaign_name="#Municipales2020", campaign_title="T",
        groups=((1, "P", (("1.1", "Texte"),)),),
    )  # fmt: skip
    assert content.count == 1
    assert content.file_name == f"affiches/liste-1-{content.digest}.pdf"
    same = PosterContent(**content.__dict__)
    assert same.digest == content.digest
    reworded = ((1, "P", (("1.1", "Texte revu"),)),)
    for change in ({"name": "A."}, {"place": "C (43)"}, {"kicker": "Tête"}, {"groups": reworded}):
        assert PosterContent(**{**content.__dict__, **change}).digest != content.digest


def test_a_failing_storage_fails_the_job_which_is_tried_again(
    client, settings, monkeypatch, database_tasks
):
    pledge = make_individual(commune="01001", codes=("2.1",))
    DBTaskResult.objects.all().delete()
    url = f"/signataires/{pledge.pk}/affiche.pdf"

    def full(storage, name, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(poster, "write_whole", full)
    assert in_preparation(client.get(url))
    run_worker()
    (job,) = jobs()
    assert (job.status, job.exception_class_path) == (TaskResultStatus.READY, "builtins.OSError")
    assert stored(settings) == []
    assert in_preparation(client.get(url))

    monkeypatch.setattr(poster, "write_whole", write_whole)  # space was freed
    DBTaskResult.objects.exclude(pk=job.pk).delete()
    due_now(job)
    run_worker()
    job.refresh_from_db()
    assert job.status == TaskResultStatus.SUCCESSFUL
    (name,) = stored(settings)
    assert pdf_of(client.get(url)) == stored_bytes(settings, name)


def test_an_erased_account_takes_its_posters_with_it(client, settings):
    from pledges.signing.account import delete_account

    the_list = make_list("Ensemble à Saint-Étienne")
    other = make_list("Une autre liste")
    printed(client, f"/listes/{the_list.pk}/affiche.pdf")
    printed(client, f"/signataires/{the_list.signature.pk}/affiche.pdf")
    printed(client, f"/listes/{other.pk}/affiche.pdf")
    assert len(stored(settings)) == 3

    delete_account(user=the_list.head.user)  # the head: the list's signature goes too
    (left,) = stored(settings)
    assert left.startswith(f"liste-{other.pk}-")
    assert client.get(f"/listes/{the_list.pk}/affiche.pdf").status_code == 404


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_first_requests_render_one_poster(reference_data, settings, monkeypatch):
    """Four first requests, each enqueueing the job, which runs at once in its thread:
    four jobs at the same time, one rendering."""
    the_list = make_list()
    renders = count_renders(monkeypatch)
    url = f"/listes/{the_list.pk}/affiche.pdf"
    statuses = []
    errors = at_once(4, lambda: statuses.append(Client().get(url).status_code))

    assert errors == []
    assert len(renders) == 1
    assert set(statuses) <= {503, 200} and 503 in statuses
    (name,) = stored(settings)
    assert pdf_of(Client().get(url)) == stored_bytes(settings, name)


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
