"""Named reads of the public directory, and the cache of its counters.

Public means `Signature.objects.public()`: approved, or approved then withdrawn (shown as
« signature retirée le … »). A signatory *counts* (home counters, map, commune counts,
commitment counts) only while approved; of their commitments, only those not withdrawn.
Every read here starts from one of those two querysets, so that the boundary between
public and private lives in `Signature.objects.public()` and in `counted_pledges()`.

The counters are computed over all signatures, so they are kept in the `counters` cache
(config/cache.py: Redis in production, where a failure is a miss) for PUBLIC_CACHE_TIMEOUT
seconds under a version key: `invalidate_public_caches()` starts a new version, and the
services that change public data (signing, moderation) call it on commit. With the
per-process memory cache, another process sees the change when its entries expire; with a
shared cache (CACHE_URL=redis://…) every process sees it at once.
The pages themselves are cached by the reverse proxy (config/http.py, config/deploy/).
"""

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TypeVar

from django.db.models import Count, F, QuerySet

from communes.models import Commune, Departement
from communes.search import normalize_name, normalize_postal_query
from config.cache import counters as cache
from pledges.models import Campaign, Signature, SignatureEvent, SignedCommitment

PUBLIC_CACHE_TIMEOUT = 60
LATEST_SIGNATORIES = 8
_VERSION_KEY = "directory:version"

T = TypeVar("T")


# ------------------------------------------------------------------ cache


def invalidate_public_caches() -> None:
    """Forget every cached public counter: call it whenever public data changes.

    The signing and moderation services call it after approving, unpublishing, withdrawing,
    adding or withdrawing a commitment, and after a staff edit of a candidate's identity.
    """
    version = uuid.uuid4().hex
    cache.set(_VERSION_KEY, version, timeout=None)


def public_version() -> str:
    """The current version of the public data: it changes at each invalidate_public_caches()."""
    version = cache.get(_VERSION_KEY)
    if version is None:
        cache.add(_VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(_VERSION_KEY, "")
    return version


def _cached(name: str, campaign: Campaign, compute: Callable[[], T]) -> T:
    key = f"directory:{public_version()}:{campaign.pk}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, PUBLIC_CACHE_TIMEOUT)
    return value


# ------------------------------------------------------------------ the two boundaries


def public_pledges(campaign: Campaign) -> QuerySet[Signature]:
    """What anyone may see: approved, or approved then withdrawn."""
    return Signature.objects.public().filter(campaign=campaign)


# Of the public signatures, those the counters count: approved (so not withdrawn).
COUNTED_STATUS = Signature.Status.APPROVED


def counted_pledges(campaign: Campaign) -> QuerySet[Signature]:
    """What the counters count: approved and not withdrawn."""
    return Signature.objects.public().filter(campaign=campaign, status=COUNTED_STATUS)


def commune_pledges(campaign: Campaign, commune: Commune) -> QuerySet[Signature]:
    """A commune's public signatories: approved ones first, then by list and name.

    A total order (ending on the pk), so that the commune page's pages never overlap;
    NULLS FIRST spelled out, since PostgreSQL and SQLite sort NULL at opposite ends.
    """
    return (
        public_pledges(campaign)
        .filter(candidate__commune=commune)
        .order_by(
            F("withdrawn_at").asc(nulls_first=True),
            "candidate__list_name",
            "candidate__last_name",
            "pk",
        )
    )


@dataclass
class CommuneListing:
    """A commune's public signatories in page order, as (pk, status): one small query.

    The commune page paginates this list and counts from it, rather than counting and
    slicing the signatures in three queries; only a page's rows are then read in full.
    """

    entries: list[tuple[int, str]]

    @cached_property
    def counted_pks(self) -> list[int]:
        """The counted ones (approved), as the counters count them."""
        return [pk for pk, status in self.entries if status == COUNTED_STATUS]

    @property
    def signatories(self) -> int:
        return len(self.counted_pks)


def commune_listing(campaign: Campaign, commune: Commune) -> CommuneListing:
    return CommuneListing(list(commune_pledges(campaign, commune).values_list("pk", "status")))


def pledges_in_order(campaign: Campaign, pks: list[int]) -> list[Signature]:
    """These public pledges with their candidate, in the order of `pks` (a page's worth)."""
    by_pk = public_pledges(campaign).select_related("candidate").in_bulk(pks)
    return [by_pk[pk] for pk in pks if pk in by_pk]  # one that changed meanwhile is left out


def commune_commitment_totals(listing: CommuneListing) -> dict[int, int]:
    """{commitment pk: current signatories}, over all of the commune's signatories.

    By the counted pledges' ids, which the listing holds: the index on pledge_id then
    does the work, where a subquery on the commune made PostgreSQL scan every signature.
    (A commune has at most a few thousand signatories, far below SQLite's 32,766
    parameters a query.)
    """
    counted = listing.counted_pks
    if not counted:
        return {}
    rows = (
        SignedCommitment.objects.filter(withdrawn_at__isnull=True, pledge_id__in=counted)
        .values("commitment_id")
        .annotate(signatories=Count("pk"))
        .order_by()
    )
    return {row["commitment_id"]: row["signatories"] for row in rows}


# ------------------------------------------------------------------ counters (cached)


@dataclass(frozen=True)
class DirectoryStats:
    signatories: int
    communes: int
    departements: int
    by_departement: dict[str, int]
    by_region: dict[str, int]


def _compute_stats(campaign: Campaign) -> DirectoryStats:
    # One grouped query: communes partition into départements, so summing the distinct
    # communes of each département gives the distinct communes overall.
    rows = (
        counted_pledges(campaign)
        .values("candidate__commune__departement_id", "candidate__commune__departement__region_id")
        .annotate(signatories=Count("pk"), communes=Count("candidate__commune", distinct=True))
        .order_by()
    )
    by_departement, by_region = {}, defaultdict(int)
    communes = 0
    for row in rows:
        by_departement[row["candidate__commune__departement_id"]] = row["signatories"]
        by_region[row["candidate__commune__departement__region_id"]] += row["signatories"]
        communes += row["communes"]
    return DirectoryStats(
        signatories=sum(by_departement.values()),
        communes=communes,
        departements=len(by_departement),
        by_departement=by_departement,
        by_region=dict(by_region),
    )


def directory_stats(campaign: Campaign) -> DirectoryStats:
    """Signatories, communes and départements with a signatory, and counts by area."""
    return _cached("stats", campaign, lambda: _compute_stats(campaign))


@dataclass(frozen=True)
class DepartementCount:
    code: str
    name: str
    region_code: str
    region_name: str
    signatories: int

    @property
    def is_overseas(self) -> bool:
        return len(self.code) == 3


def departement_counts(campaign: Campaign) -> list[DepartementCount]:
    """Every département (overseas and COMs included) with its number of signatories."""

    def compute():
        counts = directory_stats(campaign).by_departement
        return [
            DepartementCount(
                code=departement.code,
                name=departement.name,
                region_code=departement.region_id,
                region_name=departement.region.name,
                signatories=counts.get(departement.code, 0),
            )
            for departement in Departement.objects.select_related("region").order_by("code")
        ]

    return _cached("departements", campaign, compute)


@dataclass(frozen=True)
class LatestSignatory:
    pk: int
    full_name: str
    role: str
    list_name: str
    commune_name: str
    departement_code: str
    approved_at: datetime
    url: str


def latest_signatories(campaign: Campaign) -> list[LatestSignatory]:
    """The most recently approved signatories still signing."""

    def compute():
        pledges = (
            counted_pledges(campaign)
            .select_related("candidate__commune")
            .order_by("-approved_at", "-pk")[:LATEST_SIGNATORIES]
        )
        return [
            LatestSignatory(
                pk=pledge.pk,
                full_name=pledge.candidate.full_name,
                role=str(pledge.candidate.get_role_display()),
                list_name=pledge.candidate.list_name,
                commune_name=pledge.candidate.commune.name,
                departement_code=pledge.candidate.commune.departement_id,
                approved_at=pledge.approved_at,
                url=pledge.get_absolute_url(),
            )
            for pledge in pledges
        ]

    return _cached("latest", campaign, compute)


def commitment_counts(campaign: Campaign) -> dict[int, dict[str, int]]:
    """For each commitment, its current signatories by région code."""

    def compute():
        rows = (
            SignedCommitment.objects.filter(
                withdrawn_at__isnull=True, pledge__in=counted_pledges(campaign).values("pk")
            )
            .values("commitment_id", "pledge__candidate__commune__departement__region_id")
            .annotate(signatories=Count("pk"))
            .order_by()
        )
        counts = defaultdict(dict)
        for row in rows:
            region = row["pledge__candidate__commune__departement__region_id"]
            counts[row["commitment_id"]][region] = row["signatories"]
        return dict(counts)

    return _cached("commitments", campaign, compute)


# ------------------------------------------------------------------ communes


def communes_with_signatories(campaign: Campaign, communes: QuerySet[Commune] | None = None):
    """The communes that have at least one counted signatory, annotated `signatories`."""
    communes = Commune.objects.all() if communes is None else communes
    # The filter before the annotation: the count runs over the filtered join only.
    return communes.filter(
        candidates__signatures__campaign=campaign,
        candidates__signatures__status=COUNTED_STATUS,
    ).annotate(signatories=Count("candidates__signatures"))


def signatory_counts_by_commune(campaign: Campaign, communes: Iterable[Commune]) -> dict[int, int]:
    """{commune pk: counted signatories} for the given communes (absent: none)."""
    ids = [commune.pk for commune in communes]
    if not ids:
        return {}
    rows = (
        counted_pledges(campaign)
        .filter(candidate__commune_id__in=ids)
        .values("candidate__commune_id")
        .annotate(signatories=Count("pk"))
        .order_by()
    )
    return {row["candidate__commune_id"]: row["signatories"] for row in rows}


# ------------------------------------------------------------------ signatories


@dataclass
class SignatoryRow:
    """A public pledge with its signatures, as the grid, the pages and the exports read it."""

    pledge: Signature
    signed_commitments: list[SignedCommitment] = field(default_factory=list)

    @property
    def candidate(self):
        return self.pledge.candidate

    @property
    def is_withdrawn(self) -> bool:
        return self.pledge.status == Signature.Status.WITHDRAWN

    @cached_property
    def by_commitment(self) -> dict[int, SignedCommitment]:
        return {signature.commitment_id: signature for signature in self.signed_commitments}

    def withdrawn_on(self, signature: SignedCommitment) -> datetime | None:
        """When a signed commitment stopped counting: its own withdrawal, or the pledge's."""
        return signature.withdrawn_at or (self.pledge.withdrawn_at if self.is_withdrawn else None)

    @cached_property
    def active(self) -> list[SignedCommitment]:
        return [s for s in self.signed_commitments if self.withdrawn_on(s) is None]

    @cached_property
    def withdrawn(self) -> list[SignedCommitment]:
        return [s for s in self.signed_commitments if self.withdrawn_on(s) is not None]

    @property
    def active_codes(self) -> list[str]:
        return [signature.commitment.code for signature in self.active]

    @property
    def withdrawn_codes(self) -> list[str]:
        return [signature.commitment.code for signature in self.withdrawn]


def load_signatories(
    pledges: Iterable[Signature], *, with_commitments: bool = True
) -> list[SignatoryRow]:
    """The pledges (already public, their candidate selected) with their signatures.

    For a page's worth of pledges (a signatory, a page of a commune's grid): the pledges,
    then their signatures in one query by id, each with its commitment and proposal, in
    charter order; `with_commitments=False` reads only what the grid needs (it has the
    charter already): which commitment, and when signed or withdrawn.
    """
    rows = [SignatoryRow(pledge) for pledge in pledges]
    if not rows:
        return rows
    by_pledge = {row.pledge.pk: row for row in rows}
    signatures = SignedCommitment.objects.filter(pledge_id__in=list(by_pledge))
    if with_commitments:
        signatures = signatures.select_related("commitment__proposal").order_by(
            "pledge_id", "commitment__proposal__number", "commitment__position"
        )
    else:
        signatures = signatures.only(
            "pledge_id", "commitment_id", "signed_at", "withdrawn_at"
        ).order_by("pk")
    for signature in signatures:
        by_pledge[signature.pledge_id].signed_commitments.append(signature)
    return rows


def public_events(pledge: Signature) -> QuerySet[SignatureEvent]:
    """The public history of a pledge (its notes, addressed to the candidate, are not)."""
    return pledge.events.filter(is_public=True).select_related("commitment__proposal")


def search_signatories(campaign: Campaign, query: str) -> QuerySet[Signature]:
    """Public signatories whose name or list matches `query`, like the commune search.

    Accents, case, hyphens and spaces are ignored (Candidate.search_key); « martin
    camille » finds Camille Martin. A postal code finds no one: it is a commune query.
    """
    key = normalize_name(query)
    if len(key) < 2 or normalize_postal_query(query) is not None:
        return public_pledges(campaign).none()
    return (
        public_pledges(campaign)
        .filter(candidate__search_key__contains=key)
        .select_related("candidate__commune__departement")
        .order_by("withdrawn_at", "candidate__last_name", "candidate__first_name", "pk")
    )
