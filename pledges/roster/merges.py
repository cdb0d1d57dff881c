"""Second round: what the lists that merged (« fusion ») had signed, and what they share.

`candidates.official.rounds.link_rounds` ties each round-2 official list to the round-1 list
it continues (`continues`) or the round-1 lists it merged (`merged_from`). This module reads
those links from the signing side:

- `merger_of(official_list, campaign=)`: for a round-2 merged list, each merging list with the
  site list tied to it and what that list's public signature signs (`Merger.sources`), and the
  commitments the merging lists that signed have in common (`Merger.common`);
- `list_merges(electoral_list, campaign=)`: what the list page says of a site list tied to a
  merged round-2 list (« issue de la fusion de… ») or to a round-1 list that merged into one
  (« a fusionné au second tour dans… »);
- `merged_commitments_for(candidate, campaign=)`: for the head of a merged round-2 list, the
  merger, so that the signing page can offer to take up the common commitments in one step
  (a merged list is a new list: its head signs anew);
- `answering_lists(official_lists, campaign=)`: the site list whose signature answers for each
  official list; a round-2 list that continues a round-1 list keeps that list's signature.

The site list of a round-1 list is the one tied to it (`ElectoralList.official_list`), or, when
the matching has since tied it to the round-2 list continuing it, the one tied to that list.
Only public signatures (approved, or approved then withdrawn) are read, and of them only the
commitments still signed: a withdrawn one is no longer something the lists share.
"""

from dataclasses import dataclass, field

from candidates.models import Candidate, OfficialCandidate, OfficialList
from candidates.official.models import Tour, person_key
from pledges.directory.queries import SignatoryRow, load_signatories, public_pledges
from pledges.models import Campaign, Commitment, ElectoralList
from pledges.roster.answers import peers_of


@dataclass
class MergeSource:
    """A round-1 list that merged: its site list and what it signed, if it did."""

    official_list: OfficialList
    site_list: ElectoralList | None = None
    signature: SignatoryRow | None = None

    @property
    def commitments(self) -> list[Commitment]:
        if self.signature is None:
            return []
        return [signed.commitment for signed in self.signature.active]

    @property
    def has_signed(self) -> bool:
        return bool(self.commitments)


@dataclass
class Merger:
    """A round-2 list formed by merging round-1 lists, and what those lists had signed."""

    official_list: OfficialList
    sources: list[MergeSource] = field(default_factory=list)
    # The public site list tied to the merged list itself, once it has signed anew.
    site_list: ElectoralList | None = None

    @property
    def signed_sources(self) -> list[MergeSource]:
        return [source for source in self.sources if source.has_signed]

    @property
    def common(self) -> list[Commitment]:
        """The commitments every merging list that signed still signs, in charter order.

        A merging list that never signed does not empty the set: the page says it did not
        sign. With one signed list only, these are that list's commitments.
        """
        signed = self.signed_sources
        if not signed:
            return []
        shared = set.intersection(*({c.pk for c in source.commitments} for source in signed))
        return [c for c in signed[0].commitments if c.pk in shared]

    @property
    def common_ids(self) -> list[int]:
        return [commitment.pk for commitment in self.common]


def _site_lists(official_lists: list[OfficialList], campaign: Campaign) -> dict[int, ElectoralList]:
    """Official list pk → the site list answering for it (see the module's docstring)."""
    wanted = {official_list.pk for official_list in official_lists}
    if not wanted:
        return {}
    # Another official list whose site list may stand for a wanted one: the same list in the
    # other round (pledges.roster.answers.peers_of: a merger is nobody's peer, it signs anew).
    alias: dict[int, int] = {}
    for official_pk, peers in peers_of(official_lists).items():
        for peer_pk in peers:
            alias.setdefault(peer_pk, official_pk)
    direct: dict[int, ElectoralList] = {}
    fallback: dict[int, ElectoralList] = {}
    for site_list in (
        ElectoralList.objects.filter(campaign=campaign, official_list__in=wanted | set(alias))
        .select_related("commune", "secteur")
        .order_by("pk")
    ):
        official_pk = site_list.official_list_id
        if official_pk in wanted:
            direct.setdefault(official_pk, site_list)
        if official_pk in alias:
            fallback.setdefault(alias[official_pk], site_list)
    return {pk: direct.get(pk) or fallback[pk] for pk in wanted if pk in direct or pk in fallback}


def answering_lists(
    official_lists: list[OfficialList], *, campaign: Campaign
) -> dict[int, ElectoralList]:
    """Official list pk → the site list whose signature answers for it (a few queries).

    A round-2 list continuing a round-1 list (the same list, maybe renamed) keeps its
    signature; a merged list answers only through a site list tied to it: it signs anew.
    """
    return _site_lists(list(official_lists), campaign)


def _signatures(site_lists: list[ElectoralList], campaign: Campaign) -> dict[int, SignatoryRow]:
    """Site list pk → its public signature with its commitments (two queries)."""
    if not site_lists:
        return {}
    pledges = (
        public_pledges(campaign).filter(electoral_list__in=site_lists).select_related("candidate")
    )
    return {row.pledge.electoral_list_id: row for row in load_signatories(pledges)}


def _mergers(merged: list[OfficialList], campaign: Campaign) -> list[Merger]:
    """The mergers of these round-2 lists, read together (a few queries whatever their number)."""
    if not merged:
        return []
    through = OfficialList.merged_from.through.objects.filter(
        from_officiallist__in=merged
    ).select_related("to_officiallist")
    sources_of: dict[int, list[OfficialList]] = {}
    for row in through.order_by("to_officiallist__panel_number", "to_officiallist_id"):
        sources_of.setdefault(row.from_officiallist_id, []).append(row.to_officiallist)
    all_sources = [source for sources in sources_of.values() for source in sources]
    site_lists = _site_lists(all_sources, campaign)
    signatures = _signatures(list(site_lists.values()), campaign)
    own = {
        site_list.official_list_id: site_list
        for site_list in ElectoralList.objects.public()
        .filter(campaign=campaign, official_list__in=merged)
        .order_by("-pk")
    }
    mergers = []
    for official_list in merged:
        sources = []
        for source in sources_of.get(official_list.pk, []):
            site_list = site_lists.get(source.pk)
            signature = signatures.get(site_list.pk) if site_list else None
            sources.append(MergeSource(source, site_list, signature))
        if sources:
            mergers.append(Merger(official_list, sources, own.get(official_list.pk)))
    return mergers


def merger_of(official_list: OfficialList | None, *, campaign: Campaign) -> Merger | None:
    """The merger forming this round-2 list, or None (not a round-2 list, or not merged)."""
    if official_list is None or official_list.tour != Tour.SECOND:
        return None
    mergers = _mergers([official_list], campaign)
    return mergers[0] if mergers else None


@dataclass
class ListMerges:
    """What a list page says of the second round's mergers."""

    came_from: Merger | None = None  # the list's round-2 official list is a merger
    merged_into: list[Merger] = field(default_factory=list)  # its round-1 list merged


def list_merges(electoral_list: ElectoralList, *, campaign: Campaign) -> ListMerges:
    """The mergers a site list took part in, through its official list."""
    if electoral_list.official_list_id is None:  # no query for a list not on the roster
        return ListMerges()
    official_list = electoral_list.official_list
    if official_list.tour == Tour.SECOND:
        came_from = merger_of(official_list, campaign=campaign)
        # A round-1 list re-tied to the round-2 list continuing it may also have merged
        # elsewhere only through that continuation: nothing more to say.
        return ListMerges(came_from=came_from)
    merged_into = list(
        OfficialList.objects.standing().filter(tour=Tour.SECOND, merged_from=official_list)
    )
    return ListMerges(merged_into=_mergers(merged_into, campaign))


def headed_official_list(candidate: Candidate) -> OfficialList | None:
    """The standing round-2 official list where this candidate is n° 1, in their commune
    (and secteur), if exactly one."""
    heads = list(
        OfficialCandidate.objects.standing()
        .filter(
            tour=Tour.SECOND,
            number=1,
            commune_id=candidate.commune_id,
            secteur_id=candidate.secteur_id,
            name_key=person_key(candidate.first_name, candidate.last_name),
            official_list__isnull=False,
            official_list__gone_at__isnull=True,
        )
        .select_related("official_list")[:2]
    )
    return heads[0].official_list if len(heads) == 1 else None


def merged_commitments_for(
    candidate: Candidate, *, campaign: Campaign, official_list: OfficialList | None = None
) -> Merger | None:
    """For the head of a merged round-2 list, its merger (sources and common commitments).

    The head's list is `official_list` when given (the list whose invitation letter they
    followed), else the round-2 official list their site list is tied to (the matching),
    else the one where they stand as n° 1. None unless that list is a merger whose merging
    lists have commitments in common.
    """
    if candidate.role != Candidate.Role.HEAD_OF_LIST:
        return None
    if official_list is None or official_list.tour != Tour.SECOND:
        official_list = OfficialList.objects.filter(
            tour=Tour.SECOND, site_lists__campaign=campaign, site_lists__head=candidate
        ).first() or headed_official_list(candidate)
    merger = merger_of(official_list, campaign=campaign)
    if merger is None or not merger.common:
        return None
    return merger
