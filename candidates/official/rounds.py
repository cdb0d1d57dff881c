"""Ties each round-2 list to the round-1 lists it comes from: continued, renamed or merged.

`link_rounds(*, roster_import)` is called by the importer inside its transaction once a
round-2 file is written. For every commune (or secteur) of that file it recomputes, for each
standing round-2 list, `continues` and `merged_from` from the candidates themselves
(`OfficialCandidate.name_key`), since a list's name and panel number may change between rounds.

The rule, for a round-2 list L2 and the standing round-1 lists of the same commune and secteur:

- a round-1 list *contributes* to L2 if at least `MERGE_MIN_CANDIDATES` (2) of its candidates
  are on L2, or if its head is on L2: one colistier changing sides is not a fusion, a list
  bringing its head or two of its people is;
- a candidate's name found on two round-1 lists of the same place (homonyms) counts for none;
- two contributors or more: L2 is a fusion, `merged_from` = the contributors, and
  `continues` = the contributor L2's head came from (none if the head is new);
- one contributor: L2 `continues` it if L2's head came from it, or if most of L2's candidates
  (more than half) came from it and the name, short name or panel number is the same;
  otherwise L2 is a new list that took a few people from it;
- no contributor: a new list.

A round-1 list with no round-2 list continuing it or merged into one simply does not stand.
Running it again gives the same links (they are recomputed, not added to).
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator

from candidates.official.models import OfficialCandidate, OfficialList, RosterImport, Tour

MERGE_MIN_CANDIDATES = 2
COMMUNES_PER_BATCH = 500
LIST_FIELDS = (
    "pk",
    "commune_id",
    "secteur_id",
    "panel_number",
    "name_key",
    "short_name_key",
    "head_key",
)


def link_rounds(*, roster_import: RosterImport) -> int:
    """Recompute `continues` and `merged_from` for the round-2 lists of the file's communes.

    Returns the number of round-2 lists examined. A few queries per batch of communes.
    """
    commune_ids = sorted(
        set(
            OfficialList.objects.filter(tour=Tour.SECOND, last_import=roster_import).values_list(
                "commune_id", flat=True
            )
        )
    )
    examined = 0
    for batch in _batches(commune_ids, COMMUNES_PER_BATCH):
        examined += _link_communes(batch)
    return examined


def _batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _link_communes(commune_ids: Iterable[int]) -> int:
    round2 = list(
        OfficialList.objects.standing()
        .filter(tour=Tour.SECOND, commune_id__in=commune_ids)
        .only(*LIST_FIELDS, "continues_id")
    )
    if not round2:
        return 0
    round1 = {
        official_list.pk: official_list
        for official_list in OfficialList.objects.standing()
        .filter(tour=Tour.FIRST, commune_id__in=commune_ids)
        .only(*LIST_FIELDS)
    }

    # Round-1 names per place: name_key → the round-1 lists carrying it.
    round1_names: dict[tuple, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for list_id, commune_id, secteur_id, name_key in (
        OfficialCandidate.objects.standing()
        .filter(tour=Tour.FIRST, commune_id__in=commune_ids, official_list_id__in=round1)
        .values_list("official_list_id", "commune_id", "secteur_id", "name_key")
    ):
        round1_names[(commune_id, secteur_id)][name_key].add(list_id)

    round2_names: dict[int, list[str]] = defaultdict(list)
    for list_id, name_key in (
        OfficialCandidate.objects.standing()
        .filter(tour=Tour.SECOND, official_list_id__in=[ol.pk for ol in round2])
        .values_list("official_list_id", "name_key")
    ):
        round2_names[list_id].append(name_key)

    Through = OfficialList.merged_from.through
    merges = []
    changed = []
    for official_list in round2:
        continues_id, merged_ids = _links_of(
            official_list,
            names=round2_names[official_list.pk],
            place_names=round1_names.get((official_list.commune_id, official_list.secteur_id), {}),
            round1=round1,
        )
        if official_list.continues_id != continues_id:
            official_list.continues_id = continues_id
            changed.append(official_list)
        merges.extend(
            Through(from_officiallist_id=official_list.pk, to_officiallist_id=merged_id)
            for merged_id in merged_ids
        )
    OfficialList.objects.bulk_update(changed, ["continues"], batch_size=1000)
    Through.objects.filter(from_officiallist_id__in=[ol.pk for ol in round2]).delete()
    Through.objects.bulk_create(merges, batch_size=1000)
    return len(round2)


def _links_of(
    official_list: OfficialList,
    *,
    names: list[str],
    place_names: dict[str, set[int]],
    round1: dict[int, OfficialList],
) -> tuple[int | None, list[int]]:
    """(continues_id, merged_from ids) of one round-2 list."""
    counts: Counter[int] = Counter()
    for name_key in names:
        lists = place_names.get(name_key, ())
        if len(lists) == 1:
            counts[next(iter(lists))] += 1
    name_set = set(names)
    contributors = sorted(
        list_id
        for list_id, count in counts.items()
        if count >= MERGE_MIN_CANDIDATES or round1[list_id].head_key in name_set
    )
    head_lists = place_names.get(official_list.head_key, set())
    head_from = next(iter(head_lists)) if len(head_lists) == 1 else None

    if len(contributors) >= 2:
        return (head_from if head_from in contributors else None), contributors
    if len(contributors) == 1:
        source = round1[contributors[0]]
        mostly = counts[source.pk] * 2 > len(names)
        same_label = (
            source.name_key == official_list.name_key
            or (source.short_name_key and source.short_name_key == official_list.short_name_key)
            or source.panel_number == official_list.panel_number
        )
        if head_from == source.pk or (mostly and same_label):
            return source.pk, []
    return None, []
