"""The campaign's figures for staff: signatures over time, per commitment, per place, coverage.

Every figure is one aggregate query (GROUP BY) over the signatures, whatever their number
(plus a read of the charter's 20 commitments or of the 101 départements' names), and each
takes an optional région (a Region, or several région codes: a regional moderator's scope,
pledges.moderation.scope): then only the signatures, lists and communes of those régions
count. The charts are drawn here as plain geometry (`bars`), which the dashboard's template
writes as inline SVG beside a table of the same numbers.
"""

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate

from communes.models import Commune, Departement, Region
from pledges.models import Campaign, Commitment, ElectoralList, Signature, SignedCommitment
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
    """Each commitment of the charter → how many public signatures sign it still (two
    queries: the signed commitments counted by commitment alone, then the charter's 20 rows,
    so that the count does not carry each commitment's text through the join)."""
    public = _signatures(campaign, region).filter(
        Q(status=Status.APPROVED) | Q(status=Status.WITHDRAWN, approved_at__isnull=False)
    )
    counts = dict(
        SignedCommitment.objects.filter(withdrawn_at__isnull=True, pledge__in=public.values("pk"))
        .order_by()
        .values("commitment_id")
        .annotate(n=Count("pk"))
        .values_list("commitment_id", "n")
    )
    commitments = (
        Commitment.objects.filter(proposal__campaign=campaign)
        .select_related("proposal")
        .order_by("proposal__number", "position")
    )
    return [{"code": c.code, "text": c.text, "n": counts.get(c.pk, 0)} for c in commitments]


def per_departement(campaign: Campaign, region: Place = None) -> list[dict]:
    """Département → signatures sent, public, pending (one query, grouped by the code alone;
    the names, and each département's région, are read apart from the 101 départements)."""
    public = Q(status=Status.APPROVED) | Q(status=Status.WITHDRAWN, approved_at__isnull=False)
    rows = (
        _signatures(campaign, region)
        .values(code=F("candidate__commune__departement_id"))
        .annotate(
            submitted=Count("pk"),
            approved=Count("pk", filter=public),
            pending=Count("pk", filter=Q(status=Status.PENDING)),
        )
        .order_by("code")
    )
    places = {
        code: {"name": name, "region_code": region_code, "region_name": region_name}
        for code, name, region_code, region_name in Departement.objects.values_list(
            "code", "name", "region_id", "region__name"
        )
    }
    return [{**row, **places[row["code"]]} for row in rows]


def per_region(
    campaign: Campaign, region: Place = None, *, departements: list[dict] | None = None
) -> list[dict]:
    """Région → signatures sent, public, pending: the départements' rows (`per_departement`'s,
    or those given) added up by région, so that the page counts the signatures once."""
    if departements is None:
        departements = per_departement(campaign, region)
    regions: dict[str, dict] = {}
    for row in departements:
        code = row["region_code"]
        total = regions.setdefault(
            code,
            {"code": code, "name": row["region_name"], "submitted": 0, "approved": 0, "pending": 0},
        )
        for key in ("submitted", "approved", "pending"):
            total[key] += row[key]
    return [regions[code] for code in sorted(regions)]


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
