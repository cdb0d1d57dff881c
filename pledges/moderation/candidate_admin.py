"""The candidates' profiles in the admin: staff identity edits go through the audited service."""

from django.contrib import admin
from django.db import models

from candidates.models import Candidate
from config.site import client_ip
from pledges.moderation.services import edit_candidate_identity


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "commune", "role", "list_name"]
    list_select_related = ["commune"]
    search_fields = ["last_name", "first_name", "list_name", "commune__name", "user__email"]
    raw_id_fields = ["user", "commune"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj is not None else []

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
