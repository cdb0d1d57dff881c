"""The moderation queue in the Django admin: decisions, bulk actions, audit log, export.

Every decision goes through pledges.moderation.services; this module only shows, asks and reports.
Moderators (the « Modération » group) see the actions their permissions allow, nothing more.
"""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from config.site import client_ip
from pledges.models import (
    AuditEntry,
    Certificate,
    RejectionReason,
    Signature,
    SignatureEvent,
    SignatureTrace,
    SignedCommitment,
)
from pledges.moderation.exports import staff_csv
from pledges.moderation.services import (
    approve_pledge,
    bulk_approve,
    bulk_reject,
    reissue_certificate,
    reject_pledge,
    request_changes,
    unpublish_pledge,
)

Status = Signature.Status


def overdue_days() -> int:
    return settings.MODERATION_OVERDUE_DAYS


def duplicates_of(pledge: Signature):
    """Other pledges of the campaign in the same commune, by the same person or list."""
    candidate = pledge.candidate
    same = Q(candidate__first_name__iexact=candidate.first_name) & Q(
        candidate__last_name__iexact=candidate.last_name
    )
    if candidate.list_name.strip():
        same |= Q(candidate__list_name__iexact=candidate.list_name.strip())
    return (
        Signature.objects.filter(
            campaign_id=pledge.campaign_id, candidate__commune_id=candidate.commune_id
        )
        .filter(same)
        .exclude(pk=pledge.pk)
        .select_related("candidate")
    )


# ---------------------------------------------------------------- filters


class WaitingFilter(admin.SimpleListFilter):
    title = gettext_lazy("attente")
    parameter_name = "attente"

    def lookups(self, request, model_admin):
        return [
            ("1", _("moins d’un jour")),
            ("2", _("de 1 à %(days)d jours") % {"days": overdue_days()}),
            ("retard", _("en retard (plus de %(days)d jours)") % {"days": overdue_days()}),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        waiting = queryset.filter(status=Status.PENDING)
        if self.value() == "1":
            return waiting.filter(submitted_at__gte=now - timedelta(days=1))
        if self.value() == "2":
            return waiting.filter(
                submitted_at__lt=now - timedelta(days=1),
                submitted_at__gte=now - timedelta(days=overdue_days()),
            )
        if self.value() == "retard":
            return waiting.filter(submitted_at__lt=now - timedelta(days=overdue_days()))
        return queryset


class RegionFilter(admin.SimpleListFilter):
    title = gettext_lazy("région")
    parameter_name = "region"

    def lookups(self, request, model_admin):
        from communes.models import Region

        return [(r.code, r.name) for r in Region.objects.order_by("name")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(candidate__commune__departement__region_id=self.value())
        return queryset


class DepartementFilter(admin.SimpleListFilter):
    title = gettext_lazy("département")
    parameter_name = "departement"

    def lookups(self, request, model_admin):
        from communes.models import Departement

        departements = Departement.objects.order_by("code")
        region = request.GET.get("region")
        if region:
            departements = departements.filter(region_id=region)
        return [(d.code, f"{d.code} — {d.name}") for d in departements]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(candidate__commune__departement_id=self.value())
        return queryset


# ---------------------------------------------------------------- forms


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("approve", gettext_lazy("Valider")),
            ("changes", gettext_lazy("Demander des compléments")),
            ("reject", gettext_lazy("Refuser")),
            ("unpublish", gettext_lazy("Dépublier")),
            ("reissue", gettext_lazy("Réémettre l’attestation")),
        ]
    )
    message = forms.CharField(required=False, max_length=2000, widget=forms.Textarea)
    reason = forms.ModelChoiceField(
        queryset=RejectionReason.objects.filter(is_active=True), required=False
    )


class BulkRejectForm(forms.Form):
    reason = forms.ModelChoiceField(
        label=gettext_lazy("Motif de refus"),
        queryset=RejectionReason.objects.filter(is_active=True),
        empty_label=None,
        widget=forms.RadioSelect,
    )
    details = forms.CharField(
        label=gettext_lazy("Précision (envoyée aux candidats)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# ---------------------------------------------------------------- inlines


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SignedCommitmentInline(ReadOnlyInline):
    model = SignedCommitment
    fields = ["commitment", "signed_at", "withdrawn_at"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("Engagements (lecture seule)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("commitment__proposal")


class SignatureEventInline(ReadOnlyInline):
    model = SignatureEvent
    fields = ["at", "kind", "commitment", "is_public", "reason", "note"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("Historique")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("commitment__proposal", "reason")


class CertificateInline(ReadOnlyInline):
    model = Certificate
    fields = ["reference", "version", "issued_at", "superseded_at", "fingerprint", "download"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("Attestations (toutes les versions)")

    @admin.display(description=gettext_lazy("vérification"))
    def download(self, obj):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            obj.get_absolute_url(),
            _("page de vérification"),
        )


class AuditEntryInline(ReadOnlyInline):
    model = AuditEntry
    fields = ["at", "actor_name", "action", "changes", "note", "ip_address"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("Journal des décisions (non modifiable)")


# ---------------------------------------------------------------- the queue


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = [
        "candidate_name",
        "list_name",
        "commune",
        "submitted",
        "waiting",
        "commitment_count",
        "possible_duplicate",
        "status",
    ]
    list_display_links = ["candidate_name"]
    list_filter = ["status", RegionFilter, DepartementFilter, "candidate__role", WaitingFilter]
    search_fields = [
        "candidate__first_name",
        "candidate__last_name",
        "candidate__list_name",
        "candidate__commune__name",
        "=candidate__commune__insee_code",
        "candidate__user__email",
    ]
    search_help_text = gettext_lazy("Nom, prénom, liste, commune, code INSEE ou adresse e-mail.")
    list_per_page = 50
    actions = ["approve_selected", "reject_selected"]
    inlines = [SignedCommitmentInline, SignatureEventInline, CertificateInline, AuditEntryInline]
    readonly_fields = [
        "candidate_details",
        "campaign",
        "status",
        "submitted_at",
        "approved_at",
        "withdrawn_at",
        "consent_candidacy_text",
        "consent_candidacy_at",
        "consent_publication_text",
        "consent_publication_at",
    ]
    fieldsets = [
        (gettext_lazy("Candidat·e"), {"fields": ["candidate_details"]}),
        (
            gettext_lazy("Signature"),
            {"fields": ["campaign", "status", "submitted_at", "approved_at", "withdrawn_at"]},
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

    def get_queryset(self, request):
        others = Signature.objects.filter(
            campaign_id=OuterRef("campaign_id"),
            candidate__commune_id=OuterRef("candidate__commune_id"),
        ).exclude(pk=OuterRef("pk"))
        same_person = others.filter(
            candidate__first_name__iexact=OuterRef("candidate__first_name"),
            candidate__last_name__iexact=OuterRef("candidate__last_name"),
        )
        same_list = others.exclude(candidate__list_name="").filter(
            candidate__list_name__iexact=OuterRef("candidate__list_name")
        )
        # Not super(): it orders by get_ordering() before the annotations exist.
        return (
            self.model._default_manager.get_queryset()
            .select_related("candidate__commune__departement", "candidate__user", "campaign")
            .annotate(
                status_rank=Case(
                    When(status=Status.PENDING, then=Value(0)),
                    When(status=Status.CHANGES_REQUESTED, then=Value(1)),
                    default=Value(2),
                    output_field=IntegerField(),
                ),
                active_count=Count(
                    "signed_commitments", filter=Q(signed_commitments__withdrawn_at__isnull=True)
                ),
                has_duplicate=Exists(same_person) | Exists(same_list),
            )
            .order_by(*self.get_ordering(request))
        )

    def get_ordering(self, request):
        return ["status_rank", "submitted_at", "pk"]

    @admin.display(description=gettext_lazy("candidat·e"), ordering="candidate__last_name")
    def candidate_name(self, obj):
        return obj.candidate.full_name

    @admin.display(description=gettext_lazy("liste"), ordering="candidate__list_name")
    def list_name(self, obj):
        return obj.candidate.list_name or "—"

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

    @admin.display(description=gettext_lazy("doublon possible"), boolean=True)
    def possible_duplicate(self, obj):
        return obj.has_duplicate

    @admin.display(description=gettext_lazy("candidature"))
    def candidate_details(self, obj):
        candidate = obj.candidate
        commune = candidate.commune
        rows = [
            (_("Nom"), candidate.full_name),
            (_("E-mail"), candidate.user.email),
            (_("Téléphone"), candidate.phone or "—"),
            (_("Commune"), f"{commune.name} ({commune.insee_code}, {commune.departement.name})"),
            (_("Population"), commune.population if commune.population is not None else "—"),
            (_("Rôle"), candidate.get_role_display()),
            (_("Liste"), candidate.list_name or "—"),
            (_("Étiquette"), candidate.political_label or "—"),
            (_("Site web"), candidate.website or "—"),
            (_("Déclaration"), candidate.statement or "—"),
        ]
        return format_html(
            '<dl class="candidate-details">{}</dl>',
            format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows),
        )

    # -- actions

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

    # -- the detail page and its decision panel

    def get_urls(self):
        urls = super().get_urls()
        return [
            path(
                "<int:pledge_id>/decider/",
                self.admin_site.admin_view(self.decide_view),
                name="pledges_signature_decide",
            ),
            path(
                "export.csv",
                self.admin_site.admin_view(self.export_view),
                name="pledges_signature_export",
            ),
            path(
                "tableau-de-bord/",
                self.admin_site.admin_view(self.dashboard_view),
                name="pledges_signature_dashboard",
            ),
            *urls,
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        pledge = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if pledge is not None:
            extra_context.update(
                {
                    "duplicates": list(duplicates_of(pledge)),
                    "can_moderate": self.has_moderate_permission(request),
                    "decision_reasons": RejectionReason.objects.filter(is_active=True),
                    "Status": Status,
                }
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def decide_view(self, request, pledge_id):
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:pledges_signature_change", args=[pledge_id]))
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        pledge = get_object_or_404(Signature.objects.select_related("candidate"), pk=pledge_id)
        form = DecisionForm(request.POST)
        back = reverse("admin:pledges_signature_change", args=[pledge.pk])
        if not form.is_valid():
            self.message_user(request, _("Décision incomplète : recommencez."), messages.ERROR)
            return HttpResponseRedirect(back)
        data, ip = form.cleaned_data, client_ip(request)
        try:
            if data["decision"] == "approve":
                approve_pledge(pledge=pledge, moderator=request.user, ip_address=ip)
                done = _("Signature validée : le candidat est prévenu par e-mail.")
            elif data["decision"] == "changes":
                request_changes(
                    pledge=pledge, moderator=request.user, message=data["message"], ip_address=ip
                )
                done = _("Compléments demandés : le candidat est prévenu par e-mail.")
            elif data["decision"] == "reject":
                if data["reason"] is None:
                    raise ValidationError(_("Choisissez un motif de refus."))
                reject_pledge(
                    pledge=pledge,
                    moderator=request.user,
                    reason=data["reason"],
                    details=data["message"],
                    ip_address=ip,
                )
                done = _("Signature refusée : le candidat est prévenu par e-mail.")
            elif data["decision"] == "unpublish":
                unpublish_pledge(
                    pledge=pledge, moderator=request.user, reason=data["message"], ip_address=ip
                )
                done = _("Signature dépubliée : le candidat est prévenu par e-mail.")
            else:
                certificate = reissue_certificate(
                    pledge=pledge, moderator=request.user, ip_address=ip
                )
                done = _("Attestation réémise : %(reference)s, version %(version)d.") % {
                    "reference": certificate.reference,
                    "version": certificate.version,
                }
        except ValidationError as error:
            for message in error.messages:
                self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(back)
        self.message_user(request, done, messages.SUCCESS)
        next_pending = (
            Signature.objects.filter(status=Status.PENDING).order_by("submitted_at", "pk").first()
        )
        if next_pending is not None and "next" in request.POST:
            return HttpResponseRedirect(
                reverse("admin:pledges_signature_change", args=[next_pending.pk])
            )
        return HttpResponseRedirect(back)

    # -- export and dashboard

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_export": self.has_export_permission(request),
            "overdue_days": overdue_days(),
        }
        return super().changelist_view(request, extra_context)

    def export_view(self, request):
        if not self.has_export_permission(request):
            raise PermissionDenied
        # The same filters and search as the changelist the link was on.
        changelist = self.get_changelist_instance(request)
        queryset = changelist.get_queryset(request)
        response = HttpResponse(staff_csv(queryset), content_type="text/csv; charset=utf-8")
        filename = f"signataires-coorace-{timezone.localdate():%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def dashboard_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        pledges = Signature.objects.all()
        by_status = dict(pledges.values_list("status").annotate(n=Count("pk")))
        pending = pledges.filter(status=Status.PENDING)
        per_departement = (
            pending.values(
                "candidate__commune__departement_id", "candidate__commune__departement__name"
            )
            .annotate(n=Count("pk"), oldest=Min("submitted_at"))
            .order_by("-n", "candidate__commune__departement_id")
        )
        decisions = (
            AuditEntry.objects.exclude(action=AuditEntry.Action.IDENTITY_EDITED)
            .annotate(day=TruncDate("at"))
            .values("day", "action")
            .annotate(n=Count("pk"))
            .order_by("day", "action")
        )
        actions = [
            (a.value, a.label) for a in AuditEntry.Action if a != AuditEntry.Action.IDENTITY_EDITED
        ]
        days: dict = {}
        for row in decisions:
            days.setdefault(row["day"], {})[row["action"]] = row["n"]
        return TemplateResponse(
            request,
            "admin/pledges/signature/dashboard.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Tableau de bord de la modération"),
                "statuses": [(s.label, by_status.get(s.value, 0), s.value) for s in Status],
                "total": sum(by_status.values()),
                "per_departement": per_departement,
                "oldest": pending.select_related("candidate__commune").order_by("submitted_at")[
                    :10
                ],
                "overdue": pending.filter(
                    submitted_at__lt=timezone.now() - timedelta(days=overdue_days())
                ).count(),
                "overdue_days": overdue_days(),
                "days": [
                    (day, [counts.get(code, 0) for code, _label in actions])
                    for day, counts in sorted(days.items())
                ],
                "actions": actions,
            },
        )


@admin.register(RejectionReason)
class RejectionReasonAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "requires_free_text", "is_active", "position"]
    list_editable = ["is_active", "position"]
    prepopulated_fields = {"code": ["label"]}

    def has_delete_permission(self, request, obj=None):
        # A reason already given to a candidate stays, for the record: deactivate it.
        if obj is not None and obj.is_used():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_name", "action", "pledge_pseudonym", "ip_address"]
    list_filter = ["action"]
    search_fields = ["actor_name", "pledge_pseudonym", "note"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SignatureTrace)
class SignatureTraceAdmin(admin.ModelAdmin):
    list_display = ["pseudonym", "commune_insee_code", "last_status", "submitted_at", "erased_at"]
    readonly_fields = [f.name for f in SignatureTrace._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
