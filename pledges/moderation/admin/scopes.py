"""Regional moderators' scopes in the admin: superusers give a staff account its régions.

A staff account without a scope sees every région; with one, only those régions
(pledges.moderation.scope). Only superusers see or change this page. The accounts' own admins
(users, groups, addresses) are hidden from scoped accounts.
"""

from allauth.account.models import EmailAddress
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communes.models import Region
from pledges.models import ModeratorScope
from pledges.moderation.scope import NationalOnlyMixin


class ModeratorScopeForm(forms.ModelForm):
    class Meta:
        model = ModeratorScope
        fields = ["user", "regions"]
        widgets = {"regions": forms.CheckboxSelectMultiple}
        help_texts = {
            "user": gettext_lazy(
                "Un compte de l’équipe (« statut équipe »), qui n’est pas superutilisateur."
            ),
            "regions": gettext_lazy("Le compte ne verra que ce qui se trouve dans ces régions."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            get_user_model().objects.filter(is_staff=True, is_superuser=False).order_by("username")
        )
        self.fields["regions"].queryset = Region.objects.all()
        self.fields["regions"].error_messages["required"] = _("Cochez au moins une région.")
        self.fields["user"].error_messages["invalid_choice"] = _(
            "Choisissez un compte de l’équipe qui n’est pas superutilisateur."
        )


@admin.register(ModeratorScope)
class ModeratorScopeAdmin(admin.ModelAdmin):
    form = ModeratorScopeForm
    list_display = ["user", "region_names", "created_at"]
    search_fields = ["user__username", "user__email", "user__last_name"]
    list_select_related = ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("regions")

    @admin.display(description=gettext_lazy("régions"))
    def region_names(self, obj):
        return ", ".join(region.name for region in obj.regions.all())

    # Superusers alone give or take régions: a scope decides what an account may see.
    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


# Accounts (users, groups, addresses) are every région's personal data, tied to none: a
# scoped account never sees them, whatever permissions it was given.
def _national_only(model) -> None:
    registered = type(admin.site.get_model_admin(model))
    admin.site.unregister(model)
    admin.site.register(
        model, type(registered.__name__, (NationalOnlyMixin, registered), {"__module__": __name__})
    )


for _model in (get_user_model(), Group, EmailAddress):
    _national_only(_model)
