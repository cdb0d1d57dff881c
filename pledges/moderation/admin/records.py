"""The records moderation keeps, in the admin: refusal reasons, the audit log, the traces
of erased accounts. The log and the traces can be read, never changed."""

from django.contrib import admin

from communes.admin import ReadOnlyAdmin
from pledges.models import AuditEntry, RejectionReason, SignatureTrace


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
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_name", "action", "pledge_pseudonym", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_name", "pledge_pseudonym", "note"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]


@admin.register(SignatureTrace)
class SignatureTraceAdmin(ReadOnlyAdmin):
    list_display = ["pseudonym", "commune_insee_code", "last_status", "submitted_at", "erased_at"]
    readonly_fields = [f.name for f in SignatureTrace._meta.fields]
