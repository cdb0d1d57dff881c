"""Certificate PDFs in storage: rendered in a job when issued, written once per version
whatever the number of concurrent first downloads, whole or not at all, rendered again when
their file is gone, and orphans cleaned by `manage.py clean_certificate_files`."""

import errno
import os
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from pledges.certificates import pdf as pdf_module
from pledges.certificates import services
from pledges.certificates.services import certificate_pdf, pdf_name
from pledges.models import Certificate
from tests.concurrency import concurrent_bodies
from tests.config.test_tasks import due_now
from tests.factories import approve, make_candidate, make_pledge
from tests.jobs import run_worker

pytestmark = pytest.mark.django_db


def approved():
    return approve(make_pledge(make_candidate(first_name="Léa", last_name="Dupré")))


def current(pledge) -> Certificate:
    return pledge.certificates.current().get()


def download_url(pledge) -> str:
    return reverse("pledges:certificate_download", kwargs={"pk": pledge.pk})


def stored_files(settings) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def count_renders(monkeypatch) -> list:
    renders = []
    render = pdf_module.render_certificate_pdf

    def counted(certificate):
        renders.append(certificate.pk)
        return render(certificate)

    monkeypatch.setattr(pdf_module, "render_certificate_pdf", counted)
    return renders


class FullDisk(ContentFile):
    """Half the PDF is written, then the disk is full."""

    def chunks(self, chunk_size=None):
        yield self.file.getvalue()[: len(self.file.getvalue()) // 2]
        raise OSError(errno.ENOSPC, "No space left on device")


def test_an_approval_renders_its_pdf_in_a_job_after_the_commit(settings, database_tasks):
    settings.CERTIFICATE_RENDER_ON_ISSUE = True
    pledge = approved()
    certificate = current(pledge)
    assert not certificate.pdf  # not in the request
    job = DBTaskResult.objects.get(task_path="pledges.certificates.tasks.render_certificate")
    assert job.args_kwargs["args"] == [certificate.pk]

    run_worker()

    job.refresh_from_db()
    assert job.status == TaskResultStatus.SUCCESSFUL
    certificate.refresh_from_db()
    assert certificate.pdf.name == pdf_name(certificate)
    assert default_storage.open(certificate.pdf.name).read().startswith(b"%PDF-")


def test_a_version_has_one_file_name(settings):
    certificate = certificate_pdf(current(approved()))
    issued = certificate.issued_at.astimezone().strftime("%Y/%m")
    assert certificate.pdf.name == f"attestations/{issued}/{certificate.reference}.pdf"
    assert stored_files(settings) == [certificate.pdf.name]


def test_a_file_gone_from_storage_is_rendered_again_from_the_frozen_content(
    client, settings, monkeypatch
):
    pledge = approved()
    first = b"".join(client.get(download_url(pledge)).streaming_content)
    certificate = current(pledge)
    frozen = certificate.content
    # What the certificate says was frozen: a later edit of the candidate changes nothing.
    pledge.candidate.first_name = "Zoé"
    pledge.candidate.save()
    default_storage.delete(certificate.pdf.name)
    renders = count_renders(monkeypatch)

    response = client.get(download_url(pledge))

    assert response.status_code == 200
    again = b"".join(response.streaming_content)
    assert again.startswith(b"%PDF-")
    assert renders == [certificate.pk]
    assert current(pledge).content == frozen
    assert stored_files(settings) == [certificate.pdf.name]
    assert len(again) == pytest.approx(len(first), rel=0.01)


def test_a_full_disk_leaves_nothing_behind_and_the_visitor_is_told_in_french(
    client, settings, monkeypatch, database_tasks
):
    pledge = approved()
    DBTaskResult.objects.all().delete()  # the e-mails of the approval
    monkeypatch.setattr(services, "ContentFile", FullDisk)

    response = client.get(download_url(pledge))

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "Votre attestation est en préparation" in response.content.decode()
    assert stored_files(settings) == []  # no truncated file, no temporary file
    assert not current(pledge).pdf
    job = DBTaskResult.objects.get()  # the render, to be tried again
    assert job.task_path == "pledges.certificates.tasks.render_certificate"

    run_worker()  # the disk is still full: tried again later
    job.refresh_from_db()
    assert (job.status, job.exception_class_path) == (TaskResultStatus.READY, "builtins.OSError")
    assert stored_files(settings) == []

    monkeypatch.setattr(services, "ContentFile", ContentFile)  # space was freed
    due_now(job)
    run_worker()
    certificate = current(pledge)
    assert stored_files(settings) == [certificate.pdf.name]
    assert client.get(download_url(pledge)).status_code == 200


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_first_downloads_write_one_file(reference_data, settings, monkeypatch):
    pledge = approved()
    renders = count_renders(monkeypatch)
    downloads = 8
    bodies, errors = concurrent_bodies(download_url(pledge), downloads)

    assert errors == []
    assert len(bodies) == downloads
    assert len(set(bodies)) == 1
    assert renders == [current(pledge).pk]
    assert stored_files(settings) == [current(pledge).pdf.name]


def test_the_cleaning_command_deletes_only_orphans(settings):
    kept = certificate_pdf(current(approved()))
    folder = Path(settings.MEDIA_ROOT) / Path(kept.pdf.name).parent
    stem = Path(kept.pdf.name).stem
    # What the unlocked renders left: a copy under a suffixed name, a file of a deleted
    # certificate, a temporary file of an interrupted write, and one being written now.
    (folder / f"{stem}_aB3dE5f.pdf").write_bytes(b"%PDF-copy")
    (folder / "CRC-0000-0000.pdf").write_bytes(b"%PDF-deleted")
    old_part = folder / f"{stem}.pdf.0a1b2c3d4e5f.part"
    old_part.write_bytes(b"%PDF-half")
    two_hours_ago = time.time() - 7200
    os.utime(old_part, (two_hours_ago, two_hours_ago))
    (folder / f"{stem}.pdf.ffffffffffff.part").write_bytes(b"%PDF-in-progress")
    orphans = sorted(
        f"{Path(kept.pdf.name).parent}/{name}"
        for name in (f"{stem}_aB3dE5f.pdf", "CRC-0000-0000.pdf", old_part.name)
    )
    before = stored_files(settings)

    out = StringIO()
    call_command("clean_certificate_files", "--dry-run", stdout=out)
    assert stored_files(settings) == before
    assert "Fichiers orphelins\u00a0: 3" in out.getvalue()
    assert "Simulation (--dry-run)\u00a0: rien n’a été supprimé." in out.getvalue()
    for name in orphans:
        assert f"à supprimer\u00a0: {name}" in out.getvalue()

    out = StringIO()
    call_command("clean_certificate_files", stdout=out)
    assert "Fichiers orphelins\u00a0: 3" in out.getvalue()
    assert "Nettoyage terminé." in out.getvalue()
    assert stored_files(settings) == sorted(set(before) - set(orphans))
    assert kept.pdf.name in stored_files(settings)
    assert default_storage.open(kept.pdf.name).read().startswith(b"%PDF-")


def test_a_file_cut_short_before_writes_were_atomic_is_deleted_then_rendered_again(
    client, settings
):
    pledge = approved()
    certificate = certificate_pdf(current(pledge))
    whole = default_storage.open(certificate.pdf.name).read()
    path = Path(default_storage.path(certificate.pdf.name))
    path.write_bytes(whole[: len(whole) // 2])  # what a full disk used to leave
    other = certificate_pdf(current(approved()))

    call_command("clean_certificate_files", stdout=StringIO())

    assert stored_files(settings) == [other.pdf.name]  # a whole file is kept
    response = client.get(download_url(pledge))
    assert b"".join(response.streaming_content).rstrip().endswith(b"%%EOF")
    assert path.stat().st_size == pytest.approx(len(whole), rel=0.01)


def test_a_certificates_own_name_is_kept_even_before_its_render_records_it(settings):
    certificate = current(approved())
    default_storage.save(pdf_name(certificate), ContentFile(b"%PDF-1.7 being recorded\n%%EOF\n"))
    assert services.orphan_files() == []


def test_with_no_certificate_files_there_is_nothing_to_clean():
    out = StringIO()
    call_command("clean_certificate_files", stdout=out)
    assert "Fichiers orphelins\u00a0: 0" in out.getvalue()
