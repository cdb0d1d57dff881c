from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pledges.models import Campaign, Commitment, Proposal
from pledges.models.charter import SigningOverride
from pledges.signing.rounds import override_signing, signing_phase

OVERRIDE_FIELDS = [
    "signing_override",
    "signing_override_at",
    "signing_override_by",
    "signing_override_note",
]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "title",
        "first_round_polls_open_at",
        "second_round_polls_open_at",
        "is_current",
        "signing_override",
        "phase",
    ]
    prepopulated_fields = {"slug": ["name"]}
    # The override changes only through the actions below (dated and audited).
    readonly_fields = OVERRIDE_FIELDS
    actions = ["force_signing_open", "force_signing_closed", "signing_by_dates"]

    @admin.display(description=gettext_lazy("où en sont les signatures"))
    def phase(self, obj):
        return signing_phase(obj).label

    def _override(self, request, queryset, state):
        for campaign in queryset:
            try:
                override_signing(
                    campaign=campaign,
                    moderator=request.user,
                    state=state,
                    note=_("Décision prise depuis l’administration de la charte."),
                )
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return
        self.message_user(request, _("Décision enregistrée dans le journal."), messages.SUCCESS)

    @admin.action(
        description=gettext_lazy("Forcer l’ouverture des signatures"), permissions=["change"]
    )
    def force_signing_open(self, request, queryset):
        self._override(request, queryset, SigningOverride.OPEN)

    @admin.action(
        description=gettext_lazy("Forcer la fermeture des signatures"), permissions=["change"]
    )
    def force_signing_closed(self, request, queryset):
        self._override(request, queryset, SigningOverride.CLOSED)

    @admin.action(description=gettext_lazy("Revenir aux dates des tours"), permissions=["change"])
    def signing_by_dates(self, request, queryset):
        self._override(request, queryset, SigningOverride.AUTO)


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
