"""The official roster in the admin, read only: the imports (with their report) and the
candidates as imported. The lists have their own admin, with the campaign's workflow
(pledges/roster/admin.py). Files are imported with `manage.py import_candidatures`, not here.
The elected (`manage.py import_elus`) likewise: the imports of the RNE's file and the
councillors as imported, with the candidacy each was tied to (pledges.outcomes).
"""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from candidates.official.models import (
    ElectedCouncillor,
    ElectedImport,
    OfficialCandidate,
    RosterImport,
)
from communes.search import normalize_name


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RosterImport)
class RosterImportAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "kind",
        "tour",
        "file_name",
        "rows_read",
        "candidates_added",
        "candidates_updated",
        "candidates_gone",
        "lists_added",
        "lists_updated",
        "lists_gone",
        "unplaced",
    ]
    list_filter = ["tour", "kind"]
    date_hierarchy = "started_at"
    fieldsets = [
        (None, {"fields": ["kind", "tour", "file_name", "file_sha256", "encoding"]}),
        (_("Exécution"), {"fields": ["started_at", "finished_at", "imported_by"]}),
        (
            _("Résultat"),
            {
                "fields": [
                    "rows_read",
                    ("candidates_added", "candidates_updated", "candidates_gone"),
                    ("lists_added", "lists_updated", "lists_gone"),
                    "unplaced",
                    "report_text",
                ]
            },
        ),
    ]
    readonly_fields = ["report_text"]

    @admin.display(description=_("rapport"))
    def report_text(self, obj):
        if not obj.report:
            return _("Toutes les lignes ont été placées, aucune réparation.")
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', obj.report)


class StandingFilter(admin.SimpleListFilter):
    title = _("dans le dernier fichier")
    parameter_name = "dans_le_dernier_fichier"

    def lookups(self, request, model_admin):
        return [("oui", _("oui")), ("non", _("non, disparu·e"))]

    def queryset(self, request, queryset):
        if self.value() == "oui":
            return queryset.filter(gone_at__isnull=True)
        if self.value() == "non":
            return queryset.filter(gone_at__isnull=False)
        return queryset


@admin.register(OfficialCandidate)
class OfficialCandidateAdmin(ReadOnlyAdmin):
    list_display = [
        "last_name",
        "first_name",
        "commune",
        "secteur",
        "official_list",
        "panel_number",
        "number",
        "tour",
        "kind",
        "standing",
    ]
    list_filter = ["tour", "kind", StandingFilter, "sex"]
    list_select_related = ["commune__departement", "secteur", "official_list"]
    # A name (« prénom nom » or part of it, without regard to accents or case) or an INSEE code.
    search_fields = ["=commune__insee_code"]
    search_help_text = _("Nom, prénom (sans souci des accents) ou code INSEE de la commune.")
    # 900,000 rows: no COUNT(*) of the whole table on every page.
    show_full_result_count = False
    fields = [
        "tour",
        "kind",
        "row_key",
        "commune",
        "secteur",
        "official_list",
        "panel_number",
        "number",
        "sex",
        "last_name",
        "first_name",
        "name_key",
        "nationality",
        "communautaire",
        "last_import",
        "gone_at",
    ]

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        key = normalize_name(search_term)
        if key:
            found |= queryset.filter(name_key__contains=key)
        return found, may_have_duplicates

    @admin.display(description=_("dans le dernier fichier"), boolean=True)
    def standing(self, obj):
        return obj.gone_at is None


@admin.register(ElectedImport)
class ElectedImportAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "file_name",
        "encoding",
        "rows_read",
        "added",
        "updated",
        "gone",
        "unplaced",
    ]
    date_hierarchy = "started_at"
    search_fields = ["file_name", "file_sha256"]
    fieldsets = [
        (None, {"fields": ["file_name", "file_sha256", "encoding", "delimiter_name"]}),
        (_("Exécution"), {"fields": ["started_at", "finished_at", "imported_by"]}),
        (
            _("Résultat"),
            {"fields": ["rows_read", ("added", "updated", "gone"), "unplaced", "report_text"]},
        ),
    ]
    readonly_fields = ["delimiter_name", "report_text"]

    @admin.display(description=_("séparateur"))
    def delimiter_name(self, obj):
        return _("tabulation") if obj.delimiter == "\t" else f"« {obj.delimiter} »"

    @admin.display(description=_("lignes écartées"))
    def report_text(self, obj):
        if not obj.report:
            return _("Toutes les lignes ont été importées.")
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', obj.report)


class SittingFilter(StandingFilter):
    """Councillors in the latest file, or gone from it (resigned, replaced)."""


@admin.register(ElectedCouncillor)
class ElectedCouncillorAdmin(ReadOnlyAdmin):
    list_display = [
        "last_name",
        "first_name",
        "commune",
        "function",
        "is_mayor",
        "mandate_start",
        "official_list",
        "roster_match",
        "standing",
    ]
    list_filter = ["is_mayor", "roster_match", SittingFilter, "sex"]
    list_select_related = ["commune__departement", "official_candidate__official_list"]
    search_fields = ["=commune__insee_code"]
    search_help_text = _("Nom, prénom (sans souci des accents) ou code INSEE de la commune.")
    # 500,000 rows: no COUNT(*) of the whole table on every page.
    show_full_result_count = False
    fields = [
        "row_key",
        "commune",
        "last_name",
        "first_name",
        "name_key",
        "sex",
        "birth_date",
        "mandate_start",
        "function",
        "is_mayor",
        "official_candidate",
        "roster_match",
        "first_import",
        "last_import",
        "gone_at",
    ]

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        key = normalize_name(search_term).replace(" ", "")
        if key:
            found |= queryset.filter(name_key__contains=key)
        return found, may_have_duplicates

    @admin.display(description=_("élu·e sur la liste"))
    def official_list(self, obj):
        candidacy = obj.official_candidate
        if candidacy is None:
            return "—"
        return candidacy.official_list or _("candidat·e à titre individuel")

    @admin.display(description=_("dans le dernier fichier"), boolean=True)
    def standing(self, obj):
        return obj.gone_at is None
