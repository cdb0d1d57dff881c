"""The reminders in the admin: the log of reminders sent (read only) and « Élu·es sans mise
à jour », the elected signatures nobody has reported on yet (what the staff digest lists).
Both within the moderator's régions (pledges.moderation.scope: an out-of-scope reminder
is a 404, as an unknown one)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from communes.admin import ReadOnlyAdmin
from pledges.models import FollowUpReminder
from pledges.moderation.scope import SIGNATURE_REGION, ScopedAdminMixin, scope_label
from pledges.reminders.queries import without_update

PER_PAGE = 100


@admin.register(FollowUpReminder)
class FollowUpReminderAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    region_path = f"signature__{SIGNATURE_REGION}"
    list_display = ["sent_at", "kind", "email", "signature", "due_on"]
    list_filter = ["kind"]
    search_fields = ["email"]
    date_hierarchy = "sent_at"
    list_select_related = ["signature__candidate"]
    readonly_fields = [f.name for f in FollowUpReminder._meta.fields]
    change_list_template = "admin/pledges/followupreminder/change_list.html"

    def get_urls(self):
        return [
            path(
                "sans-mise-a-jour/",
                self.admin_site.admin_view(self.without_update_view),
                name="pledges_followupreminder_without_update",
            ),
            *super().get_urls(),
        ]

    def without_update_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        page = Paginator(without_update(request.user), PER_PAGE).get_page(request.GET.get("p"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Élu·es sans mise à jour"),
            "page": page,
            "scope": scope_label(request.user),
        }
        return TemplateResponse(
            request, "admin/pledges/followupreminder/without_update.html", context
        )
