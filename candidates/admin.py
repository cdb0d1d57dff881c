from django.contrib import admin

from candidates.models import Candidate, CorrectionRequest


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "commune", "role", "list_name"]
    list_select_related = ["commune"]
    search_fields = ["last_name", "first_name", "list_name", "commune__name", "user__email"]
    raw_id_fields = ["user", "commune"]


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(admin.ModelAdmin):
    list_display = ["candidate", "created_at", "handled_at"]
    list_select_related = ["candidate"]
    readonly_fields = ["candidate", "message", "created_at"]
