from django.contrib import admin

from pledges.models import (
    Campaign,
    Commitment,
    Pledge,
    PledgeEvent,
    PledgeTrace,
    Proposal,
    Signature,
)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "first_round_date", "is_current", "signing_open"]
    list_editable = ["signing_open"]
    prepopulated_fields = {"slug": ["name"]}


class CommitmentInline(admin.StackedInline):
    model = Commitment
    extra = 0
    fields = ["position", "text"]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "campaign"]
    list_display_links = ["number", "title"]
    list_filter = ["campaign"]
    search_fields = ["title", "context", "commitments__text"]
    inlines = [CommitmentInline]


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ["code", "text", "proposal"]

    def get_readonly_fields(self, request, obj=None):
        # A signed sentence can't change under its signatures.
        if obj is not None and obj.wording_is_locked():
            return ["proposal", "position", "text"]
        return []

    list_filter = ["proposal__campaign", "proposal"]
    list_select_related = ["proposal"]
    search_fields = ["text"]
    ordering = ["proposal__campaign", "proposal__number", "position"]


class SignatureInline(admin.TabularInline):
    model = Signature
    extra = 0
    fields = ["commitment", "signed_at", "withdrawn_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PledgeEventInline(admin.TabularInline):
    model = PledgeEvent
    extra = 0
    fields = ["at", "kind", "commitment", "is_public", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Pledge)
class PledgeAdmin(admin.ModelAdmin):
    """Read-only here; the moderation queue and its decisions are the next issue's."""

    list_display = ["candidate", "status", "submitted_at", "campaign"]
    list_filter = ["status", "campaign"]
    list_select_related = ["candidate", "campaign"]
    search_fields = ["candidate__first_name", "candidate__last_name", "candidate__list_name"]
    readonly_fields = [
        "campaign",
        "candidate",
        "status",
        "submitted_at",
        "approved_at",
        "withdrawn_at",
        "consent_candidacy_text",
        "consent_candidacy_at",
        "consent_publication_text",
        "consent_publication_at",
    ]
    inlines = [SignatureInline, PledgeEventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PledgeTrace)
class PledgeTraceAdmin(admin.ModelAdmin):
    list_display = ["pseudonym", "commune_insee_code", "last_status", "submitted_at", "erased_at"]
    readonly_fields = [field.name for field in PledgeTrace._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
