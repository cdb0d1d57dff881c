"""The staff export of signatories as a job, so that no request builds a CSV of 50,000 rows.

The queue's « Exporter ces signataires (CSV) » validates the filters, then `start_export`
enqueues `export_signatories` with the account's id and the changelist's query string,
never the rows. The worker rebuilds the queue as that account would see it with that query
(its régions included, pledges.moderation.scope), after checking that the account may
still export, writes the CSV whole to the default storage under a name nobody can guess
(`exports/<32 hex digits>.csv`), and returns `{"file": name, "rows": count}`: the job's row
of django-tasks-db is the export's only record. `export_job` finds that row again for the
account that asked, and for no one else. The files go after `EXPORT_FILE_HOURS`
(pledges.moderation.retention).
"""

import io
import tempfile
import uuid

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django_tasks import TaskResult, task
from django_tasks_db.models import DBTaskResult

import config.tasks  # noqa: F401  (its retry policy applies to this job: a storage failure)
from pledges.models import Signature
from pledges.moderation.exports import EXPORT_FOLDER, write_staff_csv

# Past this size the CSV being written goes from memory to a temporary file.
IN_MEMORY_BYTES = 8 * 2**20


def queue_request(user, query: str) -> HttpRequest:
    """A GET of the moderation queue with `query`, by `user`: what the queue's admin needs
    to filter, search and scope its rows as that page would."""
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = reverse("admin:pledges_signature_changelist")
    request.GET = QueryDict(query)
    request.user = user
    # The admin says in a message when it refuses filters; nobody reads it here.
    request._messages = CookieStorage(request)
    return request


def may_export(request: HttpRequest) -> bool:
    """Whether the account may reach the admin and export signatories, now."""
    return admin.site.has_permission(request) and queue_admin().has_export_permission(request)


def queue_admin():
    return admin.site.get_model_admin(Signature)


@task()
def export_signatories(*, user_id: int, query: str) -> dict:
    """Write the export of the queue as `query` shows it to the account `user_id`; returns
    the file's storage name and how many signatures it holds. Fails (PermissionDenied) when
    the account is gone or may no longer export, and (IncorrectLookupParameters) when the
    filters no longer hold."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise PermissionDenied("The account that asked for this export is gone.")
    request = queue_request(user, query)
    if not may_export(request):
        raise PermissionDenied("This account may no longer export signatories.")
    changelist = queue_admin().get_changelist_instance(request)
    pledges = changelist.get_queryset(request)
    with tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        rows = write_staff_csv(pledges, text)
        text.flush()
        text.detach()
        raw.seek(0)
        name = default_storage.save(f"{EXPORT_FOLDER}/{uuid.uuid4().hex}.csv", File(raw))
    return {"file": name, "rows": rows}


def start_export(*, user, query: str) -> TaskResult:
    """Enqueue the export for `user` of the queue as `query` filters it, once the current
    transaction commits. The view calls it outside any transaction, where the job is
    enqueued at once: its id is then known, for the page that follows it."""
    enqueued = []
    transaction.on_commit(
        lambda: enqueued.append(export_signatories.enqueue(user_id=user.pk, query=query))
    )
    if not enqueued:
        raise RuntimeError("start_export() needs its job's id: call it outside a transaction.")
    return enqueued[0]


def export_job(job_id: str, user) -> DBTaskResult | None:
    """The export job `job_id` if `user` asked for it; None for any other job or account."""
    try:
        pk = uuid.UUID(job_id)
    except ValueError:
        return None
    job = DBTaskResult.objects.filter(pk=pk, task_path=export_signatories.module_path).first()
    if job is None or job.args_kwargs.get("kwargs", {}).get("user_id") != user.pk:
        return None
    return job
