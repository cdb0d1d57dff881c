"""« Exporter ces signataires (CSV) » as a job (pledges.moderation.export_tasks and
admin/export.py), on the database backend as production runs it: the request only
enqueues; the worker writes the file; only the account that asked downloads it, for 24 hours."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from pledges.models import Signature
from pledges.moderation.export_tasks import export_signatories
from pledges.moderation.exports import EXPORT_FOLDER, staff_csv
from pledges.moderation.retention import apply_retention
from tests.factories import make_moderator
from tests.pledges.moderation.conftest import CHANGELIST, page, pledge_in
from tests.pledges.moderation.exporting import EXPORT, content, download, read_csv, run_worker
from tests.pledges.moderation.regional import INSIDE, make_regional_moderator

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("database_tasks")]

JOB = export_signatories.module_path


def export_files() -> list[str]:
    if not default_storage.exists(EXPORT_FOLDER):
        return []
    return default_storage.listdir(EXPORT_FOLDER)[1]


def ask(client, query: str = "") -> str:
    """POST the export of the queue as `query` filters it; the job's page."""
    response = client.post(f"{EXPORT}?{query}" if query else EXPORT)
    assert response.status_code == 302, response.status_code
    return response["Location"]


def download_url(status_url: str) -> str:
    return f"{status_url}fichier/"


def test_the_link_asks_first_with_the_count_and_the_filters_in_words(moderator_client):
    pledge_in("42218", last_name="Martin")
    pledge_in("42218", last_name="Martin", first_name="Lou", list_name="Liste Deux")
    pledge_in("42218", last_name="Durand")
    pledge_in("69123", last_name="Martin")
    response = moderator_client.get(EXPORT, {"departement": "42", "q": "martin"})
    assert response.status_code == 200
    content = page(response)
    assert "<h1>Exporter 2 signataires\u202f?</h1>" in content
    assert "Département\u202f: 42 — Loire" in content
    assert "Recherche\u202f: «\u202fmartin\u202f»" in content
    assert f'action="{EXPORT}?departement=42&amp;q=martin"' in content
    assert "csrfmiddlewaretoken" in content
    assert {"private", "no-store"} <= {p.strip() for p in response["Cache-Control"].split(",")}
    assert not DBTaskResult.objects.filter(task_path=JOB).exists()  # a GET enqueues nothing


def test_without_filters_the_page_says_so(moderator_client):
    pledge_in("42218")
    content = page(moderator_client.get(EXPORT))
    assert "<h1>Exporter 1 signataire\u202f?</h1>" in content
    assert "Tous les signataires que vous pouvez voir, sans filtre." in content


def test_the_request_enqueues_the_job_and_builds_no_file(moderator_client):
    pledge_in("42218")
    status_url = ask(moderator_client, "departement=42")
    (job,) = DBTaskResult.objects.filter(task_path=JOB)
    assert job.status == TaskResultStatus.READY
    assert job.args_kwargs == {
        "args": [],
        "kwargs": {"user_id": moderator_client.user.pk, "query": "departement=42"},
    }
    assert status_url == reverse("admin:pledges_signature_export_status", args=[job.pk])
    assert export_files() == []
    response = moderator_client.get(status_url)
    content = page(response)
    assert "L’export est en préparation" in content
    assert '<meta http-equiv="refresh" content="3">' in content
    assert moderator_client.get(download_url(status_url)).status_code == 404


def test_the_worker_writes_exactly_what_staff_csv_writes_and_the_download_gives_it(
    moderator_client,
):
    pledge_in("42218", first_name="Léa", phone="06 11 22 33 44", list_name='=HYPERLINK("x")')
    pledge_in("69123", first_name="Paul")
    status_url = ask(moderator_client, "departement=42")
    expected = staff_csv(Signature.objects.filter(candidate__commune__departement="42"))
    run_worker()
    job = DBTaskResult.objects.get(task_path=JOB)
    assert job.status == TaskResultStatus.SUCCESSFUL
    name = job.return_value["file"]
    assert job.return_value["rows"] == 1
    assert re.fullmatch(rf"{EXPORT_FOLDER}/[0-9a-f]{{32}}\.csv", name)
    with default_storage.open(name, "rb") as stored:
        assert stored.read() == expected.encode("utf-8")

    status = page(moderator_client.get(status_url))
    assert "L’export est prêt\u202f: 1 signataire." in status
    assert "conservé 24 heures" in status
    assert "http-equiv" not in status
    response = moderator_client.get(download_url(status_url))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    day = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'attachment; filename="signataires-coorace-{day:%Y-%m-%d}.csv"'
    )
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    body = content(response)
    assert body == expected.encode("utf-8")
    assert body.startswith("\ufeff".encode()) and b";" in body
    assert b"'=HYPERLINK" in body  # the formula defused


def test_the_job_applies_the_search(moderator_client):
    wanted = pledge_in("42218", last_name="Zéphyrin")
    pledge_in("42218", last_name="Martin")
    header, *rows = read_csv(download(moderator_client, {"q": "zephyrin"}))
    assert [int(dict(zip(header, row, strict=True))["id"]) for row in rows] == [wanted.pk]


def test_the_job_applies_a_regional_moderators_scope(client):
    inside = pledge_in("69123")  # Auvergne-Rhône-Alpes
    pledge_in("59350")  # Hauts-de-France
    moderator = make_regional_moderator(INSIDE)
    client.force_login(moderator)
    header, *rows = read_csv(download(client))
    assert [int(dict(zip(header, row, strict=True))["id"]) for row in rows] == [inside.pk]
    # Another région's filter: back to the queue, nothing enqueued.
    response = client.post(f"{EXPORT}?region=32")
    assert (response.status_code, response["Location"]) == (302, CHANGELIST)
    assert DBTaskResult.objects.filter(task_path=JOB).count() == 1


def test_the_scope_is_read_when_the_job_runs(client):
    """A moderator limited to a région after asking gets only that région's rows."""
    from pledges.models import ModeratorScope

    inside = pledge_in("69123")
    pledge_in("59350")
    moderator = make_moderator()
    client.force_login(moderator)
    status_url = ask(client)
    ModeratorScope.objects.create(user=moderator).regions.set([INSIDE])
    run_worker()
    header, *rows = read_csv(client.get(download_url(status_url)))
    assert [int(dict(zip(header, row, strict=True))["id"]) for row in rows] == [inside.pk]


def test_another_account_even_one_that_may_export_gets_a_404(moderator_client, client):
    pledge_in("42218", first_name="Léa")
    status_url = ask(moderator_client)
    run_worker()
    assert moderator_client.get(download_url(status_url)).status_code == 200
    other = make_moderator()
    assert other.has_perm("pledges.export_pledges")
    client.force_login(other)
    for url in (status_url, download_url(status_url)):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Léa" not in response.content.decode()


def test_an_account_that_lost_the_permission_gets_nothing(moderator_client):
    moderator = moderator_client.user
    pledge_in("42218")
    status_url = ask(moderator_client)
    moderator.groups.clear()
    moderator.user_permissions.add(Permission.objects.get(codename="view_signature"))
    run_worker()
    job = DBTaskResult.objects.get(task_path=JOB)
    assert job.status == TaskResultStatus.FAILED  # checked again when the job ran
    assert job.exception_class_path == "django.core.exceptions.PermissionDenied"
    assert export_files() == []
    for url in (status_url, download_url(status_url)):
        assert moderator_client.get(url).status_code == 404


def test_a_file_written_is_not_given_to_one_who_lost_the_permission_since(moderator_client):
    moderator = moderator_client.user
    pledge_in("42218")
    status_url = ask(moderator_client)
    run_worker()
    moderator.groups.clear()
    assert moderator_client.get(download_url(status_url)).status_code == 404


def test_a_job_of_another_kind_or_an_unknown_id_is_a_404(moderator_client):
    other = DBTaskResult.objects.create(
        task_path="pledges.moderation.retention_tasks.erase_private_data",
        args_kwargs={"args": [], "kwargs": {"user_id": moderator_client.user.pk}},
        backend_name="default",
        run_after=timezone.now(),
    )
    for job_id in (str(other.pk), "00000000-0000-0000-0000-000000000000", "valider", "1"):
        url = reverse("admin:pledges_signature_export_status", args=[job_id])
        assert moderator_client.get(url).status_code == 404, job_id
        assert moderator_client.get(download_url(url)).status_code == 404, job_id


def test_a_failed_job_says_so_and_offers_to_start_again(moderator_client, monkeypatch):
    pledge_in("42218")
    status_url = ask(moderator_client, "departement=42")

    def broken(pledges, out):
        raise ValueError("a bug")

    with monkeypatch.context() as patched:  # not undo(): conftest's patches stay
        patched.setattr("pledges.moderation.export_tasks.write_staff_csv", broken)
        run_worker()
    assert DBTaskResult.objects.get(task_path=JOB).status == TaskResultStatus.FAILED
    content = page(moderator_client.get(status_url))
    assert "L’export n’a pas pu être préparé" in content
    assert "http-equiv" not in content
    again = f'action="{EXPORT}?departement=42"'
    assert again in content and "Relancer l’export" in content
    # The button starts a new job with the same filters.
    new_status = ask(moderator_client, "departement=42")
    assert new_status != status_url
    run_worker()
    assert len(read_csv(moderator_client.get(download_url(new_status)))) == 2


def test_a_storage_failure_is_tried_again_and_the_page_says_so(moderator_client, monkeypatch):
    pledge_in("42218")
    status_url = ask(moderator_client)

    def full(*args, **kwargs):
        raise OSError("No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(default_storage, "save", full)
        run_worker()
    job = DBTaskResult.objects.get(task_path=JOB)
    assert job.status == TaskResultStatus.READY  # config.tasks: again in a minute
    content = page(moderator_client.get(status_url))
    assert "L’export est en préparation" in content
    assert "Un premier essai a échoué" in content


def test_export_files_go_after_24_hours_and_the_page_says_so(moderator_client):
    pledge_in("42218")
    status_url = ask(moderator_client)
    run_worker()
    name = DBTaskResult.objects.get(task_path=JOB).return_value["file"]
    written = default_storage.get_modified_time(name)

    almost = written + datetime.timedelta(hours=23, minutes=59)
    assert apply_retention(now=almost).export_files == 0
    assert default_storage.exists(name)

    later = written + datetime.timedelta(hours=24, minutes=1)
    assert apply_retention(now=later, dry_run=True).export_files == 1
    assert default_storage.exists(name)  # a dry run deletes nothing
    assert apply_retention(now=later).export_files == 1
    assert not default_storage.exists(name)

    content = page(moderator_client.get(status_url))
    assert "Ce fichier n’est plus disponible" in content and "Relancer l’export" in content
    assert moderator_client.get(download_url(status_url)).status_code == 404


def test_after_24_hours_the_file_is_no_longer_given_even_before_the_nightly_cleanup(
    moderator_client,
):
    pledge_in("42218")
    status_url = ask(moderator_client)
    run_worker()
    DBTaskResult.objects.filter(task_path=JOB).update(
        finished_at=timezone.now() - datetime.timedelta(hours=24, minutes=1)
    )
    assert moderator_client.get(download_url(status_url)).status_code == 404
    assert "Ce fichier n’est plus disponible" in page(moderator_client.get(status_url))


def test_the_erasure_command_reports_the_export_files(moderator_client, capsys):
    from django.core.management import call_command

    pledge_in("42218")
    ask(moderator_client)
    run_worker()
    call_command("erase_private_data", "--dry-run")
    assert "Exports de signataires de plus de 24 heures seraient effacés : 0" in (
        capsys.readouterr().out
    )


def test_bad_filters_still_go_back_to_the_queue(moderator_client):
    for query in ("departement=%00", "region=99", "departement=59&region=84"):
        for method in (moderator_client.get, moderator_client.post):
            response = method(f"{EXPORT}?{query}")
            assert (response.status_code, response["Location"]) == (302, CHANGELIST), query
    assert not DBTaskResult.objects.filter(task_path=JOB).exists()


def test_the_confirmation_needs_its_csrf_token(moderator_client):
    pledge_in("42218")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(moderator_client.user)
    assert strict.post(EXPORT).status_code == 403
    assert not DBTaskResult.objects.filter(task_path=JOB).exists()
    token = strict.get(EXPORT).context["csrf_token"]
    assert strict.post(EXPORT, {"csrfmiddlewaretoken": str(token)}).status_code == 302
    assert DBTaskResult.objects.filter(task_path=JOB).count() == 1


def test_the_export_needs_the_export_permission(client):
    client.force_login(make_moderator("stagiaire", group=""))
    assert client.get(EXPORT).status_code == 403
    assert client.post(EXPORT).status_code == 403
    assert not DBTaskResult.objects.filter(task_path=JOB).exists()
