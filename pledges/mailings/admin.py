"""« Envois aux signataires » in the admin: write, count, preview, confirm, send; then the
record of each mailing, read only, with its deliveries.

Staff with add/change on mailings prepare a draft (the « Modération » group does); sending
needs `pledges.send_mailing`. A regional moderator chooses only their régions, sees only
the mailings within them and their deliveries (pledges.moderation.scope); the count, the
preview and the sending apply their régions again, whatever the form sent. Every write goes
through pledges.mailings.services.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from communes.models import Departement, Region
from config.site import client_ip
from pledges.mailings import merge, services
from pledges.mailings.recipients import OUTCOMES, REGION_PATH, STATUSES
from pledges.models import Commitment, Mailing, MailingDelivery, Signature
from pledges.moderation.scope import ALL, ScopeGuardMixin, limit, regions_of


def _regions(user):
    regions = regions_of(user)
    queryset = Region.objects.order_by("sort_key", "name")
    return queryset if regions is ALL else queryset.filter(code__in=regions)


def _commitments():
    campaign = services.current_campaign()
    queryset = Commitment.objects.select_related("proposal").order_by(
        "proposal__number", "position"
    )
    return queryset.filter(proposal__campaign=campaign) if campaign else queryset.none()


class CommitmentChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        text = obj.text if len(obj.text) <= 90 else obj.text[:89] + "…"
        return f"{obj.code} — {text}"


class MailingForm(forms.ModelForm):
    """The draft: audience, filter (stored in Mailing.filters), subject and text. `user` is
    set by MailingAdmin.get_form: the régions offered are theirs."""

    user = None

    regions = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Régions"),
        queryset=Region.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Aucune cochée : toutes les régions de votre périmètre."),
    )
    departements = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Départements"),
        queryset=Departement.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=gettext_lazy("Aucun choisi : tous les départements des régions choisies."),
    )
    statuses = forms.MultipleChoiceField(
        label=gettext_lazy("Statut de la signature"),
        choices=[(status.value, status.label) for status in STATUSES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Aucun coché : les signatures validées."),
    )
    commitments = CommitmentChoice(
        label=gettext_lazy("A signé l’engagement"),
        queryset=Commitment.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=gettext_lazy(
            "Signé et non retiré ; plusieurs choisis : l’un au moins. Aucun : peu importe."
        ),
    )
    outcomes = forms.MultipleChoiceField(
        label=gettext_lazy("Résultat de l’élection"),
        choices=OUTCOMES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Aucun coché : peu importe."),
    )

    class Meta:
        model = Mailing
        fields = ["audience", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        regions = _regions(self.user)
        self.fields["regions"].queryset = regions
        self.fields["departements"].queryset = Departement.objects.filter(
            region__in=regions
        ).order_by("code")
        self.fields["commitments"].queryset = _commitments()
        if "body" in self.fields:  # a draft's form (a mailing sent is shown read only)
            self.fields["body"].help_text = _(
                "Texte simple ; les adresses web deviennent des liens. Champs de fusion : "
                "%(fields)s."
            ) % {"fields": merge.known_fields()}
            self.fields["subject"].help_text = _("Champs de fusion possibles : %(fields)s.") % {
                "fields": merge.known_fields()
            }
        filters = self.instance.filters or {}
        if self.instance.pk:
            self.initial.update(
                {
                    "regions": filters.get("regions", []),
                    "departements": filters.get("departements", []),
                    "statuses": filters.get("statuses", []),
                    "commitments": filters.get("commitments", []),
                    "outcomes": filters.get("outcomes", []),
                }
            )

    def clean_subject(self):
        merge.check_fields(self.cleaned_data["subject"])
        return self.cleaned_data["subject"]

    def clean_body(self):
        merge.check_fields(self.cleaned_data["body"])
        return self.cleaned_data["body"]

    def clean(self):
        cleaned = super().clean()
        regions = cleaned.get("regions")
        departements = cleaned.get("departements")
        if regions and departements:
            outside = [d for d in departements if d.region_id not in {r.code for r in regions}]
            if outside:
                self.add_error(
                    "departements",
                    _("Ces départements ne sont pas dans les régions choisies : %(names)s.")
                    % {"names": ", ".join(d.name for d in outside)},
                )
        return cleaned

    def save(self, commit=True):
        data = self.cleaned_data
        self.instance.filters = {
            "regions": sorted(r.code for r in data.get("regions") or []),
            "departements": sorted(d.code for d in data.get("departements") or []),
            "statuses": sorted(data.get("statuses") or []),
            "commitments": sorted(c.pk for c in data.get("commitments") or []),
            "outcomes": sorted(data.get("outcomes") or []),
        }
        return super().save(commit=commit)


def describe_filters(filters: dict) -> list[tuple[str, str]]:
    """The filter in words, one (label, value) per criterion chosen."""
    rows = []
    if filters.get("regions"):
        names = Region.objects.filter(code__in=filters["regions"]).order_by("name")
        rows.append((_("Régions"), ", ".join(names.values_list("name", flat=True))))
    if filters.get("departements"):
        names = Departement.objects.filter(code__in=filters["departements"]).order_by("code")
        rows.append((_("Départements"), ", ".join(f"{d.name} ({d.code})" for d in names)))
    statuses = filters.get("statuses") or [Signature.Status.APPROVED]
    rows.append(
        (_("Statut de la signature"), ", ".join(str(Signature.Status(s).label) for s in statuses))
    )
    if filters.get("commitments"):
        codes = [c.code for c in Commitment.objects.filter(pk__in=filters["commitments"])]
        rows.append((_("A signé l’engagement"), ", ".join(sorted(codes))))
    if filters.get("outcomes"):
        labels = dict(OUTCOMES)
        rows.append(
            (_("Résultat de l’élection"), ", ".join(str(labels[o]) for o in filters["outcomes"]))
        )
    return rows


@admin.register(Mailing)
class MailingAdmin(ScopeGuardMixin, admin.ModelAdmin):
    form = MailingForm
    list_display = (
        "subject",
        "audience",
        "author_name",
        "created_at",
        "state",
        "recipient_count",
        "sent_count",
        "failed_count",
    )
    list_filter = ("state", "audience")
    date_hierarchy = "created_at"
    change_form_template = "admin/pledges/mailing/change_form.html"
    record_fields = (
        "author_name",
        "created_at",
        "scope",
        "audience",
        "filter_summary",
        "subject",
        "body",
        "state",
        "sent_at",
        "finished_at",
        "recipient_count",
        "sent_count",
        "failed_count",
        "delivery_summary",
    )

    def get_queryset(self, request):
        return services.visible_mailings(super().get_queryset(request), request.user)

    # -- permissions: a draft is edited, a mailing that left is a record

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.state != Mailing.State.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.state != Mailing.State.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def has_send_permission(self, request) -> bool:
        return request.user.has_perm(services.SEND_PERMISSION)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type("MailingFormFor", (form,), {"user": request.user})

    def get_fieldsets(self, request, obj=None):
        if obj is not None and obj.state != Mailing.State.DRAFT:
            return [(None, {"fields": self.record_fields})]
        return [
            (None, {"fields": ["audience"]}),
            (
                gettext_lazy("Filtre"),
                {"fields": ["regions", "departements", "statuses", "commitments", "outcomes"]},
            ),
            (gettext_lazy("Message"), {"fields": ["subject", "body"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.state != Mailing.State.DRAFT:
            return self.record_fields
        return ()

    def save_model(self, request, obj, form, change):
        try:
            services.save_draft(mailing=obj, author=request.user)
        except (ValidationError, PermissionDenied) as error:
            # The form checked the same; a change of scope meanwhile lands here.
            raise PermissionDenied(str(error)) from error

    @admin.display(description=gettext_lazy("filtre"))
    def filter_summary(self, obj):
        return format_html(
            "<dl>{}</dl>",
            format_html_join("", "<dt>{}</dt><dd>{}</dd>", describe_filters(obj.filters)),
        )

    @admin.display(description=gettext_lazy("destinataires, un par un"))
    def delivery_summary(self, obj):
        counts = dict.fromkeys(MailingDelivery.State, 0)
        counts.update(obj.deliveries.values_list("state").annotate(n=Count("pk")).order_by())
        deliveries = (
            reverse("admin:pledges_mailingdelivery_changelist") + f"?mailing__id__exact={obj.pk}"
        )
        failed = obj.deliveries.filter(state=MailingDelivery.State.FAILED).order_by("pk")[:50]
        return format_html(
            "<ul>{}</ul>{}<p><a href='{}'>{}</a></p>",
            format_html_join(
                "",
                "<li>{} : {}</li>",
                ((state.label, counts[state]) for state in MailingDelivery.State),
            ),
            format_html(
                "<p>{}</p><ul>{}</ul>",
                _("Échecs :"),
                format_html_join(
                    "", "<li>{} — {}</li>", ((d.email, d.error or "—") for d in failed)
                ),
            )
            if failed
            else "",
            deliveries,
            _("Voir chaque destinataire et son état"),
        )

    # -- the count, the preview, the confirmation

    def get_urls(self):
        return [
            path(
                "<int:mailing_id>/envoyer/",
                self.admin_site.admin_view(self.send_view),
                name="pledges_mailing_send",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        mailing = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if mailing is not None and mailing.state == Mailing.State.DRAFT:
            extra_context.update(
                {
                    "preview": services.preview(mailing, request.user),
                    "can_send": self.has_send_permission(request),
                    "send_url": reverse("admin:pledges_mailing_send", args=[mailing.pk]),
                }
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def send_view(self, request, mailing_id):
        if not self.has_send_permission(request):
            raise PermissionDenied
        mailing = self.get_queryset(request).filter(pk=mailing_id).first()
        if mailing is None:
            raise Http404(_("Cet envoi n’existe pas ou n’est pas dans votre périmètre."))
        change_url = reverse("admin:pledges_mailing_change", args=[mailing.pk])
        if mailing.state != Mailing.State.DRAFT:
            self.message_user(request, _("Cet envoi est déjà parti."), messages.WARNING)
            return HttpResponseRedirect(change_url)
        if request.method == "POST":
            try:
                mailing = services.send_mailing(
                    mailing=mailing, actor=request.user, ip_address=client_ip(request)
                )
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "Envoi lancé : %(count)d courriel part en arrière-plan, "
                        "%(rate)d par minute.",
                        "Envoi lancé : %(count)d courriels partent en arrière-plan, "
                        "%(rate)d par minute.",
                        mailing.recipient_count,
                    )
                    % {
                        "count": mailing.recipient_count,
                        "rate": settings.MAILING_RATE_PER_MINUTE,
                    },
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(change_url)
        return TemplateResponse(
            request,
            "admin/pledges/mailing/send_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Envoyer « %(subject)s »") % {"subject": mailing.subject},
                "mailing": mailing,
                "filters": describe_filters(mailing.filters),
                "preview": services.preview(mailing, request.user),
                "change_url": change_url,
                "rate": settings.MAILING_RATE_PER_MINUTE,
            },
        )


@admin.register(MailingDelivery)
class MailingDeliveryAdmin(ScopeGuardMixin, admin.ModelAdmin):
    list_display = ("email", "mailing", "state", "attempts", "error", "sent_at")
    list_filter = ("state",)
    search_fields = ("email",)
    list_select_related = ("mailing",)

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .filter(mailing__in=services.visible_mailings(Mailing.objects.all(), request.user))
        )
        return limit(queryset, request.user, f"candidate__{REGION_PATH}")

    def lookup_allowed(self, lookup, value, request=None):
        return lookup == "mailing__id__exact" or super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
