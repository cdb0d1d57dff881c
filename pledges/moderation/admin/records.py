"""The records moderation keeps, in the admin: refusal reasons, the audit log, the traces
of erased accounts. The log and the traces can be read, never changed.

A regional moderator reads the entries about the signatures of their régions and their own
entries (an entry about a list not yet signed, an official list or the campaign names no
place the database can join on: national staff read those); the traces of their régions'
communes."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy

from communes.admin import ReadOnlyAdmin
from communes.models import Commune
from pledges.models import AuditEntry, RejectionReason, SignatureTrace
from pledges.moderation.scope import (
    SIGNATURE_REGION,
    ScopedAdminMixin,
    condition,
    is_scoped,
    limit,
)


@admin.register(RejectionReason)
class RejectionReasonAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "requires_free_text", "is_active", "position"]
    list_editable = ["is_active", "position"]
    prepopulated_fields = {"code": ["label"]}

    def has_delete_permission(self, request, obj=None):
        # A reason already given to a candidate stays, for the record: deactivate it.
        if obj is not None and obj.is_used():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    list_display = ["at", "actor_name", "action", "pledge_pseudonym", "scope_shown", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_name", "pledge_pseudonym", "note"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def scope_queryset(self, request, entries):
        if not is_scoped(request.user):
            return entries
        return entries.filter(
            condition(request.user, f"pledge__{SIGNATURE_REGION}") | Q(actor=request.user)
        )

    @admin.display(description=gettext_lazy("périmètre"), ordering="scope")
    def scope_shown(self, obj):
        return obj.scope or gettext_lazy("toutes les régions")


@admin.register(SignatureTrace)
class SignatureTraceAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    list_display = ["pseudonym", "commune_insee_code", "last_status", "submitted_at", "erased_at"]
    readonly_fields = [f.name for f in SignatureTrace._meta.fields]

    def scope_queryset(self, request, traces):
        if not is_scoped(request.user):
            return traces
        # A trace keeps the commune's code, not the commune.
        communes = limit(Commune.objects.all(), request.user, "departement__region")
        return traces.filter(commune_insee_code__in=communes.values("insee_code"))
