"""« Exporter ces signataires (CSV) »: three pages around a job (moderation.export_tasks).

`export_view` (…/signature/export/?<the queue's filters>): a GET asks « Exporter N
signataires ? » with the filters in words; the POST enqueues the job and sends the browser
to its page. `export_status_view` (…/export/<job>/) says where the job stands, reloading
itself every few seconds until it is done, then links to `export_download_view`
(…/export/<job>/fichier/), which streams the file. Filters the queue would refuse send the
browser back to the queue, as the queue itself does. Each page needs the export permission;
a job of another account, or any other job, is a 404 there, as an unknown one is.
"""

import datetime

from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from pledges.moderation.export_tasks import export_job, start_export
from pledges.moderation.exports import EXPORT_FILE_HOURS, export_filename

# Seconds between two reloads of a job's page while it runs.
REFRESH_SECONDS = 3
CSV = "text/csv; charset=utf-8"


def filters_in_words(changelist) -> list[tuple[str, str]]:
    """(filter's title, choice) for each filter the queue applies, and the search."""
    words = []
    for spec in changelist.filter_specs:
        if not any(name in changelist.params for name in spec.expected_parameters() or []):
            continue
        words.extend(
            (str(spec.title), str(choice["display"]))
            for choice in spec.choices(changelist)
            if choice["selected"]
        )
    if changelist.query:
        words.append((_("recherche"), f"« {changelist.query} »"))
    return words


def export_view(model_admin, request):
    if not model_admin.has_export_permission(request):
        raise PermissionDenied
    # The same filters and search as the queue the link was on, refused as it refuses them.
    try:
        changelist = model_admin.get_changelist_instance(request)
    except IncorrectLookupParameters:
        return HttpResponseRedirect(reverse("admin:pledges_signature_changelist"))
    query = request.GET.urlencode()
    if request.method == "POST":
        job = start_export(user=request.user, query=query)
        if job.is_finished:
            # The immediate backend (TASKS_BACKEND=immediate) ran it already, and keeps no
            # row to follow: the file, or the failure, now.
            return _finished_at_once(model_admin, request, job)
        return redirect("admin:pledges_signature_export_status", job.id)
    count = changelist.result_count
    return TemplateResponse(
        request,
        "admin/pledges/signature/export_confirmation.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": ngettext(
                "Exporter %(count)s signataire ?",
                "Exporter %(count)s signataires ?",
                count,
            )
            % {"count": number_format(count, force_grouping=True)},
            "count": count,
            "filters": filters_in_words(changelist),
            "query": query,
            "kept_hours": EXPORT_FILE_HOURS,
        },
    )


def _finished_at_once(model_admin, request, job):
    if job.status == TaskResultStatus.SUCCESSFUL:
        return _file_response(job.return_value["file"], timezone.localdate())
    model_admin.message_user(request, _failure_message(), messages.ERROR)
    return HttpResponseRedirect(request.get_full_path())


def _failure_message() -> str:
    return _(
        "L’export n’a pas pu être préparé. Relancez-le ; si l’échec se répète, "
        "l’équipe technique en trouve la cause dans « Tâches en arrière-plan »."
    )


def _own_job(model_admin, request, job_id: str) -> DBTaskResult:
    """The export job `job_id` of the signed-in account, while it may export; else 404."""
    job = export_job(job_id, request.user) if model_admin.has_export_permission(request) else None
    if job is None:
        raise Http404
    return job


def _kept_until(job: DBTaskResult) -> datetime.datetime:
    return job.finished_at + datetime.timedelta(hours=EXPORT_FILE_HOURS)


def _available(job: DBTaskResult) -> bool:
    """A finished export's file may be downloaded for EXPORT_FILE_HOURS, while it is there."""
    return (
        job.status == TaskResultStatus.SUCCESSFUL
        and timezone.now() < _kept_until(job)
        and default_storage.exists(job.return_value["file"])
    )


def export_status_view(model_admin, request, job_id: str):
    job = _own_job(model_admin, request, job_id)
    waiting = job.status in (TaskResultStatus.READY, TaskResultStatus.RUNNING)
    query = job.args_kwargs["kwargs"]["query"]
    export_url = reverse("admin:pledges_signature_export")
    return TemplateResponse(
        request,
        "admin/pledges/signature/export_status.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": _("Export des signataires"),
            "job": job,
            "waiting": waiting,
            # A storage failure is tried again later (config.tasks): the job is waiting again.
            "tried_again": waiting and bool(job.exception_class_path),
            "failed": job.status == TaskResultStatus.FAILED,
            "failure_message": _failure_message(),
            "done": job.status == TaskResultStatus.SUCCESSFUL,
            "available": _available(job),
            "rows": (job.return_value or {}).get("rows"),
            "kept_hours": EXPORT_FILE_HOURS,
            "kept_until": _kept_until(job) if job.finished_at else None,
            "refresh_seconds": REFRESH_SECONDS,
            "download_url": reverse("admin:pledges_signature_export_download", args=[job.pk]),
            "again_url": f"{export_url}?{query}" if query else export_url,
        },
    )


def export_download_view(model_admin, request, job_id: str):
    job = _own_job(model_admin, request, job_id)
    if not _available(job):
        raise Http404
    return _file_response(job.return_value["file"], timezone.localdate(job.finished_at))


def _file_response(name: str, day: datetime.date) -> FileResponse:
    try:
        file = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(file, as_attachment=True, filename=export_filename(day), content_type=CSV)
