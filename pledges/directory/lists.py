"""Named reads of lists for the public directory: the commune page's rows, the list page.

A list is public when its signature is (`ElectoralList.objects.public()`: approved, or
approved then withdrawn). The commune page compares what voters choose between:

- one row per public list: its signature, the head's (`Signature.electoral_list`);
- one row per public signature in a candidate's own name: an individual candidate in a
  commune under 1,000 inhabitants (grouped by the name of the group they run with), or a
  signature recorded before lists were records;
- never a colistier's personal signature (no list, an active membership): the list's
  page shows it « à titre personnel », under the colistier's name, apart from the list's.

In Paris, Lyon and Marseille the rows come in sections, one per secteur, by number.
A list's members are its confirmed colistiers (each consented to publication when asking
to join) and its head; requests, refusals and former members' names are never public.
"""

from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from candidates.models import Candidate
from communes.models import Commune, Secteur
from communes.search import normalize_name, normalize_postal_query
from pledges.directory.queries import (
    COUNTED_STATUS,
    SignatoryRow,
    load_signatories,
    public_events,
    public_pledges,
)
from pledges.models import (
    Campaign,
    Certificate,
    ElectoralList,
    ListMembership,
    Signature,
    SignatureEvent,
)
from pledges.models.lists import list_name_key

CONFIRMED = ListMembership.Status.CONFIRMED


def public_lists(campaign: Campaign) -> QuerySet[ElectoralList]:
    """The lists anyone may see: their signature approved, or approved then withdrawn."""
    return ElectoralList.objects.public().filter(campaign=campaign)


def confirmed_members_count(list_field: str = "electoral_list_id") -> Coalesce:
    """A list's confirmed colistiers (0 without a list), for a query on signatures (or, with
    `list_field="pk"`, on lists)."""
    members = (
        ListMembership.objects.filter(electoral_list=OuterRef(list_field), status=CONFIRMED)
        .order_by()
        .values("electoral_list")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(members, output_field=IntegerField()), 0)


def rows_of_the_commune(campaign: Campaign, commune: Commune) -> QuerySet[Signature]:
    """The public signatures that are a row of the commune page: lists' and personal ones,
    without the personal signatures of colistiers on a list."""
    on_a_list = ListMembership.objects.filter(
        candidate=OuterRef("candidate_id"), status__in=ListMembership.ACTIVE
    )
    return (
        public_pledges(campaign)
        .filter(candidate__commune=commune)
        .filter(Q(electoral_list__isnull=False) | ~Exists(on_a_list))
    )


# ------------------------------------------------------------------ the commune's listing


@dataclass(frozen=True)
class Entry:
    """A row of the commune page, as the listing knows it before a page is read."""

    pk: int  # the signature's
    status: str
    is_list: bool
    secteur_number: int | None
    group: str  # an individual candidate's group name ("" for a list, or none given)
    sort_key: tuple

    @property
    def is_counted(self) -> bool:
        return self.status == COUNTED_STATUS


_LISTING_FIELDS = (
    "pk",
    "status",
    "electoral_list_id",
    "electoral_list__name_key",
    "electoral_list__secteur__number",
    "candidate__secteur__number",
    "candidate__role",
    "candidate__list_name",
    "candidate__last_name",
    "candidate__first_name",
)


def _entry(values: tuple) -> Entry:
    pk, status, list_id, name_key, list_secteur, own_secteur, role, typed_list, last, first = values
    is_list = list_id is not None
    secteur = list_secteur if is_list else own_secteur
    group = typed_list.strip() if role == Candidate.Role.INDIVIDUAL else ""
    withdrawn = status != COUNTED_STATUS
    if is_list:
        # Lists first, by name, those still signing before those withdrawn.
        rest = (0, False, "", withdrawn, name_key, "")
    else:
        # Then candidates in their own name: by group (named groups first), then name; a
        # signature from before lists were records, by the list name typed then.
        group_key = list_name_key(group) if group else ""
        typed = "" if group_key else list_name_key(typed_list)
        person = normalize_name(f"{last} {first}")
        rest = (1, not group_key, group_key, withdrawn, typed, person)
    return Entry(
        pk=pk,
        status=status,
        is_list=is_list,
        secteur_number=secteur,
        group=group,
        sort_key=(secteur is None, secteur or 0, *rest, pk),
    )


@dataclass
class CommuneBoard:
    """A commune's rows in page order: one small query, sorted here (a total order).

    The commune page paginates `entries` and counts from them; only a page's rows are then
    read in full (`board_rows`).
    """

    entries: list[Entry]
    secteurs: list[Secteur]  # Paris, Lyon, Marseille: every secteur, by number

    @cached_property
    def counted_pks(self) -> list[int]:
        """The rows still signing (approved): what the commune's totals count."""
        return [entry.pk for entry in self.entries if entry.is_counted]

    @property
    def signatories(self) -> int:
        return len(self.counted_pks)

    @cached_property
    def lists(self) -> int:
        return sum(entry.is_counted and entry.is_list for entry in self.entries)

    @property
    def individuals(self) -> int:
        return self.signatories - self.lists

    def secteur_pages(self, page_size: int) -> list[tuple[Secteur, int, int | None]]:
        """Each secteur, its rows still signing, and the page where its rows begin."""
        first_page, counted = {}, {}
        for position, entry in enumerate(self.entries):
            first_page.setdefault(entry.secteur_number, position // page_size + 1)
            counted[entry.secteur_number] = counted.get(entry.secteur_number, 0) + entry.is_counted
        return [
            (secteur, counted.get(secteur.number, 0), first_page.get(secteur.number))
            for secteur in self.secteurs
        ]


def commune_board(campaign: Campaign | None, commune: Commune) -> CommuneBoard:
    secteurs = list(commune.secteurs.order_by("number")) if commune.votes_by_secteur else []
    if campaign is None:
        return CommuneBoard([], secteurs)
    values = rows_of_the_commune(campaign, commune).values_list(*_LISTING_FIELDS)
    entries = sorted((_entry(row) for row in values), key=lambda entry: entry.sort_key)
    return CommuneBoard(_one_spelling_per_group(entries), secteurs)


def _one_spelling_per_group(entries: list[Entry]) -> list[Entry]:
    """« Vivre au village » and « vivre au Village » are one group: named as its first
    signatory (the lowest pk) spelled it."""
    spelling = {}
    for entry in sorted(entries, key=lambda entry: entry.pk):
        if entry.group:
            spelling.setdefault(list_name_key(entry.group), entry.group)
    return [
        replace(entry, group=spelling[list_name_key(entry.group)]) if entry.group else entry
        for entry in entries
    ]


@dataclass
class BoardRow(SignatoryRow):
    """A row of the commune page: a list's signature, or a candidate's own."""

    members: int = 0  # a list's candidates who joined, its head included
    group: str = ""  # an individual candidate's group
    secteur: Secteur | None = None

    @property
    def electoral_list(self) -> ElectoralList | None:
        return self.pledge.electoral_list

    @property
    def url(self) -> str:
        return (self.electoral_list or self.pledge).get_absolute_url()


def board_rows(campaign: Campaign, entries: list[Entry], secteurs: list[Secteur]) -> list[BoardRow]:
    """A page's rows in full, in the order of `entries`: two queries (three with a list's
    head's name), whatever the number of rows."""
    by_pk = (
        public_pledges(campaign)
        .select_related("candidate__elected_councillor", "electoral_list__head")
        .annotate(members=confirmed_members_count())
        .in_bulk([entry.pk for entry in entries])
    )
    # One that changed meanwhile is left out.
    pledges = [by_pk[entry.pk] for entry in entries if entry.pk in by_pk]
    by_number = {secteur.number: secteur for secteur in secteurs}
    entry_of = {entry.pk: entry for entry in entries}
    rows = []
    for row in load_signatories(pledges, with_commitments=False):
        entry, pledge = entry_of[row.pledge.pk], row.pledge
        head = pledge.electoral_list.head_id if pledge.electoral_list else None
        rows.append(
            BoardRow(
                pledge,
                row.signed_commitments,
                members=pledge.members + (1 if head else 0),
                group=entry.group,
                secteur=by_number.get(entry.secteur_number),
            )
        )
    return rows


# ------------------------------------------------------------------ the list page


@dataclass(frozen=True)
class Member:
    """A confirmed colistier, and what they signed in their own name, if it is public."""

    membership: ListMembership
    personal: SignatoryRow | None

    @property
    def candidate(self) -> Candidate:
        return self.membership.candidate


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    text: str
    code: str = ""  # a commitment's, for the signature's events


@dataclass
class ListPage:
    electoral_list: ElectoralList
    signature: SignatoryRow
    members: list[Member]
    certificate: Certificate | None
    events: list[SignatureEvent]
    memberships: list[ListMembership]  # confirmed, left or removed: the dated history

    @property
    def joined(self) -> int:
        """Candidates who joined: the confirmed colistiers and the head."""
        return len(self.members) + (1 if self.electoral_list.head_id else 0)


def _person_key(candidate: Candidate) -> str:
    return normalize_name(f"{candidate.last_name} {candidate.first_name}")


def list_page(campaign: Campaign, pk: int) -> ListPage | None:
    """A public list with its signature, members and history; None unless public."""
    electoral_list = (
        public_lists(campaign)
        .select_related(
            "commune__departement__region",
            "secteur",
            "head__elected_councillor",  # « élu·e », « maire » (pledges.outcomes)
            "signature",
        )
        .filter(pk=pk)
        .first()
    )
    if electoral_list is None:
        return None
    electoral_list.signature.campaign = campaign  # the page names it: no query for it
    (signature,) = load_signatories([electoral_list.signature])
    memberships = list(
        electoral_list.memberships.filter(
            status__in=[CONFIRMED, ListMembership.Status.LEFT, ListMembership.Status.REMOVED],
            decided_at__isnull=False,  # confirmed once, then perhaps left or removed
        )
        .select_related("candidate__elected_councillor")
        .order_by("decided_at", "pk")
    )
    confirmed = [m for m in memberships if m.status == CONFIRMED]
    personal = {
        row.pledge.candidate_id: row
        for row in load_signatories(
            public_pledges(campaign)
            .filter(candidate__in=[m.candidate_id for m in confirmed], electoral_list__isnull=True)
            .select_related("candidate")
        )
    }
    members = [
        Member(membership, personal.get(membership.candidate_id))
        for membership in sorted(confirmed, key=lambda m: _person_key(m.candidate))
    ]
    certificate = Certificate.objects.current().filter(pledge=electoral_list.signature).first()
    return ListPage(
        electoral_list=electoral_list,
        signature=signature,
        members=members,
        certificate=certificate,
        events=list(public_events(electoral_list.signature)),
        memberships=memberships,
    )


def confirmed_list_of(candidate: Candidate, campaign: Campaign) -> ElectoralList | None:
    """The public list a colistier is a confirmed member of, if any (their page links it)."""
    return (
        public_lists(campaign)
        .filter(memberships__candidate=candidate, memberships__status=CONFIRMED)
        .first()
    )


# ------------------------------------------------------------------ search


def search_lists(campaign: Campaign, query: str) -> QuerySet[ElectoralList]:
    """Public lists whose name contains the query, compared as list names are (no case,
    accents, spaces or punctuation: « saint etienne » finds « Saint-Étienne d’abord »)."""
    key = list_name_key(query)
    if len(key) < 2 or normalize_postal_query(query) is not None:
        return public_lists(campaign).none()
    return (
        public_lists(campaign)
        .filter(name_key__contains=key)
        .select_related("commune", "secteur", "head", "signature")
        .order_by("name_key", "commune__name", "pk")
    )
