"""What a signature's detail page shows below it, read-only: commitments, history,
certificates and the audit log."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pledges.models import AuditEntry, Certificate, SignatureEvent, SignedCommitment


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SignedCommitmentInline(ReadOnlyInline):
    model = SignedCommitment
    fields = ["commitment", "signed_at", "withdrawn_at"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("Engagements (lecture seule)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("commitment__proposal")


class SignatureEventInline(ReadOnlyInline):
    model = SignatureEvent
    fields = ["at", "kind", "commitment", "is_public", "reason", "note"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("Historique")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("commitment__proposal", "reason")


class CertificateInline(ReadOnlyInline):
    model = Certificate
    fields = ["reference", "version", "issued_at", "superseded_at", "fingerprint", "download"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("Attestations (toutes les versions)")

    @admin.display(description=gettext_lazy("vérification"))
    def download(self, obj):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            obj.get_absolute_url(),
            _("page de vérification"),
        )


class AuditEntryInline(ReadOnlyInline):
    model = AuditEntry
    fields = ["at", "actor_name", "action", "changes", "note", "ip_address"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("Journal des décisions (non modifiable)")
