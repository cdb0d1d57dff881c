from django.contrib import admin

from pledges.models import Campaign, Commitment, Proposal


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
    list_filter = ["proposal__campaign", "proposal"]
    list_select_related = ["proposal"]
    search_fields = ["text"]
    ordering = ["proposal__campaign", "proposal__number", "position"]

    def get_readonly_fields(self, request, obj=None):
        # A signed sentence can't change under its signatures.
        if obj is not None and obj.wording_is_locked():
            return ["proposal", "position", "text"]
        return []
