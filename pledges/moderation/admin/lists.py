"""Lists in the admin: verify a list once, settle claims to head it, decide joins.

A list's page shows its head, its secteur, its signature's status (approving the signature,
from the moderation queue, verifies the list), its colistiers with their statuses, the
open claims to head it, and `joins_need_staff`. Staff with `pledges.moderate_pledge`
settle a claim (give the list to the claimant, or close it), confirm or refuse a request
to join, and correct the list's name, label or website; each goes through
pledges.moderation.services, which audits it.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communes.grammar import a_lieu, elide
from communes.models import Commune
from communes.search import normalize_name
from config.site import client_ip
from pledges.models import ElectoralList, ListClaim, ListMembership, Signature
from pledges.models.lists import list_name_key
from pledges.moderation.admin.filters import DepartementFilter, RegionFilter, SelectFilter
from pledges.moderation.needs import members_count
from pledges.moderation.scope import COMMUNE_REGION, ScopedAdminMixin, limit
from pledges.moderation.services import (
    LIST_FIELDS,
    decide_list_join,
    edit_list,
    list_signature,
    settle_list_claim,
)

MODERATE = "pledges.moderate_pledge"


def _open_claims():
    return ListClaim.objects.filter(electoral_list=OuterRef("pk"), settled_at__isnull=True)


class ListRegionFilter(RegionFilter):
    commune_path = "commune"


class ListDepartementFilter(DepartementFilter):
    commune_path = "commune"


class ListCommuneFilter(SelectFilter):
    """The communes that have lists (of the chosen département, if one is chosen)."""

    title = gettext_lazy("commune")
    parameter_name = "commune"

    def lookups(self, request, model_admin):
        communes = limit(
            Commune.objects.filter(Exists(ElectoralList.objects.filter(commune=OuterRef("pk")))),
            request.user,
            "departement__region",
        )
        departement = request.GET.get("departement")
        if departement:
            communes = communes.filter(departement_id=departement)
        return [
            (code, f"{name} ({code})")
            for code, name in communes.order_by("name").values_list("insee_code", "name")
        ]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(commune__insee_code=self.value())
        return queryset


class ToReviewFilter(admin.SimpleListFilter):
    """« À vérifier »: flagged for staff (review note), or claimed by another person."""

    title = gettext_lazy("à vérifier")
    parameter_name = "a_verifier"

    def lookups(self, request, model_admin):
        return [
            ("note", _("oui : note à vérifier")),
            ("revendication", _("oui : tête de liste revendiquée")),
            ("non", _("non")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "note":
            return queryset.exclude(review_note="")
        if self.value() == "revendication":
            return queryset.filter(Exists(_open_claims()))
        if self.value() == "non":
            return queryset.filter(review_note="").exclude(Exists(_open_claims()))
        return queryset


class SignatureStatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("signature")
    parameter_name = "signature"

    def lookups(self, request, model_admin):
        return [("aucune", _("pas encore signée")), *Signature.Status.choices]

    def queryset(self, request, queryset):
        if self.value() == "aucune":
            return queryset.filter(signature__isnull=True)
        if self.value() in Signature.Status.values:
            return queryset.filter(signature__status=self.value())
        return queryset


class ElectoralListForm(forms.ModelForm):
    """The admin's form (the admin adds the other LIST_FIELDS): a new name must be free in
    the list's commune or secteur, said on the form rather than failing in the service."""

    class Meta:
        model = ElectoralList
        fields = ["name"]

    def clean_name(self):
        name = self.cleaned_data["name"]
        if not list_name_key(name):
            raise forms.ValidationError(_("Une liste a un nom : des lettres ou des chiffres."))
        instance = self.instance
        taken = (
            ElectoralList.objects.same_name(
                campaign=instance.campaign,
                commune=instance.commune,
                secteur=instance.secteur,
                name=name,
            )
            .exclude(pk=instance.pk)
            .exists()
        )
        if taken:
            raise forms.ValidationError(
                _("Une autre liste s’appelle déjà ainsi %(place)s.")
                % {"place": a_lieu(instance.place)}
            )
        return name


@admin.register(ElectoralList)
class ElectoralListAdmin(ScopedAdminMixin, admin.ModelAdmin):
    region_path = COMMUNE_REGION
    form = ElectoralListForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "name",
        "place",
        "head",
        "signature_status",
        "members",
        "open_claims",
        "to_review",
    ]
    list_filter = [
        ListRegionFilter,
        ListDepartementFilter,
        ListCommuneFilter,
        ToReviewFilter,
        SignatureStatusFilter,
    ]
    search_fields = ["name"]
    search_help_text = gettext_lazy("Nom de la liste (sans accents ni majuscules) ou code INSEE.")
    list_per_page = 50
    show_full_result_count = False
    fieldsets = [
        (
            gettext_lazy("Liste"),
            {"fields": ["campaign", "commune", "secteur", "head", "signature_link", "created_at"]},
        ),
        (
            gettext_lazy("Corrections de l’équipe"),
            {"fields": list(LIST_FIELDS)},
        ),
        (gettext_lazy("Données officielles"), {"fields": ["panel_number", "nuance"]}),
    ]
    readonly_fields = [
        "campaign",
        "commune",
        "secteur",
        "head",
        "signature_link",
        "created_at",
        "panel_number",
        "nuance",
    ]
    change_form_template = "admin/pledges/electorallist/change_form.html"

    # -- permissions: moderators (pledges.moderate_pledge) see and correct lists

    def has_module_permission(self, request):
        return request.user.has_perm(MODERATE) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(MODERATE) or super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(MODERATE)

    def has_add_permission(self, request):
        return False  # a list is created by its head when they sign

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # -- rows

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("commune", "secteur", "head", "signature")
            .annotate(
                member_count=members_count("pk"),
                has_open_claim=Exists(_open_claims()),
            )
        )

    def get_search_results(self, request, queryset, search_term):
        """The list's normalised name (its `name_key`, indexed with the commune), or a
        commune's INSEE code."""
        term = search_term.strip()[:100]
        if not term:
            return queryset, False
        if len(term) == 5 and term[:2].isalnum() and term[2:].isdigit():
            return queryset.filter(Q(commune__insee_code=term.upper())), False
        key = normalize_name(term).replace(" ", "")
        if not key:
            return queryset.none(), False
        return queryset.filter(name_key__contains=key), False

    @admin.display(description=gettext_lazy("lieu"), ordering="commune__name")
    def place(self, obj):
        return obj.place

    @admin.display(description=gettext_lazy("signature"))
    def signature_status(self, obj):
        signature = _signature_of(obj)
        return signature.get_status_display() if signature else _("pas encore signée")

    @admin.display(description=gettext_lazy("colistier·es"), ordering="member_count")
    def members(self, obj):
        return obj.member_count

    @admin.display(description=gettext_lazy("revendiquée"), boolean=True)
    def open_claims(self, obj):
        return obj.has_open_claim

    @admin.display(description=gettext_lazy("note à vérifier"), boolean=True)
    def to_review(self, obj):
        return bool(obj.review_note)

    @admin.display(description=gettext_lazy("signature"))
    def signature_link(self, obj):
        signature = _signature_of(obj)
        if signature is None:
            return _("pas encore signée")
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:pledges_signature_change", args=[signature.pk]),
            _("%(status)s — ouvrir la signature (la valider vérifie la liste)")
            % {"status": signature.get_status_display()},
        )

    # -- saving: through the audited service

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        original = ElectoralList.objects.get(pk=obj.pk)
        for name in changes:
            setattr(obj, name, getattr(original, name))
        edit_list(
            electoral_list=obj,
            moderator=request.user,
            changes=changes,
            ip_address=client_ip(request),
        )
        obj.refresh_from_db()

    # -- the page: members, claims, and their decisions

    def change_view(self, request, object_id, form_url="", extra_context=None):
        electoral_list = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if electoral_list is not None:
            extra_context.update(
                {
                    "memberships": electoral_list.memberships.select_related(
                        "candidate", "decided_by"
                    ).order_by("requested_at", "pk"),
                    "open_claims": electoral_list.claims.filter(
                        settled_at__isnull=True
                    ).select_related("candidate__commune"),
                    "settled_claims": electoral_list.claims.filter(
                        settled_at__isnull=False
                    ).select_related("candidate", "settled_by"),
                    "list_signature": list_signature(electoral_list),
                    "can_moderate": request.user.has_perm(MODERATE),
                    "Membership": ListMembership.Status,
                }
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                "<int:list_id>/adhesions/<int:membership_id>/<slug:decision>/",
                self.admin_site.admin_view(self.join_view),
                name="pledges_electorallist_join",
            ),
            path(
                "<int:list_id>/revendications/<int:claim_id>/<slug:decision>/",
                self.admin_site.admin_view(self.claim_view),
                name="pledges_electorallist_claim",
            ),
            *super().get_urls(),
        ]

    def _lists_in_scope(self, request):
        return limit(ElectoralList.objects.all(), request.user, COMMUNE_REGION).values("pk")

    def _decided(self, request, list_id, run) -> HttpResponseRedirect:
        back = HttpResponseRedirect(reverse("admin:pledges_electorallist_change", args=[list_id]))
        if request.method != "POST":
            return back
        if not request.user.has_perm(MODERATE):
            raise PermissionDenied
        try:
            done = run()
        except ValidationError as error:
            for message in error.messages:
                self.message_user(request, message, messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return back

    def join_view(self, request, list_id, membership_id, decision):
        if decision not in JOIN_DECISIONS:
            raise Http404
        # Of a list in the moderator's régions (pledges.moderation.scope), else a 404.
        membership = get_object_or_404(
            ListMembership.objects.select_related("candidate"),
            pk=membership_id,
            electoral_list__in=self._lists_in_scope(request),
            electoral_list_id=list_id,
        )

        def run():
            decide_list_join(
                membership=membership,
                moderator=request.user,
                accept=decision == "confirmer",
                ip_address=client_ip(request),
            )
            return JOIN_DECISIONS[decision] % _names(membership.candidate.full_name)

        return self._decided(request, list_id, run)

    def claim_view(self, request, list_id, claim_id, decision):
        if decision not in CLAIM_DECISIONS:
            raise Http404
        claim = get_object_or_404(
            ListClaim.objects.select_related("candidate"),
            pk=claim_id,
            electoral_list__in=self._lists_in_scope(request),
            electoral_list_id=list_id,
        )

        def run():
            settle_list_claim(
                claim=claim,
                moderator=request.user,
                give_list=decision == "donner",
                note=request.POST.get("note", "").strip()[:2000],
                ip_address=client_ip(request),
            )
            return CLAIM_DECISIONS[decision] % _names(claim.candidate.full_name)

        return self._decided(request, list_id, run)


JOIN_DECISIONS = {
    "confirmer": gettext_lazy("Adhésion %(of_name)s confirmée : la personne est prévenue."),
    "refuser": gettext_lazy("Adhésion %(of_name)s refusée : la personne est prévenue."),
}
CLAIM_DECISIONS = {
    "donner": gettext_lazy("La liste est confiée à %(name)s : nouvelle tête de liste."),
    "clore": gettext_lazy("Revendication %(of_name)s close : la tête de liste ne change pas."),
}


def _names(name: str) -> dict[str, str]:
    """« Ana Vidal », and « d’Ana Vidal » or « de Paul Morel »."""
    return {"name": name, "of_name": elide("de", name)}


def _signature_of(electoral_list: ElectoralList) -> Signature | None:
    try:
        return electoral_list.signature
    except Signature.DoesNotExist:
        return None
