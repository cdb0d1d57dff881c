"""« Tâches en arrière-plan » in the admin: django-tasks-db's read-only list of jobs, with
what staff need when a job keeps failing: its attempts, its last error, and « Relancer ».

Regional moderators never see it (pledges.moderation.scope.NationalOnlyMixin): a job's
arguments and errors hold addresses and names of every région, which no column ties to one.
"""

from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from config.tasks import relaunch
from pledges.moderation.scope import NationalOnlyMixin, is_scoped

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class JobAdmin(NationalOnlyMixin, DBTaskResultAdmin):
    list_display = (
        "task_name",
        "status",
        "attempts",
        "last_error",
        "enqueued_at",
        "display_run_after",
        "finished_at",
    )
    search_fields = ["task_path", "exception_class_path"]
    actions = ["relaunch"]

    @admin.display(description=_("tentatives"))
    def attempts(self, job: DBTaskResult) -> int:
        return len(job.worker_ids)

    @admin.display(description=_("dernière erreur"))
    def last_error(self, job: DBTaskResult) -> str:
        if not job.traceback:
            return "—"
        return job.traceback.strip().splitlines()[-1][:200]

    def has_relaunch_permission(self, request) -> bool:
        if is_scoped(request.user):
            return False
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}")

    @admin.action(description=_("Relancer"), permissions=["relaunch"])
    def relaunch(self, request, queryset):
        count = relaunch(queryset)
        messages.success(
            request,
            ngettext("%(count)d tâche relancée.", "%(count)d tâches relancées.", count)
            % {"count": count},
        )
