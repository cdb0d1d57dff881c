"""The moderation dashboard: signatures per status, the oldest waiting, decisions per day."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min
from django.db.models.functions import TruncDate
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from pledges.alerts.services import subscriber_counts
from pledges.models import AlertSubscription, AuditEntry, Signature
from pledges.moderation.admin.filters import overdue_days

Status = Signature.Status
# Edits are not decisions: the per-day table leaves them out.
EDITS = (AuditEntry.Action.IDENTITY_EDITED, AuditEntry.Action.LIST_EDITED)


def dashboard_view(model_admin, request):
    if not model_admin.has_view_permission(request):
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
        AuditEntry.objects.exclude(action__in=EDITS)
        .annotate(day=TruncDate("at"))
        .values("day", "action")
        .annotate(n=Count("pk"))
        .order_by("day", "action")
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
            "alert_counts": list(subscriber_counts()),
            "alert_pending": AlertSubscription.objects.pending().count(),
            "days": [
                (day, [counts.get(code, 0) for code, _label in actions])
                for day, counts in sorted(days.items())
            ],
            "actions": actions,
        },
    )
