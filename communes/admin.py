"""Reference data: searchable, read-only (it comes from the import command)."""

from django.contrib import admin

from communes.models import Arrondissement, Commune, Departement, Region, Secteur


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records staff look up and never change here: the imported reference data (which
    `manage.py import_communes` changes), and the records moderation keeps."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Departement)
class DepartementAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name"]
    list_select_related = ["region"]


class ArrondissementInline(admin.TabularInline):
    model = Arrondissement
    fields = ["insee_code", "name", "postal_codes", "population"]
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Commune)
class CommuneAdmin(ReadOnlyAdmin):
    list_display = [
        "insee_code",
        "name",
        "departement",
        "postal_codes",
        "population",
        "elects_council",
    ]
    list_filter = ["elects_council", "departement__region", "departement"]
    list_select_related = ["departement"]
    search_fields = ["insee_code", "name", "postal_codes"]
    inlines = [ArrondissementInline]
    show_full_result_count = False


@admin.register(Secteur)
class SecteurAdmin(ReadOnlyAdmin):
    list_display = ["name", "commune", "number", "arrondissement_codes"]
    list_filter = ["commune"]
