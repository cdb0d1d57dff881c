"""« Mises à jour du suivi » in the admin: the moderation queue of the follow-up.

Staff with the moderation permission (the « Modération » group: view and change
followupupdate) see the updates of their régions (pledges.moderation.scope.limit), pending
first and oldest first, filtered by state, status, author and place; they approve or reject
one (from its page) or many (the changelist's actions; a rejection asks for the note the
authors receive, on an intermediate page). Every decision goes through
pledges.follow_up.services, audited. A pending update's document is opened from its page
(`document/`), the same download as the public one.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from config.site import client_ip
from pledges.follow_up.services import REGION_PATH, approve_update, reject_update
from pledges.follow_up.views import document_response
from pledges.models import FollowUpUpdate
from pledges.moderation.admin.filters import DepartementFilter, RegionFilter
from pledges.moderation.scope import limit

MODERATE = "pledges.moderate_pledge"
State = FollowUpUpdate.State
COMMUNE_PATH = "signed_commitment__pledge__candidate__commune"
NAMES_SHOWN = 20
# The queue's order: pending first, then the decided ones; oldest first within each.
QUEUE_RANK = Case(
    When(state=State.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
)


class FollowUpRegionFilter(RegionFilter):
    commune_path = COMMUNE_PATH


class FollowUpDepartementFilter(DepartementFilter):
    commune_path = COMMUNE_PATH


class RejectionForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Motif du refus (envoyé à l’auteur·e)"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=2000,
        error_messages={
            "required": gettext_lazy(
                "Dites pourquoi la mise à jour est refusée : son auteur·e le lira."
            )
        },
    )


@admin.register(FollowUpUpdate)
class FollowUpUpdateAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "commitment_code",
        "signatory",
        "commune_name",
        "status",
        "author_role",
        "author_name",
        "state",
    ]
    list_filter = [
        "state",
        "status",
        "author_role",
        FollowUpRegionFilter,
        FollowUpDepartementFilter,
    ]
    list_per_page = 50
    show_full_result_count = False
    actions = ["approve_action", "reject_action"]
    fields = [
        "signature_link",
        "commitment_text",
        "status",
        "text",
        "link",
        "document_link",
        "source",
        "author_name",
        "author_role",
        "author",
        "created_at",
        "state",
        "decided_at",
        "decided_by",
        "decision_note",
    ]
    readonly_fields = fields
    change_form_template = "admin/pledges/followupupdate/change_form.html"

    # -- permissions: moderators see and decide; nobody adds or edits an update here

    def has_module_permission(self, request):
        return request.user.has_perm(MODERATE) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(MODERATE) or super().has_view_permission(request, obj)

    def has_moderate_permission(self, request):
        return request.user.has_perm(MODERATE) or request.user.has_perm(
            "pledges.change_followupupdate"
        )

    def has_add_permission(self, request):
        return False  # written by pledges.follow_up.services.post_update

    def has_change_permission(self, request, obj=None):
        return False  # decided through the actions, never edited

    def has_delete_permission(self, request, obj=None):
        return False

    # -- rows

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .select_related(
                "signed_commitment__commitment__proposal",
                "signed_commitment__pledge__candidate__commune",
                "signed_commitment__pledge__electoral_list",
                "decided_by",
                "author",
            )
        )
        return limit(queryset, request.user, REGION_PATH)

    def get_ordering(self, request):
        return [QUEUE_RANK.asc(), "created_at", "pk"]

    def get_object(self, request, object_id, from_field=None):
        found = super().get_object(request, object_id, from_field)
        if found is None:
            raise Http404(_("Cette mise à jour n’existe pas ou n’est pas dans votre périmètre."))
        return found

    @admin.display(description=gettext_lazy("engagement"))
    def commitment_code(self, obj):
        return obj.signed_commitment.commitment.code

    @admin.display(description=gettext_lazy("engagement"))
    def commitment_text(self, obj):
        commitment = obj.signed_commitment.commitment
        return f"{commitment.code} — {commitment.text}"

    @admin.display(description=gettext_lazy("liste ou signataire"))
    def signatory(self, obj):
        signature = obj.signed_commitment.pledge
        if signature.electoral_list_id:
            return signature.electoral_list.name
        return signature.candidate.full_name

    @admin.display(description=gettext_lazy("signature"))
    def signature_link(self, obj):
        signature = obj.signed_commitment.pledge
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:pledges_signature_change", args=[signature.pk]),
            self.signatory(obj),
            reverse("pledges:follow_up_signature", kwargs={"pk": signature.pk}),
            _("suivi public"),
        )

    @admin.display(description=gettext_lazy("commune"))
    def commune_name(self, obj):
        commune = obj.signed_commitment.pledge.candidate.commune
        return f"{commune.name} ({commune.departement_id})"

    @admin.display(description=gettext_lazy("document (PDF ou image)"))
    def document_link(self, obj):
        if not obj.document:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:pledges_followupupdate_document", args=[obj.pk]),
            _("Télécharger le document"),
        )

    # -- decisions

    def _decide(self, request, updates, decide) -> tuple[int, list[str]]:
        done, refused = 0, []
        for update in updates:
            try:
                decide(update)
            except ValidationError as error:
                refused.append(f"{update.signed_commitment.commitment.code} : {error.messages[0]}")
            else:
                done += 1
        return done, refused

    def _report(self, request, done: int, refused: list[str], *, approved: bool) -> None:
        if done:
            text = (
                ngettext("%(count)d mise à jour publiée.", "%(count)d mises à jour publiées.", done)
                if approved
                else ngettext(
                    "%(count)d mise à jour refusée.", "%(count)d mises à jour refusées.", done
                )
            )
            self.message_user(request, text % {"count": done}, messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)

    def _approve(self, request, updates) -> None:
        ip = client_ip(request)
        done, refused = self._decide(
            request, updates, lambda update: approve_update(update, request.user, ip_address=ip)
        )
        self._report(request, done, refused, approved=True)

    @admin.action(
        description=gettext_lazy("Publier les mises à jour choisies"), permissions=["moderate"]
    )
    def approve_action(self, request, queryset):
        pending = list(queryset.filter(state=State.PENDING))
        skipped = queryset.exclude(state=State.PENDING).count()
        self._approve(request, pending)
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d mise à jour déjà modérée est laissée telle quelle.",
                    "%(count)d mises à jour déjà modérées sont laissées telles quelles.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(
        description=gettext_lazy("Refuser les mises à jour choisies"), permissions=["moderate"]
    )
    def reject_action(self, request, queryset):
        pending = queryset.filter(state=State.PENDING)
        form = RejectionForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            ip = client_ip(request)
            note = form.cleaned_data["note"]
            done, refused = self._decide(
                request,
                list(pending),
                lambda update: reject_update(update, request.user, note=note, ip_address=ip),
            )
            self._report(request, done, refused, approved=False)
            return None
        select_across = request.POST.get("select_across") == "1"
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        count = pending.count()
        return TemplateResponse(
            request,
            "admin/pledges/followupupdate/reject.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Refuser des mises à jour du suivi"),
                "form": form,
                "action": "reject_action",
                "count": count,
                "updates": list(pending[:NAMES_SHOWN]),
                "more": max(0, count - NAMES_SHOWN),
                "select_across": select_across,
                "selected": selected[:1] if select_across else selected,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def response_action(self, request, queryset):
        """A forged selection (not ids) is said, not a server error."""
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(value.isascii() and value.isdigit() for value in selected):
            self.message_user(
                request,
                _("La sélection envoyée n’est pas valable : cochez à nouveau les mises à jour."),
                messages.ERROR,
            )
            return None
        return super().response_action(request, queryset)

    # -- one update's page: decide it, open its document

    def get_urls(self):
        return [
            path(
                "<int:pk>/decider/",
                self.admin_site.admin_view(self.decide_view),
                name="pledges_followupupdate_decide",
            ),
            path(
                "<int:pk>/document/",
                self.admin_site.admin_view(self.document_view),
                name="pledges_followupupdate_document",
            ),
            *super().get_urls(),
        ]

    def _scoped(self, request, pk) -> FollowUpUpdate:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def document_view(self, request, pk):
        update = self._scoped(request, pk)
        if not update.document:
            raise Http404("Pas de document.")
        return document_response(update)

    def decide_view(self, request, pk):
        update = self._scoped(request, pk)
        if request.method != "POST" or not self.has_moderate_permission(request):
            raise PermissionDenied
        page = reverse("admin:pledges_followupupdate_change", args=[update.pk])
        ip = client_ip(request)
        try:
            if request.POST.get("decision") == "approve":
                approve_update(update, request.user, ip_address=ip)
                self.message_user(request, _("Mise à jour publiée."), messages.SUCCESS)
            elif request.POST.get("decision") == "reject":
                reject_update(
                    update, request.user, note=request.POST.get("note", ""), ip_address=ip
                )
                self.message_user(request, _("Mise à jour refusée."), messages.SUCCESS)
            else:
                raise PermissionDenied
        except ValidationError as error:
            self.message_user(request, error.messages[0], messages.ERROR)
        return HttpResponseRedirect(page)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_decide": self.has_moderate_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)
