"""The bilans' reads: what the elected signed, and where each commitment stands.

A bilan counts the signed commitments of elected signatures
(pledges.outcomes.queries.elected_signatures: approved signatures of lists in the council
and of individual candidates matched to an elected councillor) that were not withdrawn, by
their follow-up status (SignedCommitment.follow_up_status, changed only by approving an
update: pending or refused updates count for nothing). Every count is an aggregate in the
database — one grouped query per table, whatever the number of commitments or areas — with
conditional counts rather than a row per status.

Before any result is imported a zero would be a lie: `results_known` tells the pages to say
« Les résultats des élections ne sont pas encore importés » instead.
"""

from collections.abc import Iterable
from dataclasses import dataclass, fields

from django.db.models import BooleanField, Count, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from candidates.models import ElectedCouncillor, ElectedImport
from communes.models import Commune
from pledges.models import (
    Campaign,
    ElectoralList,
    FollowUpStatus,
    FollowUpUpdate,
    SignedCommitment,
)
from pledges.outcomes.queries import elected_signatures

# From a signed commitment to its area, by the candidate's commune.
AREA_PATHS = {
    "commune": "pledge__candidate__commune",
    "departement": "pledge__candidate__commune__departement",
    "region": "pledge__candidate__commune__departement__region",
}
# The same areas from an elected councillor and from a list.
_COUNCILLOR_PATHS = {
    "commune": "commune",
    "departement": "commune__departement",
    "region": "commune__departement__region",
}
_LIST_PATHS = _COUNCILLOR_PATHS

# The statuses in the order a bilan prints them (done first: what voters look for).
STATUS_ORDER = (
    FollowUpStatus.DONE,
    FollowUpStatus.IN_PROGRESS,
    FollowUpStatus.NOT_STARTED,
    FollowUpStatus.ABANDONED,
)


@dataclass(frozen=True)
class Tally:
    """How many elected lists and candidates signed (and kept) some commitments, and where
    those commitments stand."""

    lists: int = 0
    candidates: int = 0
    commitments: int = 0
    done: int = 0
    in_progress: int = 0
    not_started: int = 0
    abandoned: int = 0

    @property
    def signatories(self) -> int:
        return self.lists + self.candidates

    def of(self, status: str) -> int:
        return getattr(self, status)

    @property
    def by_status(self) -> list[tuple[str, str, int]]:
        """(status, its label, count) in STATUS_ORDER."""
        return [(status.value, str(status.label), self.of(status)) for status in STATUS_ORDER]

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(
            **{
                name.name: getattr(self, name.name) + getattr(other, name.name)
                for name in fields(self)
            }
        )


EMPTY = Tally()


def _aggregates() -> dict:
    """The conditional counts of a Tally, over signed commitments."""
    has_list = Q(pledge__electoral_list__isnull=False)
    return {
        "lists": Count("pledge", distinct=True, filter=has_list),
        "candidates": Count("pledge", distinct=True, filter=~has_list),
        "commitments": Count("pk"),
        **{
            status.name.lower(): Count("pk", filter=Q(follow_up_status=status))
            for status in FollowUpStatus
        },
    }


def _tally(values: dict) -> Tally:
    return Tally(**{name.name: values[name.name] or 0 for name in fields(Tally)})


def elected_commitments(campaign: Campaign) -> QuerySet[SignedCommitment]:
    """The commitments elected signatories signed and did not withdraw."""
    return SignedCommitment.objects.filter(
        pledge__in=elected_signatures(campaign).values("pk"), withdrawn_at__isnull=True
    )


def _within(queryset: QuerySet, area: str | None, value, paths=AREA_PATHS) -> QuerySet:
    if area is None:
        return queryset
    return queryset.filter(**{paths[area]: value})


def results_known(area: str | None = None, value=None) -> bool:
    """Whether the election results are in for this area (None: the whole country): an
    import of the elected covered it, or staff set a list's outcome there."""
    if area is None:
        return ElectedImport.objects.exists() or ElectoralList.objects.exclude(outcome="").exists()
    return (
        _within(ElectoralList.objects.exclude(outcome=""), area, value, _LIST_PATHS).exists()
        or _within(ElectedCouncillor.objects.all(), area, value, _COUNCILLOR_PATHS).exists()
    )


def commitment_tallies(campaign: Campaign, area: str | None = None, value=None) -> dict[int, Tally]:
    """Commitment pk → its tally among the elected (of this area): one grouped query."""
    rows = (
        _within(elected_commitments(campaign), area, value)
        .order_by()
        .values("commitment_id")
        .annotate(**_aggregates())
    )
    return {row["commitment_id"]: _tally(row) for row in rows}


def total_tally(campaign: Campaign, area: str | None = None, value=None, commitment=None) -> Tally:
    """The tally of every elected signatory of this area (one query): lists and candidates
    counted once each, however many commitments they signed."""
    signed = _within(elected_commitments(campaign), area, value)
    if commitment is not None:
        signed = signed.filter(commitment=commitment)
    return _tally(signed.aggregate(**_aggregates()))


def area_tallies(
    campaign: Campaign,
    by: str,
    *,
    within: str | None = None,
    value=None,
    commitment=None,
) -> dict:
    """Area pk (commune pk, département or région code) → its tally, for the areas of `by`
    kind inside `within` (one grouped query); only areas with an elected signatory."""
    signed = _within(elected_commitments(campaign), within, value)
    if commitment is not None:
        signed = signed.filter(commitment=commitment)
    key = f"{AREA_PATHS[by]}_id" if by != "commune" else "pledge__candidate__commune_id"
    rows = signed.order_by().values(key).annotate(**_aggregates())
    return {row[key]: _tally(row) for row in rows}


# ------------------------------------------------------------------ a commune's signatories


def _approved_updates():
    return FollowUpUpdate.objects.filter(
        signed_commitment=OuterRef("pk"), state=FollowUpUpdate.State.APPROVED
    )


def with_updates(signed: QuerySet[SignedCommitment]) -> QuerySet[SignedCommitment]:
    """Each row gets `last_update_at` (the date of its last approved update, None if none)
    and `approved_updates` (how many): two correlated subqueries, no GROUP BY over the
    joined rows. Pending and refused updates are not counted: they are not public."""
    updates = _approved_updates()
    return signed.annotate(
        last_update_at=Subquery(updates.order_by("-created_at", "-pk").values("created_at")[:1]),
        approved_updates=Coalesce(
            Subquery(
                updates.order_by().values("signed_commitment").annotate(n=Count("pk")).values("n")
            ),
            0,
        ),
    )


SIGNED_RELATED = (
    "commitment__proposal",
    "pledge__candidate__commune__departement",
    "pledge__candidate__elected_councillor",
    "pledge__electoral_list__secteur",
    "pledge__electoral_list__head",
)


@dataclass
class SignatoryBilan:
    """One elected signature (a list's, or an individual candidate's) and its commitments."""

    signature: object
    commitments: list

    @property
    def electoral_list(self):
        return self.signature.electoral_list

    @property
    def tally(self) -> Tally:
        counts = {status.name.lower(): 0 for status in FollowUpStatus}
        for signed in self.commitments:
            counts[FollowUpStatus(signed.follow_up_status).name.lower()] += 1
        is_list = self.signature.electoral_list_id is not None
        return Tally(
            lists=int(is_list),
            candidates=int(not is_list),
            commitments=len(self.commitments),
            **counts,
        )

    @property
    def last_update_at(self):
        dates = [s.last_update_at for s in self.commitments if s.last_update_at]
        return max(dates) if dates else None


def commune_bilans(campaign: Campaign, commune: Commune) -> list[SignatoryBilan]:
    """The commune's elected signatures with their kept commitments, lists first (by
    secteur and name), then individual candidates by name: one query."""
    signed = (
        with_updates(elected_commitments(campaign).filter(pledge__candidate__commune=commune))
        .select_related(*SIGNED_RELATED)
        .annotate(
            individual=ExpressionWrapper(
                Q(pledge__electoral_list__isnull=True), output_field=BooleanField()
            )
        )
        .order_by(
            "individual",
            "pledge__electoral_list__secteur__number",
            "pledge__electoral_list__name",
            "pledge__candidate__last_name",
            "pledge__candidate__first_name",
            "pledge_id",
            "commitment__proposal__number",
            "commitment__position",
        )
    )
    bilans: dict[int, SignatoryBilan] = {}
    for row in signed:
        bilan = bilans.setdefault(row.pledge_id, SignatoryBilan(row.pledge, []))
        bilan.commitments.append(row)
    return list(bilans.values())


def tallies_of(bilans: Iterable[SignatoryBilan]) -> dict[int, Tally]:
    """Commitment pk → tally, counted from bilans already read (no query)."""
    tallies: dict[int, Tally] = {}
    for bilan in bilans:
        is_list = bilan.signature.electoral_list_id is not None
        for signed in bilan.commitments:
            one = Tally(
                lists=int(is_list),
                candidates=int(not is_list),
                commitments=1,
                **{FollowUpStatus(signed.follow_up_status).name.lower(): 1},
            )
            tallies[signed.commitment_id] = tallies.get(signed.commitment_id, EMPTY) + one
    return tallies


# ------------------------------------------------------------------ the territory tree


def communes_with_elected(campaign: Campaign) -> QuerySet[Commune]:
    """The communes with at least one elected signatory (the sitemap's bilans)."""
    return Commune.objects.filter(
        pk__in=elected_commitments(campaign).values("pledge__candidate__commune_id")
    )
