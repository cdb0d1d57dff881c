"""The moderation queue: the signatures changelist, its columns, bulk actions and export.

The rows are read in a constant number of queries whatever the volume: the number of
active commitments and the « possible duplicate » flag are subqueries of the page's one
SELECT, and the counts Django runs for the paginator leave them out unless a filter
needs them.
"""

import re

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from candidates.validators import has_control_characters
from communes.search import normalize_name
from config.http import personal
from config.site import client_ip
from pledges.models import RejectionReason, Signature, SignatureQuerySet, SignedCommitment
from pledges.moderation import needs
from pledges.moderation.admin import dashboard, decisions, export, roster
from pledges.moderation.admin.filters import (
    DepartementFilter,
    DuplicateFilter,
    OfficialBallotFilter,
    RegionFilter,
    RosterFilter,
    WaitingFilter,
    overdue_days,
)
from pledges.moderation.admin.forms import BulkRejectForm
from pledges.moderation.admin.inlines import (
    AuditEntryInline,
    CertificateInline,
    SignatureEventInline,
    SignedCommitmentInline,
)
from pledges.moderation.ballot import ballot_choice
from pledges.moderation.needs import with_needs
from pledges.moderation.scope import SIGNATURE_REGION, ScopedAdminMixin
from pledges.moderation.services import bulk_approve, bulk_reject
from pledges.outcomes import admin as outcomes_admin

Status = Signature.Status


def _active_commitment_count():
    return Coalesce(
        Subquery(
            SignedCommitment.objects.filter(pledge=OuterRef("pk"), withdrawn_at__isnull=True)
            .order_by()
            .values("pledge")
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


INSEE_CODE = re.compile(r"(?:[0-9]{2}|2[ABab])[0-9]{3}")
# A signature's id as the checkboxes send it: digits, within a 64-bit integer.
PLEDGE_ID = re.compile(r"[0-9]{1,19}")
MAX_PLEDGE_ID = 2**63 - 1


def valid_pledge_ids(values: list[str]) -> bool:
    return all(PLEDGE_ID.fullmatch(value) and int(value) <= MAX_PLEDGE_ID for value in values)


def list_conflict(pledge: Signature) -> dict | None:
    """« Même liste revendiquée deux fois », for the detail page: the list, its open
    claims and its review note; None unless the pledge is a contested list's signature."""
    electoral_list = pledge.electoral_list
    if electoral_list is None:
        return None
    claims = list(electoral_list.claims.filter(settled_at__isnull=True).select_related("candidate"))
    if not claims and not electoral_list.review_note:
        return None
    return {"list": electoral_list, "claims": claims, "review_note": electoral_list.review_note}


@admin.register(Signature)
class SignatureAdmin(ScopedAdminMixin, admin.ModelAdmin):
    region_path = SIGNATURE_REGION
    list_display = [
        "candidate_name",
        "signature_kind",
        "commune",
        "submitted",
        "waiting",
        "commitment_count",
        "possible_duplicate",
        "what_it_needs",
        "status",
    ]
    list_display_links = ["candidate_name"]
    list_filter = [
        "status",
        RegionFilter,
        DepartementFilter,
        "candidate__role",
        WaitingFilter,
        DuplicateFilter,
        RosterFilter,
        OfficialBallotFilter,
        outcomes_admin.ElectedFilter,
    ]
    search_fields = [
        "candidate__first_name",
        "candidate__last_name",
        "candidate__list_name",
        "candidate__commune__name",
        "=candidate__commune__insee_code",
        "candidate__user__email",
    ]
    search_help_text = gettext_lazy(
        "Nom, prénom, liste, commune, code INSEE ou adresse électronique."
    )
    list_per_page = 50
    # No second COUNT over the whole table beside the filtered one (« 12 sur 50 000 »).
    show_full_result_count = False
    actions = ["approve_selected", "reject_selected"]
    inlines = [SignedCommitmentInline, SignatureEventInline, CertificateInline, AuditEntryInline]
    readonly_fields = [
        "candidate_details",
        "campaign",
        "status",
        "submitted_at",
        "approved_at",
        "withdrawn_at",
        "relay",  # the relay whose link brought it (pledges.relays): staff only
        "consent_candidacy_text",
        "consent_candidacy_at",
        "consent_publication_text",
        "consent_publication_at",
    ]
    fieldsets = [
        (gettext_lazy("Candidat·e"), {"fields": ["candidate_details"]}),
        (
            gettext_lazy("Signature"),
            {
                "fields": [
                    "campaign",
                    "status",
                    "submitted_at",
                    "approved_at",
                    "withdrawn_at",
                    "relay",
                ]
            },
        ),
        (
            gettext_lazy("Consentements"),
            {
                "fields": [
                    "consent_candidacy_text",
                    "consent_candidacy_at",
                    "consent_publication_text",
                    "consent_publication_at",
                ]
            },
        ),
    ]
    change_list_template = "admin/pledges/signature/change_list.html"
    change_form_template = "admin/pledges/signature/change_form.html"

    # -- permissions: a moderator never sees what they may not do

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # decisions, not edits: see the decision panel

    def has_delete_permission(self, request, obj=None):
        return False

    def has_moderate_permission(self, request):
        return request.user.has_perm("pledges.moderate_pledge")

    def has_export_permission(self, request):
        return request.user.has_perm("pledges.export_pledges")

    # -- the queue's rows

    def get_search_results(self, request, queryset, search_term):
        """The search box, on indexed keys rather than `icontains` over six columns and four
        joins (seconds at campaign volume): an e-mail address (with « @ ») on the account, an
        INSEE code on the commune, anything else on the candidate's normalised name-and-list
        key (Candidate.search_key: accents, case and spaces ignored) or the commune's name.
        `search_fields` stays declared so that the admin shows the box."""
        term = search_term.strip()[:100]
        if not term:
            return queryset, False
        if "@" in term:
            return queryset.filter(candidate__user__email__icontains=term), False
        if INSEE_CODE.fullmatch(term):
            return queryset.filter(candidate__commune__insee_code=term.upper()), False
        key = normalize_name(term)
        if not key:
            return queryset.none(), False
        named = Q(candidate__search_key__contains=key)
        return queryset.filter(named | Q(candidate__commune__search_key__startswith=key)), False

    def get_queryset(self, request):
        # Not super(): it orders by get_ordering() before the annotations exist. A regional
        # moderator's rows are those of their régions (pledges.moderation.scope).
        signatures = self.scope_queryset(request, self.model._default_manager.get_queryset())
        return (
            with_needs(signatures)
            .select_related("candidate__commune__departement", "candidate__user", "campaign")
            .with_duplicate_flag()
            .annotate(
                queue_rank=Signature.QUEUE_RANK,
                active_count=_active_commitment_count(),
            )
            .order_by(*self.get_ordering(request))
        )

    def get_ordering(self, request):
        return list(Signature.QUEUE_ORDER)

    @admin.display(description=gettext_lazy("candidat·e"), ordering="candidate__last_name")
    def candidate_name(self, obj):
        return obj.candidate.full_name

    @admin.display(description=gettext_lazy("signature"))
    def signature_kind(self, obj):
        return needs.describe(obj)

    @admin.display(description=gettext_lazy("à vérifier"))
    def what_it_needs(self, obj):
        items = needs.needs_of(obj)
        if not items:
            return "—"
        return format_html(
            '<ul class="needs">{}</ul>', format_html_join("", "<li>{}</li>", ((n,) for n in items))
        )

    @admin.display(description=gettext_lazy("commune"), ordering="candidate__commune__name")
    def commune(self, obj):
        commune = obj.candidate.commune
        return f"{commune.name} ({commune.departement_id})"

    @admin.display(description=gettext_lazy("envoyée le"), ordering="submitted_at")
    def submitted(self, obj):
        return timezone.localtime(obj.submitted_at).strftime("%d/%m/%Y %H:%M")

    @admin.display(description=gettext_lazy("attente"))
    def waiting(self, obj):
        if obj.status != Status.PENDING:
            return "—"
        days = (timezone.now() - obj.submitted_at).days
        label = ngettext("%(days)d jour", "%(days)d jours", days) % {"days": days}
        if days >= overdue_days():
            return format_html('{} <strong class="overdue">{}</strong>', label, _("en retard"))
        return label

    @admin.display(description=gettext_lazy("engagements"), ordering="active_count")
    def commitment_count(self, obj):
        return obj.active_count

    @admin.display(description=gettext_lazy("doublon possible"))
    def possible_duplicate(self, obj):
        kinds = SignatureQuerySet.DUPLICATE_KINDS
        found = [
            kinds[kind]
            for kind, flagged in (("person", obj.same_person), ("list", obj.list_claimed_twice))
            if flagged
        ]
        if not found:
            return "—"
        return format_html(
            '<strong class="duplicate">{}</strong>',
            format_html_join(" ; ", "{}", ((k,) for k in found)),
        )

    @admin.display(description=gettext_lazy("candidature"))
    def candidate_details(self, obj):
        candidate = obj.candidate
        commune = candidate.commune
        rows = [
            (_("Nom"), candidate.full_name),
            (_("Courriel"), candidate.user.email),
            (_("Téléphone"), candidate.phone or "—"),
            (_("Commune"), f"{commune.name} ({commune.insee_code}, {commune.departement.name})"),
            (_("Population"), commune.population if commune.population is not None else "—"),
            (_("Secteur"), candidate.secteur.name if candidate.secteur_id else "—"),
            (_("Rôle"), candidate.get_role_display()),
            (_("Mode de scrutin"), ballot_choice(candidate)),
            (_("Explication du mode de scrutin"), candidate.ballot_note or "—"),
            (_("Signature"), needs.describe(obj)),
            (_("Liste (saisie)"), candidate.list_name or "—"),
            (_("Étiquette"), candidate.political_label or "—"),
            (_("Site web"), candidate.website or "—"),
            (_("Déclaration"), candidate.statement or "—"),
        ]
        return format_html(
            '<dl class="candidate-details">{}</dl>',
            format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows),
        )

    # -- bulk actions

    def response_action(self, request, queryset):
        # Ids that no checkbox sends (« abc », 2⁶⁶, a NUL byte) would fail in the database.
        if not valid_pledge_ids(request.POST.getlist(ACTION_CHECKBOX_NAME)):
            self.message_user(
                request,
                _("La sélection n’est pas valable : cochez à nouveau les signatures."),
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(
        description=gettext_lazy("Valider les signatures sélectionnées"), permissions=["moderate"]
    )
    def approve_selected(self, request, queryset):
        result = bulk_approve(
            pledges=list(queryset), moderator=request.user, ip_address=client_ip(request)
        )
        self._report(request, result, _("validée"), _("validées"))

    @admin.action(
        description=gettext_lazy("Refuser les signatures sélectionnées…"), permissions=["moderate"]
    )
    def reject_selected(self, request, queryset):
        form = BulkRejectForm(request.POST if "confirm" in request.POST else None)
        if form.is_bound and form.is_valid():
            result = bulk_reject(
                pledges=list(queryset),
                moderator=request.user,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
                ip_address=client_ip(request),
            )
            self._report(request, result, _("refusée"), _("refusées"))
            return None
        if form.is_bound:
            for error in form.errors.values():
                self.message_user(request, error.as_text(), messages.ERROR)
        return TemplateResponse(
            request,
            "admin/pledges/signature/reject_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Refuser %(count)d signature(s)") % {"count": queryset.count()},
                "pledges": queryset.select_related("candidate__commune"),
                "form": form,
                "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
                "action": "reject_selected",
            },
        )

    def _report(self, request, result, singular, plural):
        done = len(result.done)
        if done:
            self.message_user(
                request,
                ngettext("%(count)d signature %(word)s.", "%(count)d signatures %(word)s.", done)
                % {"count": done, "word": singular if done == 1 else plural},
                messages.SUCCESS,
            )
        for pledge, why in result.skipped:
            self.message_user(
                request,
                _("Ignorée : %(name)s (%(commune)s) — %(why)s")
                % {
                    "name": pledge.candidate.full_name,
                    "commune": pledge.candidate.commune.name,
                    "why": why,
                },
                messages.WARNING,
            )
        if not done and not result.skipped:
            self.message_user(request, _("Aucune signature sélectionnée."), messages.WARNING)

    # -- the other screens: decisions, export, dashboard

    def get_urls(self):
        urls = super().get_urls()
        return [
            path(
                "<int:pledge_id>/decider/<slug:decision>/",
                self.admin_site.admin_view(self.decide_view),
                name="pledges_signature_decide",
            ),
            path(
                "<int:pledge_id>/listes-officielles/",
                self.admin_site.admin_view(self.roster_view),
                name="pledges_signature_roster",
            ),
            path(
                "<int:pledge_id>/elu-e/",
                self.admin_site.admin_view(self.elected_view),
                name="pledges_signature_elected",
            ),
            path(
                "export/",
                self.admin_site.admin_view(personal(self.export_view)),
                name="pledges_signature_export",
            ),
            path(
                "export/<str:job_id>/",
                self.admin_site.admin_view(personal(self.export_status_view)),
                name="pledges_signature_export_status",
            ),
            path(
                "export/<str:job_id>/fichier/",
                self.admin_site.admin_view(personal(self.export_download_view)),
                name="pledges_signature_export_download",
            ),
            path(
                "tableau-de-bord/",
                self.admin_site.admin_view(self.dashboard_view),
                name="pledges_signature_dashboard",
            ),
            path(
                "tableau-de-bord/relais/",
                self.admin_site.admin_view(self.dashboard_relays_view),
                name="pledges_signature_dashboard_relays",
            ),
            *urls,
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        pledge = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if pledge is not None:
            extra_context.update(
                {
                    "duplicates": list(Signature.objects.possible_duplicates_of(pledge)),
                    "list_conflict": list_conflict(pledge),
                    "roster": roster.roster_panel(pledge),
                    "elected": outcomes_admin.elected_panel(pledge),
                    "needs": needs.needs_of(pledge),
                    "can_moderate": self.has_moderate_permission(request),
                    "decision_reasons": RejectionReason.objects.filter(is_active=True),
                    "Status": Status,
                }
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def decide_view(self, request, pledge_id, decision):
        return decisions.decide_view(self, request, pledge_id, decision)

    def roster_view(self, request, pledge_id):
        return roster.roster_view(self, request, pledge_id)

    def elected_view(self, request, pledge_id):
        return outcomes_admin.elected_view(self, request, pledge_id)

    def dashboard_view(self, request):
        return dashboard.dashboard_view(self, request)

    def dashboard_relays_view(self, request):
        return dashboard.relays_view(self, request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_export": self.has_export_permission(request),
            "overdue_days": overdue_days(),
        }
        return super().changelist_view(request, extra_context)

    def get_changelist_instance(self, request):
        """The queue as filtered, or IncorrectLookupParameters (Django's changelist then
        redirects to the unfiltered queue, `?e=1`) with a message, when a parameter is not
        one the page sends: a control character (a NUL byte fails on PostgreSQL), a code
        no filter lists, a value a field cannot take."""
        if any(
            has_control_characters(name) or has_control_characters(value)
            for name, values in request.GET.lists()
            for value in values
        ):
            self._refuse_parameters(request)
        try:
            return super().get_changelist_instance(request)
        except IncorrectLookupParameters:
            self._refuse_parameters(request)

    def _refuse_parameters(self, request):
        self.message_user(
            request,
            _("Ces filtres ou cette recherche ne sont pas valables : voici la liste complète."),
            messages.WARNING,
        )
        raise IncorrectLookupParameters

    def export_view(self, request):
        return export.export_view(self, request)

    def export_status_view(self, request, job_id):
        return export.export_status_view(self, request, job_id)

    def export_download_view(self, request, job_id):
        return export.export_download_view(self, request, job_id)
