"""The official lists in the admin: each list's answer, invitations, letters and refusals.

Staff with `pledges.moderate_pledge` (the « Modération » group) see every official list with
its answer to the campaign (pledges.roster.answers), filter them by région, département,
round and answer, and search them by commune, name or head. Actions, on one list or a
filtered set (« Tout sélectionner »):

- « Marquer comme invitée » asks the date, the channel and a note on an intermediate page
  (as Django's delete confirmation does), then records an invitation per list;
- « Imprimer les lettres d’invitation » returns one PDF, a page per list;
- « Enregistrer un refus » (one list) asks the date, the reason and whether it may be
  published.

A list's page shows its candidates, invitations and refusal, prints its letter, and e-mails
it to an address staff type. Everything writes through pledges.roster.invitations, audited.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from candidates.models import OfficialCandidate, OfficialList, RosterImport
from candidates.official import admin as official_admin
from communes.grammar import french_date
from communes.search import normalize_name
from config.site import client_ip
from pledges.models import Campaign, ListDecline, ListInvitation
from pledges.moderation.admin.filters import DepartementFilter, RegionFilter
from pledges.moderation.scope import COMMUNE_REGION, NationalOnlyMixin, ScopedAdminMixin, limit
from pledges.roster.answers import Answer, answers_for, signed_lists_condition
from pledges.roster.invitations import mark_invited, record_decline, send_letter_by_email
from pledges.roster.letters import (
    MAX_LETTERS_PER_PDF,
    letters_queryset,
    render_letters_pdf,
    short_link,
)

MODERATE = "pledges.moderate_pledge"
# Names shown on an action's intermediate page; the count says the rest.
NAMES_SHOWN = 20


class OfficialRegionFilter(RegionFilter):
    commune_path = "commune"


class OfficialDepartementFilter(DepartementFilter):
    commune_path = "commune"


def answer_condition(answer: str, campaign: Campaign) -> Q:
    """The lists of one answer, in SQL: signed (an approved signature, as the counts count
    it), else declined, else invited, else no answer yet."""
    signed = signed_lists_condition(campaign)
    declined = Exists(ListDecline.objects.filter(campaign=campaign, official_list=OuterRef("pk")))
    invited = Exists(ListInvitation.objects.filter(campaign=campaign, official_list=OuterRef("pk")))
    return {
        Answer.SIGNED: signed,
        Answer.DECLINED: ~signed & Q(declined),
        Answer.INVITED: ~signed & ~Q(declined) & Q(invited),
        Answer.NO_ANSWER: ~signed & ~Q(declined) & ~Q(invited),
    }[answer]


class AnswerFilter(admin.SimpleListFilter):
    title = gettext_lazy("réponse")
    parameter_name = "reponse"

    def lookups(self, request, model_admin):
        return Answer.choices

    def queryset(self, request, queryset):
        campaign = Campaign.objects.current()
        if self.value() in Answer.values and campaign is not None:
            return queryset.filter(answer_condition(self.value(), campaign))
        return queryset


class AnswersChangeList(ChangeList):
    """The page's answers, read once for its rows (answers_for), not once per row."""

    def get_results(self, request):
        super().get_results(request)
        answers = answers_for(self.result_list, campaign=Campaign.objects.current())
        for official_list in self.result_list:
            official_list.answer = answers.get(official_list.pk)


def answer_text(answer) -> str:
    if answer is None:
        return Answer.NO_ANSWER.label
    if answer.date is None:
        return str(answer.answer.label)
    return _("%(answer)s le %(date)s") % {
        "answer": answer.answer.label,
        "date": french_date(answer.date),  # a datetime is read in Paris time
    }


# ---------------------------------------------------------------- the forms of the actions


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class InvitationForm(forms.Form):
    at = forms.DateField(label=gettext_lazy("Date de l’invitation"), widget=DateInput())
    channel = forms.ChoiceField(label=gettext_lazy("Moyen"), choices=ListInvitation.Channel.choices)
    note = forms.CharField(
        label=gettext_lazy("Note (facultative)"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Par exemple « lettre remise à la permanence »."),
    )


class DeclineForm(forms.Form):
    at = forms.DateField(label=gettext_lazy("Date de la réponse"), widget=DateInput())
    reason = forms.CharField(
        label=gettext_lazy("Raison donnée par la liste (facultative)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    publish_reason = forms.BooleanField(
        label=gettext_lazy("La liste accepte que sa raison soit publiée"), required=False
    )


class LetterEmailForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Adresse électronique de la liste"),
        error_messages={
            "required": gettext_lazy("Indiquez l’adresse électronique de la liste."),
            "invalid": gettext_lazy("Cette adresse électronique n’est pas valide."),
        },
    )
    note = forms.CharField(label=gettext_lazy("Note (facultative)"), max_length=300, required=False)


@admin.register(OfficialList)
class OfficialListAdmin(ScopedAdminMixin, admin.ModelAdmin):
    # A regional moderator sees, invites, prints and records only their régions' lists.
    region_path = COMMUNE_REGION
    list_display = [
        "commune_name",
        "secteur",
        "panel_number",
        "name",
        "head",
        "nuance",
        "tour",
        "answer",
    ]
    list_filter = [OfficialRegionFilter, OfficialDepartementFilter, "tour", AnswerFilter]
    search_fields = ["name"]
    search_help_text = gettext_lazy(
        "Commune, nom de la liste ou de sa tête (sans accents ni majuscules), ou code INSEE."
    )
    list_per_page = 50
    show_full_result_count = False
    actions = ["mark_invited_action", "print_letters_action", "record_decline_action"]
    fields = [
        "tour",
        "commune",
        "secteur",
        "panel_number",
        "name",
        "short_name",
        "nuance",
        "head_first_name",
        "head_last_name",
        "candidate_count",
        "invitation_code",
        "continues",
        "gone_at",
    ]
    readonly_fields = fields
    change_form_template = "pledges/roster/admin_change_form.html"

    # -- permissions: moderators see the lists and record what they did

    def has_module_permission(self, request):
        return request.user.has_perm(MODERATE) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(MODERATE) or super().has_view_permission(request, obj)

    def has_moderate_permission(self, request):
        return request.user.has_perm(MODERATE)

    def has_add_permission(self, request):
        return False  # imported from the Ministry's files (import_candidatures)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # -- rows

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("commune__departement", "secteur")

    def get_changelist(self, request, **kwargs):
        return AnswersChangeList

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()[:100]
        if not term:
            return queryset, False
        if len(term) == 5 and term[:2].isalnum() and term[2:].isdigit():
            return queryset.filter(commune__insee_code=term.upper()), False
        spaced = normalize_name(term)
        key = spaced.replace(" ", "")
        if not key:
            return queryset.none(), False
        return (
            queryset.filter(
                Q(commune__search_key__contains=spaced)
                | Q(name_key__contains=key)
                | Q(short_name_key__contains=key)
                | Q(head_key__contains=key)
            ),
            False,
        )

    @admin.display(description=gettext_lazy("commune"), ordering="commune__name")
    def commune_name(self, obj):
        return f"{obj.commune.name} ({obj.commune.departement_id})"

    @admin.display(description=gettext_lazy("tête de liste"), ordering="head_last_name")
    def head(self, obj):
        return obj.head_name or "—"

    @admin.display(description=gettext_lazy("réponse"))
    def answer(self, obj):
        return answer_text(getattr(obj, "answer", None))

    # -- the actions

    def response_action(self, request, queryset):
        """A forged selection (not list ids) is said, not a server error."""
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(value.isascii() and value.isdigit() for value in selected):
            self.message_user(
                request,
                _("La sélection envoyée n’est pas valable : cochez à nouveau les listes."),
                messages.ERROR,
            )
            return None
        return super().response_action(request, queryset)

    def _action_page(self, request, queryset, *, action, form, title, intro, template=None):
        """The intermediate page of an action: the lists concerned, the form, and the
        selection carried over (the rows ticked, or the whole filtered set)."""
        select_across = request.POST.get("select_across") == "1"
        count = queryset.count()
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        return TemplateResponse(
            request,
            template or "pledges/roster/admin_action.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": title,
                "intro": intro,
                "form": form,
                "action": action,
                "count": count,
                "names": list(queryset[:NAMES_SHOWN]),
                "more": max(0, count - NAMES_SHOWN),
                "select_across": select_across,
                "selected": selected[:1] if select_across else selected,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=gettext_lazy("Marquer comme invitée(s)"), permissions=["moderate"])
    def mark_invited_action(self, request, queryset):
        form = InvitationForm(
            request.POST if "apply" in request.POST else None,
            initial={"at": timezone.localdate(), "channel": ListInvitation.Channel.LETTER},
        )
        if form.is_valid():
            try:
                invitations = mark_invited(
                    official_lists=queryset,
                    moderator=request.user,
                    ip_address=client_ip(request),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d liste marquée comme invitée le %(date)s.",
                        "%(count)d listes marquées comme invitées le %(date)s.",
                        len(invitations),
                    )
                    % {
                        "count": len(invitations),
                        "date": french_date(form.cleaned_data["at"]),
                    },
                    messages.SUCCESS,
                )
                return None
        return self._action_page(
            request,
            queryset,
            action="mark_invited_action",
            form=form,
            title=_("Marquer comme invitée(s)"),
            intro=_("Ces listes seront marquées comme invitées à signer :"),
        )

    @admin.action(
        description=gettext_lazy("Imprimer les lettres d’invitation"), permissions=["moderate"]
    )
    def print_letters_action(self, request, queryset):
        count = queryset.count()
        if count > MAX_LETTERS_PER_PDF:
            self.message_user(
                request,
                _(
                    "%(count)d lettres, c’est trop pour un seul PDF : filtrez (par département, "
                    "par exemple) pour en imprimer %(max)d au plus à la fois."
                )
                % {"count": count, "max": MAX_LETTERS_PER_PDF},
                messages.ERROR,
            )
            return None
        lists = list(letters_queryset(queryset))
        return _pdf_response(
            render_letters_pdf(lists, campaign=Campaign.objects.current()),
            f"lettres-invitation-{timezone.localdate():%Y-%m-%d}.pdf",
        )

    @admin.action(description=gettext_lazy("Enregistrer un refus"), permissions=["moderate"])
    def record_decline_action(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request,
                _("Un refus s’enregistre liste par liste : cochez une seule liste."),
                messages.ERROR,
            )
            return None
        official_list = queryset.get()
        form = DeclineForm(
            request.POST if "apply" in request.POST else None,
            initial={"at": timezone.localdate()},
        )
        if form.is_valid():
            try:
                record_decline(
                    official_list=official_list,
                    moderator=request.user,
                    ip_address=client_ip(request),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    _("Le refus de la liste « %(name)s » est enregistré.")
                    % {"name": official_list.name},
                    messages.SUCCESS,
                )
                return None
        return self._action_page(
            request,
            queryset,
            action="record_decline_action",
            form=form,
            title=_("Enregistrer un refus"),
            intro=_("Cette liste a répondu qu’elle ne signera pas :"),
        )

    # -- one list's page: its candidates, invitations, refusal; its letter

    def change_view(self, request, object_id, form_url="", extra_context=None):
        official_list = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if official_list is not None:
            campaign = Campaign.objects.current()
            extra_context.update(
                {
                    "answer": answer_text(
                        answers_for([official_list], campaign=campaign).get(official_list.pk)
                    ),
                    "candidates": official_list.candidates.order_by("number"),
                    "invitations": official_list.invitations.filter(
                        campaign=campaign
                    ).select_related("invited_by"),
                    "decline": official_list.declines.filter(campaign=campaign)
                    .select_related("recorded_by")
                    .first(),
                    "site_lists": official_list.site_lists.select_related("head", "signature"),
                    "short_link": short_link(official_list),
                    "email_form": LetterEmailForm(),
                    "can_moderate": self.has_moderate_permission(request),
                }
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                "<int:pk>/lettre.pdf",
                self.admin_site.admin_view(self.letter_view),
                name="candidates_officiallist_letter",
            ),
            path(
                "<int:pk>/envoyer-la-lettre/",
                self.admin_site.admin_view(self.email_letter_view),
                name="candidates_officiallist_email_letter",
            ),
            *super().get_urls(),
        ]

    def letter_view(self, request, pk):
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        official_list = get_object_or_404(
            letters_queryset(limit(OfficialList.objects.all(), request.user, COMMUNE_REGION)),
            pk=pk,
        )
        return _pdf_response(
            render_letters_pdf([official_list], campaign=Campaign.objects.current()),
            f"lettre-invitation-{official_list.invitation_code}.pdf",
        )

    def email_letter_view(self, request, pk):
        back = reverse("admin:candidates_officiallist_change", args=[pk])
        if request.method != "POST":
            return HttpResponseRedirect(back)
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        official_list = get_object_or_404(
            limit(OfficialList.objects.all(), request.user, COMMUNE_REGION), pk=pk
        )
        form = LetterEmailForm(request.POST)
        if form.is_valid():
            try:
                send_letter_by_email(
                    official_list=official_list,
                    moderator=request.user,
                    ip_address=client_ip(request),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    _(
                        "La lettre de la liste « %(name)s » part à %(email)s : l’invitation "
                        "par courriel est enregistrée."
                    )
                    % {"name": official_list.name, "email": form.cleaned_data["email"]},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(back)
        for errors in form.errors.values():
            for message in errors:
                self.message_user(request, message, messages.ERROR)
        return HttpResponseRedirect(back)


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# The roster's read-only admins (candidates/official/admin.py), registered again with the
# scope, which candidates cannot import: a regional moderator reads the official candidates
# of their régions; an import's report covers every région, so national staff alone read it.
admin.site.unregister(OfficialCandidate)
admin.site.unregister(RosterImport)


@admin.register(OfficialCandidate)
class OfficialCandidateAdmin(ScopedAdminMixin, official_admin.OfficialCandidateAdmin):
    region_path = COMMUNE_REGION


@admin.register(RosterImport)
class RosterImportAdmin(NationalOnlyMixin, official_admin.RosterImportAdmin):
    pass
