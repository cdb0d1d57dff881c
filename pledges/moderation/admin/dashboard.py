"""The staff dashboard: the moderation's work (signatures per status, the oldest waiting,
decisions per day, voters' alerts), then the campaign's figures (pledges.moderation.
campaign_stats), each filterable by région (`?region=84`) and each table downloadable as
CSV (`?format=csv&table=jours`).

A regional moderator (pledges.moderation.scope) sees every block limited to their régions,
and the région filter offers those régions alone: another région's code is said, then
ignored."""

import csv
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min, Q
from django.db.models.functions import TruncDate
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from communes.models import Region
from pledges.alerts.services import subscriber_counts
from pledges.csv import neutralise
from pledges.models import AlertSubscription, AuditEntry, Campaign, Signature
from pledges.moderation import campaign_stats as stats
from pledges.moderation.admin.filters import overdue_days
from pledges.moderation.scope import (
    COMMUNE_REGION,
    SIGNATURE_REGION,
    condition,
    is_scoped,
    limit,
    regions_of,
)
from pledges.relays import stats as relay_stats

Status = Signature.Status
# Edits are not decisions: the per-day table leaves them out.
EDITS = (AuditEntry.Action.IDENTITY_EDITED, AuditEntry.Action.LIST_EDITED)


# The CSV tables: name in the URL → (file name, header, the row's cells).
TABLES = {
    "jours": (
        "signatures-par-jour",
        ("jour", "envoyees", "validees"),
        lambda r: (r["day"].isoformat(), r["submitted"], r["approved"]),
    ),
    "engagements": (
        "signatures-par-engagement",
        ("engagement", "texte", "signatures_publiques"),
        lambda r: (r["code"], r["text"], r["n"]),
    ),
    "regions": (
        "signatures-par-region",
        ("code_region", "region", "envoyees", "publiques", "en_attente"),
        lambda r: (r["code"], r["name"], r["submitted"], r["approved"], r["pending"]),
    ),
    "departements": (
        "signatures-par-departement",
        ("code_departement", "departement", "envoyees", "publiques", "en_attente"),
        lambda r: (r["code"], r["name"], r["submitted"], r["approved"], r["pending"]),
    ),
    "couverture": (
        "couverture",
        ("mesure", "signe", "total", "pourcentage"),
        lambda r: (r[0], r[1].part, r[1].whole, r[1].percent),
    ),
    # The relays and what their invitations brought (pledges.relays.stats).
    "relais": (
        "relais",
        (
            "relais",
            "listes_du_territoire",
            "listes_invitees",
            "invitees_qui_ont_signe",
            "signatures_par_ses_liens",
            "dont_publiques",
        ),
        lambda r: (
            r["name"],
            r["lists"],
            r["invited"],
            r["invited_signed"],
            r["signatures"],
            r["public_signatures"],
        ),
    ),
}


def _coverage(campaign, region) -> list:
    share = stats.coverage(campaign, region)
    return [
        (_("Listes officielles qui ont signé"), share["lists"]),
        (_("Communes de 3 500 habitants et plus avec une liste signataire"), share["communes"]),
    ]


FIGURES = {
    "jours": stats.per_day,
    "engagements": stats.per_commitment,
    "regions": stats.per_region,
    "departements": stats.per_departement,
    "couverture": _coverage,
    "relais": relay_stats.per_relay,
}


# On the « Relais » page (`relays_view`) and in its CSV; the dashboard has their summary.
ON_THEIR_OWN_PAGE = {"relais"}


def campaign_figures(campaign, region, *, only=None) -> dict:
    """Each table's rows (those of `only` alone, for a CSV download). On the page, the
    régions' rows are the départements' added up rather than counted again."""
    if only:
        return {only: FIGURES[only](campaign, region)}
    figures = {
        name: FIGURES[name](campaign, region)
        for name in FIGURES
        if name != "regions" and name not in ON_THEIR_OWN_PAGE
    }
    figures["regions"] = stats.per_region(campaign, region, departements=figures["departements"])
    return figures


def charts(figures) -> dict:
    return {
        "day_chart": stats.columns(figures["jours"], value="approved"),
        "commitment_chart": stats.bars(figures["engagements"], label="code", value="n"),
        "region_chart": stats.bars(figures["regions"], label="code", value="approved"),
    }


def _region(request):
    """The région asked for (`?region=84`), None for all; a bad code is said, then ignored.
    A code outside a regional moderator's régions is one they may not ask for."""
    code = request.GET.get("region", "")
    if not code:
        return None
    region = limit(Region.objects.filter(pk=code[:3]), request.user, "code").first()
    if region is None:
        messages.error(
            request,
            _("Aucune région n’a le code « %(code)s » : toutes les régions sont affichées.")
            % {"code": code[:20]}
            if not is_scoped(request.user)
            else _(
                "La région « %(code)s » n’est pas dans votre périmètre : vos régions sont "
                "affichées."
            )
            % {"code": code[:20]},
        )
    return region


def _place(request, region):
    """What the campaign's figures count: the région chosen, else the moderator's régions
    (None: all)."""
    if region is not None:
        return region
    return regions_of(request.user)


def _csv(name: str, rows, region) -> HttpResponse:
    filename, header, cells = TABLES[name]
    suffix = f"-{region.pk}" if region else ""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}{suffix}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in cells(row)])
    return response


def dashboard_view(model_admin, request):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    user = request.user
    region = _region(request)
    place = _place(request, region)
    campaign = Campaign.objects.current()
    if request.GET.get("format") == "csv":
        table = request.GET.get("table", "")
        if table in TABLES and campaign:
            return _csv(table, campaign_figures(campaign, place, only=table)[table], region)
        messages.error(
            request, _("Ce tableau n’existe pas : choisissez un des liens « CSV » de la page.")
        )
    figures = campaign_figures(campaign, place) if campaign else None
    pledges = limit(Signature.objects.all(), user, SIGNATURE_REGION)
    by_status = dict(pledges.values_list("status").annotate(n=Count("pk")))
    pending = pledges.filter(status=Status.PENDING)
    per_departement = (
        pending.values(
            "candidate__commune__departement_id", "candidate__commune__departement__name"
        )
        .annotate(n=Count("pk"), oldest=Min("submitted_at"))
        .order_by("-n", "candidate__commune__departement_id")
    )
    # As the log shows it: a regional moderator's régions' signatures, and their own entries.
    entries = AuditEntry.objects.all()
    if is_scoped(user):
        entries = entries.filter(condition(user, f"pledge__{SIGNATURE_REGION}") | Q(actor=user))
    decisions = (
        entries.exclude(action__in=EDITS)
        .annotate(day=TruncDate("at"))
        .values("day", "action")
        .annotate(n=Count("*"))
        .order_by()  # sorted below: a hash of the few (day, action) pairs, not a sort of all
    )
    actions = [(a.value, a.label) for a in AuditEntry.Action if a not in EDITS]
    days: dict = {}
    for row in decisions:
        days.setdefault(row["day"], {})[row["action"]] = row["n"]
    return TemplateResponse(
        request,
        "admin/pledges/signature/dashboard.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": _("Tableau de bord de la modération"),
            "statuses": [(s.label, by_status.get(s.value, 0), s.value) for s in Status],
            "total": sum(by_status.values()),
            "per_departement": per_departement,
            "oldest": pending.select_related("candidate__commune").order_by("submitted_at")[:10],
            "overdue": pending.filter(
                submitted_at__lt=timezone.now() - timedelta(days=overdue_days())
            ).count(),
            "overdue_days": overdue_days(),
            # Voters' alerts: how many follow each commune, never who.
            "alert_counts": list(limit(subscriber_counts(), user, COMMUNE_REGION)),
            "alert_pending": limit(
                AlertSubscription.objects.pending(), user, COMMUNE_REGION
            ).count(),
            "days": [
                (day, [counts.get(code, 0) for code, _label in actions])
                for day, counts in sorted(days.items())
            ],
            "actions": actions,
            "campaign": campaign,
            "region": region,
            "scoped": is_scoped(user),
            "regions": limit(Region.objects.order_by("sort_key", "code"), user, "code"),
            "figures": figures,
            "relays": relay_stats.summary(campaign, place) if campaign else None,
            **(charts(figures) if figures else {}),
        },
    )


def relays_view(model_admin, request):
    """The « Relais » page of the dashboard: every relay (of the région chosen, or of the
    moderator's régions) and what its invitations brought, with its CSV."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    region = _region(request)
    campaign = Campaign.objects.current()
    rows = relay_stats.per_relay(campaign, _place(request, region)) if campaign else []
    return TemplateResponse(
        request,
        "admin/pledges/signature/dashboard_relays.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "title": _("Relais : ce que leurs invitations ont apporté"),
            "rows": rows,
            "region": region,
            "scoped": is_scoped(request.user),
            "regions": limit(Region.objects.order_by("sort_key", "code"), request.user, "code"),
        },
    )
