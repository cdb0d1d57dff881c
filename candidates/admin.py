from django.contrib import admin

from candidates.models import CorrectionRequest
from candidates.official import admin as official_admin  # noqa: F401 (registers the roster)

# The Candidate admin is pledges.moderation.candidate_admin: staff edits of an identity are
# moderation decisions (audited, the certificate re-issued).


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(admin.ModelAdmin):
    list_display = ["candidate", "created_at", "handled_at"]
    list_select_related = ["candidate"]
    readonly_fields = ["candidate", "message", "created_at"]
