"""The campaign's figures for staff: signatures over time, per commitment, per place, coverage.

Every figure is one aggregate query (GROUP BY), whatever the number of signatures, and each
takes an optional région (a Region, or several région codes: a regional moderator's scope,
pledges.moderation.scope): then only the signatures, lists and communes of those régions
count. The charts are drawn here as plain geometry (`bars`), which the dashboard's template
writes as inline SVG beside a table of the same numbers.
"""

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate

from communes.models import Commune, Region
from pledges.models import Campaign, Commitment, ElectoralList, Signature
from pledges.roster.answers import latest_official_lists, roster_counts, signed_lists_condition

# Communes whose lists the campaign counts on (« communes de 3 500 habitants et plus »).
COVERAGE_POPULATION = 3500
Status = Signature.Status
# One région, several (by code), or None for all.
Place = Region | Collection[str] | None


def region_codes(region: Place) -> list[str] | None:
    """The région codes a figure counts, None for all."""
    if region is None:
        return None
    if isinstance(region, Region):
        return [region.pk]
    return sorted(region)


def _signatures(campaign: Campaign, region: Place):
    signatures = Signature.objects.filter(campaign=campaign).order_by()
    codes = region_codes(region)
    if codes is not None:
        signatures = signatures.filter(candidate__commune__departement__region__in=codes)
    return signatures


def per_day(campaign: Campaign, region: Place = None) -> list[dict]:
    """Day → signatures submitted that day and signatures approved that day (two queries)."""
    signatures = _signatures(campaign, region)
    days: dict = {}
    submitted = signatures.values(day=TruncDate("submitted_at")).annotate(n=Count("pk"))
    for row in submitted:
        days.setdefault(row["day"], {"day": row["day"], "submitted": 0, "approved": 0})
        days[row["day"]]["submitted"] = row["n"]
    approved = (
        signatures.filter(approved_at__isnull=False)
        .values(day=TruncDate("approved_at"))
        .annotate(n=Count("pk"))
    )
    for row in approved:
        days.setdefault(row["day"], {"day": row["day"], "submitted": 0, "approved": 0})
        days[row["day"]]["approved"] = row["n"]
    return [days[day] for day in sorted(days)]


def per_commitment(campaign: Campaign, region: Place = None) -> list[dict]:
    """Each commitment of the charter → how many public signatures sign it still (one query)."""
    public = Q(signed_commitments__withdrawn_at__isnull=True) & (
        Q(signed_commitments__pledge__status=Status.APPROVED)
        | Q(
            signed_commitments__pledge__status=Status.WITHDRAWN,
            signed_commitments__pledge__approved_at__isnull=False,
        )
    )
    codes = region_codes(region)
    if codes is not None:
        public &= Q(signed_commitments__pledge__candidate__commune__departement__region__in=codes)
    commitments = (
        Commitment.objects.filter(proposal__campaign=campaign)
        .select_related("proposal")
        .annotate(n=Count("signed_commitments", filter=public))
        .order_by("proposal__number", "position")
    )
    return [{"code": c.code, "text": c.text, "n": c.n} for c in commitments]


def _per_place(campaign, region, key: str, name: str) -> list[dict]:
    public = Q(status=Status.APPROVED) | Q(status=Status.WITHDRAWN, approved_at__isnull=False)
    rows = (
        _signatures(campaign, region)
        .values(code=F(f"candidate__commune__{key}"), name=F(f"candidate__commune__{name}"))
        .annotate(
            submitted=Count("pk"),
            approved=Count("pk", filter=public),
            pending=Count("pk", filter=Q(status=Status.PENDING)),
        )
        .order_by("code")
    )
    return list(rows)


def per_region(campaign: Campaign, region: Place = None) -> list[dict]:
    """Région → signatures sent, public, pending (one query)."""
    return _per_place(campaign, region, "departement__region_id", "departement__region__name")


def per_departement(campaign: Campaign, region: Place = None) -> list[dict]:
    """Département → signatures sent, public, pending (one query)."""
    return _per_place(campaign, region, "departement_id", "departement__name")


@dataclass(frozen=True)
class Share:
    part: int
    whole: int

    @property
    def percent(self) -> float:
        return round(100 * self.part / self.whole, 1) if self.whole else 0.0


def coverage(campaign: Campaign, region: Place = None) -> dict[str, Share]:
    """The share of standing official lists (latest round) that signed, and of communes of
    3,500 inhabitants or more with at least one signing list (two queries)."""
    communes = Commune.objects.all()
    codes = region_codes(region)
    if codes is not None:
        communes = communes.filter(departement__region__in=codes)
    counts = roster_counts(
        campaign, by="region", communes=communes.values("pk") if codes is not None else None
    ).values()
    lists = Share(sum(c.lists_signed for c in counts), sum(c.lists for c in counts))
    # A commune counts when a list of this site there has a public signature, or when one
    # of its official lists answered by one (the roster's rule).
    signing_site = ElectoralList.objects.filter(
        campaign=campaign, signature__status=Status.APPROVED
    ).values("commune_id")
    signing_official = (
        latest_official_lists().filter(signed_lists_condition(campaign)).values("commune_id")
    )
    big = communes.filter(population__gte=COVERAGE_POPULATION).aggregate(
        whole=Count("pk"),
        part=Count("pk", filter=Q(pk__in=signing_site) | Q(pk__in=signing_official)),
    )
    return {"lists": lists, "communes": Share(big["part"], big["whole"])}


# ------------------------------------------------------------------ the charts' geometry

BAR_HEIGHT = 18
BAR_GAP = 4
LABEL_WIDTH = 70
CHART_WIDTH = 420


def bars(rows: list[dict], *, label: str, value: str) -> dict:
    """Horizontal bars: one per row, the longest `CHART_WIDTH` wide."""
    top = max((row[value] for row in rows), default=0) or 1
    step = BAR_HEIGHT + BAR_GAP
    drawn = [
        {
            "y": i * step,
            "text_y": i * step + BAR_HEIGHT - 4,
            "width": round(CHART_WIDTH * row[value] / top, 1),
            "label": row[label],
            "value": row[value],
            "value_x": LABEL_WIDTH + round(CHART_WIDTH * row[value] / top, 1) + 4,
        }
        for i, row in enumerate(rows)
    ]
    return {
        "bars": drawn,
        "width": LABEL_WIDTH + CHART_WIDTH + 60,
        "height": max(len(rows) * step, step),
        "x": LABEL_WIDTH,
    }


def columns(rows: list[dict], *, value: str, height: int = 160) -> dict:
    """Vertical columns over time: one per day, the tallest `height` high."""
    top = max((row[value] for row in rows), default=0) or 1
    width = max(2, min(24, CHART_WIDTH // max(len(rows), 1)))
    drawn = [
        {
            "x": i * width,
            "height": round(height * row[value] / top, 1),
            "y": height - round(height * row[value] / top, 1),
            "width": max(width - 1, 1),
            "day": row["day"],
            "value": row[value],
        }
        for i, row in enumerate(rows)
    ]
    return {"bars": drawn, "width": max(len(rows) * width, width), "height": height, "top": top}
