"""The elected against the roster and the site: each list's outcome, each signatory elected.

After `import_elus` (candidates.official.elected_importer, signal `elected_imported`),
`rematch_communes` runs over the communes of the file, in batches, three steps:

1. Each sitting councillor (ElectedCouncillor) is tied to the official candidacy of the same
   commune and name (`name_key` = person_key), in the latest round they stood in: FOUND if
   one fits, AMBIGUOUS for homonyms (several candidacies of that name), NOT_FOUND else. Its
   candidacy gives its official list.
2. Each official list of a commune that has councillors in the file gets its outcome: the
   list of the mayor is the majorité (if no mayor is found, the list holding more than half
   of the councillors tied to a list), other lists with elected members the opposition,
   lists with none « non élue »; a first-round list continued by (or merged into) a
   second-round list takes that list's outcome (the best of them). Homonyms that cannot be
   told apart still count for their lists when there are as many councillors as candidacies
   of that name. A commune without councillors in the file keeps blank outcomes: nothing is
   said before its results are in.
3. Each site list (ElectoralList) takes its official list's outcome, unless staff set it
   (`outcome_set_by`); each site candidate (heads, colistiers, individual candidates) is
   matched to a sitting councillor of their commune by name (either order), on their list's
   official list first when there are homonyms: `elected_councillor` + `elected_match`
   found / ambiguous / not found. Staff decisions (`elected_checked_at`, CONFIRMED) are never
   overwritten: every write is an UPDATE filtered on UNDECIDED.

`match_candidate` does one candidate (staff handing a decision back to the comparison).
"""

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from candidates.models import (
    Candidate,
    ElectedCouncillor,
    ListOutcome,
    OfficialCandidate,
    OfficialList,
    RosterMatch,
)
from pledges.models import ElectoralList, ListMembership
from pledges.roster.matching import KEYS_PER_QUERY, _batches, person_keys

logger = logging.getLogger(__name__)

COMMUNES_PER_BATCH = 200
VALUES_BATCH = 1000  # rows per UPDATE … FROM (VALUES …): 2,000 parameters
# A site candidate whose match staff decided: never changed automatically.
UNDECIDED = Q(elected_checked_at__isnull=True) & ~Q(elected_match=RosterMatch.CONFIRMED)
# The best outcome of several (a first-round list merged into several second-round lists).
_RANK = {ListOutcome.MAJORITY: 3, ListOutcome.OPPOSITION: 2, ListOutcome.NOT_ELECTED: 1}


@dataclass
class Rematched:
    communes: int = 0
    councillors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    official_lists: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lists: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    candidates: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    changed: int = 0


def communes_of_import(elected_import) -> list[int]:
    """The communes an import wrote to (rows added, updated or gone)."""
    touched = Q(last_import=elected_import) | Q(first_import=elected_import)
    return sorted(
        set(
            ElectedCouncillor.objects.filter(touched)
            .values_list("commune_id", flat=True)
            .distinct()
        )
    )


def rematch_communes(commune_ids: Iterable[int]) -> Rematched:
    """Steps 1 to 3 for these communes, one transaction per batch of communes."""
    result = Rematched()
    for batch in _batches(sorted(set(commune_ids)), COMMUNES_PER_BATCH):
        with transaction.atomic():
            _rematch_batch(batch, result)
        result.communes += len(batch)
    return result


# ---------------------------------------------------------------- 1. councillors → roster


def _match_councillors(commune_ids: list[int], result: Rematched) -> list:
    councillors = list(
        ElectedCouncillor.objects.sitting()
        .filter(commune_id__in=commune_ids)
        .only("pk", "commune_id", "name_key", "is_mayor", "official_candidate_id", "roster_match")
    )
    keys = sorted({c.name_key for c in councillors})
    standing = defaultdict(list)  # (commune, name_key) → candidacies
    for start in range(0, len(keys), KEYS_PER_QUERY):
        for oc in (
            OfficialCandidate.objects.standing()
            .filter(commune_id__in=commune_ids, name_key__in=keys[start : start + KEYS_PER_QUERY])
            .only("pk", "tour", "commune_id", "official_list_id", "name_key")
        ):
            standing[oc.commune_id, oc.name_key].append(oc)
    changed = []
    for councillor in councillors:
        found = standing.get((councillor.commune_id, councillor.name_key), [])
        latest = max((oc.tour for oc in found), default=None)
        found = [oc for oc in found if oc.tour == latest]
        councillor.candidacies = found
        if len(found) == 1:
            values = (found[0].pk, RosterMatch.FOUND)
        else:
            values = (None, RosterMatch.AMBIGUOUS if found else RosterMatch.NOT_FOUND)
        councillor.list_id = found[0].official_list_id if len(found) == 1 else None
        if (councillor.official_candidate_id, councillor.roster_match) != values:
            councillor.official_candidate_id, councillor.roster_match = values
            changed.append(councillor)
        result.councillors[councillor.roster_match] += 1
    # Without a candidacy: one UPDATE per match and 500 rows; with one, UPDATE … FROM
    # (VALUES …) by VALUES_BATCH rows (_write_candidacies).
    unmatched = defaultdict(list)
    for councillor in changed:
        if councillor.official_candidate_id is None:
            unmatched[councillor.roster_match].append(councillor.pk)
    for match, pks in unmatched.items():
        for batch in _batches(pks, 500):
            ElectedCouncillor.objects.filter(pk__in=batch).update(
                official_candidate=None, roster_match=match
            )
    _write_candidacies(
        [(c.pk, c.official_candidate_id) for c in changed if c.official_candidate_id]
    )
    result.changed += len(changed)
    return councillors


def _write_candidacies(pairs: list[tuple[int, int]]) -> None:
    """Councillor pk → their candidacy (FOUND): one UPDATE … FROM (VALUES …) per
    VALUES_BATCH rows, a join where bulk_update's CASE costs its size squared (at national
    size, bulk_update by CASE_BATCH rows took 40 % of the import: benchmarks/import_elus.py).
    SQLite has UPDATE … FROM since 3.33; both name the VALUES columns column1, column2."""
    table = connection.ops.quote_name(ElectedCouncillor._meta.db_table)
    pk = connection.ops.quote_name(ElectedCouncillor._meta.pk.column)
    for batch in _batches(pairs, VALUES_BATCH):
        rows = ", ".join(["(%s, %s)"] * len(batch))
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET official_candidate_id = v.column2, roster_match = %s "
                f"FROM (VALUES {rows}) AS v WHERE {table}.{pk} = v.column1",
                [RosterMatch.FOUND.value, *(value for pair in batch for value in pair)],
            )


# ---------------------------------------------------------------- 2. official lists' outcomes


def _list_outcomes(commune_ids: list[int], councillors: list) -> dict[int, str]:
    """Every standing official list of these communes → its outcome (blank: no results)."""
    with_results = {c.commune_id for c in councillors}
    elected = defaultdict(int)  # official list → councillors on it
    mayor_list = {}  # commune → official list of the mayor
    by_key = defaultdict(list)
    for councillor in councillors:
        if councillor.list_id is not None:
            elected[councillor.list_id] += 1
            if councillor.is_mayor:
                mayor_list[councillor.commune_id] = councillor.list_id
        elif councillor.roster_match == RosterMatch.AMBIGUOUS:
            by_key[councillor.commune_id, councillor.name_key].append(councillor)
    for homonyms in by_key.values():
        candidacies = homonyms[0].candidacies
        if len(candidacies) == len(homonyms):  # every candidacy of that name was elected
            for oc in candidacies:
                if oc.official_list_id is not None:
                    elected[oc.official_list_id] += 1
    lists = list(
        OfficialList.objects.standing()
        .filter(commune_id__in=commune_ids)
        .only("pk", "commune_id", "tour", "continues_id")
    )
    successors = defaultdict(set)  # round-1 list → round-2 lists continuing or merging it
    for ol in lists:
        if ol.continues_id:
            successors[ol.continues_id].add(ol.pk)
    for row in OfficialList.merged_from.through.objects.filter(
        from_officiallist__commune_id__in=commune_ids
    ).values_list("from_officiallist_id", "to_officiallist_id"):
        successors[row[1]].add(row[0])
    for commune_id in with_results - set(mayor_list):
        # No mayor tied to a list: the list holding more than half of the council's seats
        # tied to lists (the majority bonus gives the winning list that many).
        seats = {ol.pk: elected[ol.pk] for ol in lists if ol.commune_id == commune_id}
        total = sum(seats.values())
        best = max(seats, key=seats.get, default=None)
        if best is not None and seats[best] * 2 > total:
            mayor_list[commune_id] = best

    def direct(ol) -> str:
        if ol.commune_id not in with_results:
            return ListOutcome.UNKNOWN
        if mayor_list.get(ol.commune_id) == ol.pk:
            return ListOutcome.MAJORITY
        if elected[ol.pk]:
            if ol.commune_id not in mayor_list:
                return ListOutcome.UNKNOWN  # in the council, side unknown: staff say
            return ListOutcome.OPPOSITION
        return ListOutcome.NOT_ELECTED

    outcomes = {ol.pk: direct(ol) for ol in lists}
    for ol in lists:
        later = [outcomes[pk] for pk in successors.get(ol.pk, ()) if pk in outcomes]
        if later and outcomes[ol.pk] == ListOutcome.NOT_ELECTED:
            outcomes[ol.pk] = max(later, key=lambda outcome: _RANK.get(outcome, 0))
    return outcomes


def _write_list_outcomes(outcomes: dict[int, str], result: Rematched) -> None:
    by_outcome = defaultdict(list)
    for pk, outcome in outcomes.items():
        by_outcome[outcome].append(pk)
        result.official_lists[outcome] += 1
    for outcome, pks in by_outcome.items():
        for batch in _batches(sorted(pks), 500):
            result.changed += (
                OfficialList.objects.filter(pk__in=batch)
                .exclude(outcome=outcome)
                .update(outcome=outcome)
            )


# ---------------------------------------------------------------- 3. the site


def _write_site_lists(commune_ids: list[int], outcomes: dict[int, str], result: Rematched):
    now = timezone.now()
    lists = list(
        ElectoralList.objects.filter(commune_id__in=commune_ids).only(
            "pk", "official_list_id", "outcome", "outcome_set_by_id"
        )
    )
    for electoral_list in lists:
        if electoral_list.outcome_set_by_id is not None:
            result.lists[electoral_list.outcome] += 1
            continue
        outcome = outcomes.get(electoral_list.official_list_id, ListOutcome.UNKNOWN)
        result.lists[outcome] += 1
        if outcome != electoral_list.outcome:
            result.changed += ElectoralList.objects.filter(
                pk=electoral_list.pk, outcome_set_by__isnull=True
            ).update(outcome=outcome, outcome_at=now if outcome else None)
    return lists


def _family(official_list_id: int | None, successors: dict) -> set[int]:
    """An official list and the lists of the other round it continues or is continued by."""
    if official_list_id is None:
        return set()
    return {official_list_id, *successors.get(official_list_id, ())}


def _fitting(candidate, councillors: list, preferred: set[int]) -> list:
    keys = person_keys(candidate.first_name, candidate.last_name)
    hits = [c for c in councillors if c.name_key in keys]
    if len(hits) > 1 and preferred:
        on_their_list = [c for c in hits if c.list_id in preferred]
        if on_their_list:
            return on_their_list
    return hits


def _site_candidates(queryset):
    joined = ListMembership.objects.filter(
        candidate=OuterRef("pk"), status__in=ListMembership.ACTIVE
    ).values("electoral_list__official_list_id")[:1]
    headed = ElectoralList.objects.filter(head=OuterRef("pk")).values("official_list_id")[:1]
    return queryset.annotate(
        joined_official_id=Subquery(joined), headed_official_id=Subquery(headed)
    ).only(
        "pk",
        "first_name",
        "last_name",
        "commune_id",
        "role",
        "elected_councillor_id",
        "elected_match",
        "elected_checked_at",
    )


def _candidate_values(candidate, councillors: list, successors: dict, has_results: bool):
    if not has_results:
        return {"elected_councillor_id": None, "elected_match": RosterMatch.UNCHECKED}
    official_list_id = candidate.headed_official_id or candidate.joined_official_id
    preferred = _family(official_list_id, successors)
    found = _fitting(candidate, councillors, preferred)
    if len(found) == 1 and found[0].roster_match == RosterMatch.AMBIGUOUS:
        # One councillor of that name, but homonyms stood: which list they sat for is not
        # known, so neither is whether they are this candidate.
        return {"elected_councillor_id": None, "elected_match": RosterMatch.AMBIGUOUS}
    if len(found) == 1:
        return {"elected_councillor_id": found[0].pk, "elected_match": RosterMatch.FOUND}
    return {
        "elected_councillor_id": None,
        "elected_match": RosterMatch.AMBIGUOUS if found else RosterMatch.NOT_FOUND,
    }


def _write_candidates(candidates, councillors: list, successors: dict, result: Rematched):
    by_commune = defaultdict(list)
    for councillor in councillors:
        by_commune[councillor.commune_id].append(councillor)
    for candidate in candidates:
        sitting = by_commune.get(candidate.commune_id, [])
        values = _candidate_values(candidate, sitting, successors, bool(sitting))
        result.candidates[values["elected_match"]] += 1
        if any(getattr(candidate, name) != value for name, value in values.items()):
            result.changed += Candidate.objects.filter(UNDECIDED, pk=candidate.pk).update(**values)


def _successors(commune_ids: list[int]) -> dict[int, set[int]]:
    """Official list → the lists of the other round continuing, merging, or continued by it
    (both ways: a site list may be tied to either round's)."""
    links = defaultdict(set)
    for pk, continues in OfficialList.objects.filter(
        commune_id__in=commune_ids, continues__isnull=False
    ).values_list("pk", "continues_id"):
        links[pk].add(continues)
        links[continues].add(pk)
    for merged, into in OfficialList.merged_from.through.objects.filter(
        from_officiallist__commune_id__in=commune_ids
    ).values_list("to_officiallist_id", "from_officiallist_id"):
        links[merged].add(into)
        links[into].add(merged)
    return links


def _rematch_batch(commune_ids: list[int], result: Rematched) -> None:
    councillors = _match_councillors(commune_ids, result)
    outcomes = _list_outcomes(commune_ids, councillors)
    _write_list_outcomes(outcomes, result)
    _write_site_lists(commune_ids, outcomes, result)
    candidates = _site_candidates(Candidate.objects.filter(UNDECIDED, commune_id__in=commune_ids))
    _write_candidates(candidates, councillors, _successors(commune_ids), result)


# ---------------------------------------------------------------- one candidate


def _sitting_in(commune_id: int) -> list:
    councillors = list(
        ElectedCouncillor.objects.sitting()
        .filter(commune_id=commune_id)
        .select_related("official_candidate")
        .only(
            "pk", "commune_id", "name_key", "roster_match", "official_candidate__official_list_id"
        )
    )
    for councillor in councillors:
        oc = councillor.official_candidate
        councillor.list_id = oc.official_list_id if oc else None
    return councillors


def councillors_for(candidate: Candidate) -> list[ElectedCouncillor]:
    """The sitting councillors that fit the candidate (one when found, several when
    ambiguous): what staff choose from."""
    commune_ids = [candidate.commune_id]
    row = _site_candidates(Candidate.objects.filter(pk=candidate.pk)).get()
    official_list_id = row.headed_official_id or row.joined_official_id
    preferred = _family(official_list_id, _successors(commune_ids))
    return _fitting(row, _sitting_in(candidate.commune_id), preferred)


def match_candidate(candidate: Candidate) -> str:
    """Compare one candidate with the elected of their commune (unless staff decided)."""
    row = _site_candidates(Candidate.objects.filter(UNDECIDED, pk=candidate.pk)).first()
    if row is None:
        return candidate.elected_match
    sitting = _sitting_in(candidate.commune_id)
    values = _candidate_values(row, sitting, _successors([candidate.commune_id]), bool(sitting))
    Candidate.objects.filter(UNDECIDED, pk=candidate.pk).update(**values)
    return values["elected_match"]


def list_outcome_from_file(electoral_list: ElectoralList) -> str:
    """The outcome the file gives the list: its official list's (blank if none)."""
    if electoral_list.official_list_id is None:
        return ListOutcome.UNKNOWN
    return (
        OfficialList.objects.filter(pk=electoral_list.official_list_id)
        .values_list("outcome", flat=True)
        .first()
        or ListOutcome.UNKNOWN
    )
