"""The candidates' profiles in the admin: staff identity edits go through the audited service.

Staff see each candidate's ballot choice against the population hint, with the one-line
explanation (`ballot_note`) a candidate gives when they overrule it, and can list those.
A regional moderator sees the candidates (and their correction requests) of their régions
only: candidates/admin.py cannot import pledges, so its CorrectionRequest admin is
registered again here, scoped (pledges.moderation.scope).
"""

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from candidates import admin as candidates_admin
from candidates.models import Candidate, CorrectionRequest
from config.site import client_ip
from pledges.moderation.ballot import against_the_hint, ballot_choice
from pledges.moderation.scope import COMMUNE_REGION, ScopedAdminMixin
from pledges.moderation.services import edit_candidate_identity


class AgainstTheHintFilter(admin.SimpleListFilter):
    title = gettext_lazy("mode de scrutin")
    parameter_name = "scrutin"

    def lookups(self, request, model_admin):
        return [
            ("contraire", _("mode de scrutin contraire à l’indication")),
            ("conforme", _("conforme à l’indication")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "contraire":
            return queryset.filter(against_the_hint())
        if self.value() == "conforme":
            return queryset.exclude(against_the_hint())
        return queryset


@admin.register(Candidate)
class CandidateAdmin(ScopedAdminMixin, admin.ModelAdmin):
    region_path = COMMUNE_REGION
    list_display = ["last_name", "first_name", "commune", "role", "list_name", "ballot"]
    list_select_related = ["commune"]
    list_filter = ["role", AgainstTheHintFilter]
    search_fields = ["last_name", "first_name", "list_name", "commune__name", "user__email"]
    raw_id_fields = ["user", "commune"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=gettext_lazy("mode de scrutin"))
    def ballot(self, obj):
        choice = ballot_choice(obj)
        return f"{choice} — « {obj.ballot_note} »" if obj.ballot_note else choice

    def get_readonly_fields(self, request, obj=None):
        # The consent beside the label and statement: a record, never edited by staff.
        consent = ["opinions_consent_text", "opinions_consent_at"]
        return ["user", "ballot", *consent] if obj is not None else ["ballot", *consent]

    def save_model(self, request, obj, form, change):
        identity = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in Candidate.IDENTITY_FIELDS
        }
        if not (change and identity):
            super().save_model(request, obj, form, change)
            return
        # Identity changes go through the service, which records them in the audit log.
        original = Candidate.objects.get(pk=obj.pk)
        for name in identity:
            setattr(obj, name, getattr(original, name))
        super().save_model(request, obj, form, change)
        edit_candidate_identity(
            candidate=obj, moderator=request.user, changes=identity, ip_address=client_ip(request)
        )


admin.site.unregister(CorrectionRequest)


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(ScopedAdminMixin, candidates_admin.CorrectionRequestAdmin):
    region_path = f"candidate__{COMMUNE_REGION}"
