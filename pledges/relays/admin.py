"""Relays in the admin: staff create them (name, territory, contact) and invite their contact.

Creating, changing and inviting need `pledges.add_relay` / `pledges.change_relay` (superusers,
or an account given them); the « Modération » group has `view_relay` and `view_relaylink`, so
moderators read relays and their links without changing them. A regional moderator sees the
relays whose territory touches their régions (pledges.moderation.scope). A relay's page lists
its accounts, the lists it invited and the signatures its links brought — to staff only.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from config.site import client_ip
from pledges.models import ListInvitation, Relay, RelayLink, Signature
from pledges.moderation.scope import ALL, limit, regions_of
from pledges.relays.services import invite_relay, limit_relays

SHOWN = 200


def _out_of_scope_is_404(found, request):
    """For a regional moderator, an object outside their régions is a 404, as an unknown
    one, never the admin's redirect to its index (pledges.moderation.scope)."""
    if found is None and regions_of(request.user) is not ALL:
        raise Http404(_("Cet élément n’existe pas ou n’est pas dans votre périmètre."))
    return found


SIGNATURE_REGION = "candidate__commune__departement__region"
OFFICIAL_LIST_REGION = "official_list__commune__departement__region"


@admin.register(Relay)
class RelayAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "territory",
        "contact_name",
        "invited_at",
        "accepted_at",
        "is_active",
        "signature_count",
    ]
    # No filter by région or by relay: its choices would name those outside a regional
    # moderator's régions (the search finds a relay by name).
    list_filter = ["is_active"]
    search_fields = ["name", "contact_name"]
    autocomplete_fields = ["regions", "departements", "communes"]
    fieldsets = [
        (None, {"fields": ["name", "is_active"]}),
        (
            gettext_lazy("Territoire"),
            {
                "fields": ["regions", "departements", "communes"],
                "description": gettext_lazy(
                    "Des régions, des départements ou des communes (ou plusieurs à la fois) : "
                    "le relais voit les listes officielles de toutes leurs communes."
                ),
            },
        ),
        (
            gettext_lazy("Contact"),
            {"fields": ["contact_name", "contact_email", "contact_phone"]},
        ),
        (
            gettext_lazy("Compte du relais"),
            {"fields": ["account_list", "invited_at", "accepted_at", "created_at"]},
        ),
    ]
    readonly_fields = ["account_list", "invited_at", "accepted_at", "created_at"]
    actions = ["invite_action"]
    change_form_template = "pledges/relays/admin_change_form.html"

    def get_queryset(self, request):
        # distinct: a regional moderator's filter joins the territory's rows; ordered again,
        # as an aggregate's GROUP BY drops Meta.ordering (the changelist's pagination).
        queryset = (
            super()
            .get_queryset(request)
            .annotate(n_signatures=Count("signatures", distinct=True))
            .order_by("name", "pk")
        )
        return limit_relays(queryset, request.user).prefetch_related(
            "regions", "departements", "communes"
        )

    def get_object(self, request, object_id, from_field=None):
        return _out_of_scope_is_404(super().get_object(request, object_id, from_field), request)

    def save_model(self, request, obj, form, change):
        if obj.created_at is None:
            obj.created_at = timezone.now()
        super().save_model(request, obj, form, change)

    @admin.display(description=gettext_lazy("territoire"))
    def territory(self, obj):
        parts = [
            *(region.name for region in obj.regions.all()),
            *(f"{d.code} {d.name}" for d in obj.departements.all()),
            *(f"{c.name} ({c.departement_id})" for c in obj.communes.all()),
        ]
        if len(parts) > 4:
            return ", ".join(parts[:4]) + " …"
        return ", ".join(parts) or "—"

    @admin.display(description=gettext_lazy("signatures venues par ses liens"))
    def signature_count(self, obj):
        return getattr(obj, "n_signatures", 0)

    @admin.display(description=gettext_lazy("comptes"))
    def account_list(self, obj):
        if obj.pk is None:
            return "—"
        return ", ".join(user.email for user in obj.accounts.order_by("email")) or "—"

    @admin.action(description=gettext_lazy("Inviter (courriel au contact)"), permissions=["change"])
    def invite_action(self, request, queryset):
        sent, errors = [], []
        for relay in queryset:
            try:
                invite_relay(relay=relay, actor=request.user, ip_address=client_ip(request))
            except (ValidationError, PermissionDenied) as error:
                errors.extend(getattr(error, "messages", None) or [str(error)])
            else:
                sent.append(relay)
        if sent:
            self.message_user(
                request,
                ngettext(
                    "Invitation envoyée au contact de %(count)d relais : %(names)s.",
                    "Invitations envoyées aux contacts de %(count)d relais : %(names)s.",
                    len(sent),
                )
                % {"count": len(sent), "names": ", ".join(r.name for r in sent)},
                messages.SUCCESS,
            )
        for message in errors:
            self.message_user(request, message, messages.ERROR)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        relay = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if relay is not None:
            signatures = limit(
                Signature.objects.filter(relay=relay).select_related(
                    "candidate__commune", "electoral_list"
                ),
                request.user,
                SIGNATURE_REGION,
            ).order_by("-submitted_at")
            invitations = limit(
                ListInvitation.objects.filter(relay=relay).select_related(
                    "official_list__commune", "campaign"
                ),
                request.user,
                OFFICIAL_LIST_REGION,
            ).order_by("-at", "-pk")
            extra_context.update(
                {
                    "relay_signatures": signatures[:SHOWN],
                    "relay_signature_count": signatures.count(),
                    "relay_invitations": invitations[:SHOWN],
                    "relay_invitation_count": invitations.count(),
                }
            )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(RelayLink)
class RelayLinkAdmin(admin.ModelAdmin):
    """The links relays made (read only: a relay makes them from its space)."""

    list_display = ["code", "relay", "official_list", "created_at"]
    search_fields = ["code", "relay__name", "official_list__name"]
    list_select_related = ["relay", "official_list"]
    readonly_fields = ["relay", "official_list", "code", "created_at"]
    fields = readonly_fields

    def get_queryset(self, request):
        return limit(super().get_queryset(request), request.user, OFFICIAL_LIST_REGION)

    def get_object(self, request, object_id, from_field=None):
        return _out_of_scope_is_404(super().get_object(request, object_id, from_field), request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
