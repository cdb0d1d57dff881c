"""The site's lists and candidates against the official roster: who is who on the files.

A list of the site (ElectoralList) is compared with the official lists standing in its
commune and secteur; a candidate (Candidate: head, colistier or individual) with the
official candidates there. The result goes on the row itself (`official_list` /
`official_candidate`, `roster_match`):

- « found » (FOUND): one official record fits;
- « ambiguous » (AMBIGUOUS): several fit; staff choose (`official_lists_for` and
  `official_candidates_for` give them again, computed, nothing is stored);
- « not found » (NOT_FOUND): the commune's files are in and nothing fits;
- « not compared yet » (UNCHECKED): no file covering the commune has been imported
  (`Commune.votes_by_list` is still None).

What « fits »: names are compared as keys without case, accents, spaces or punctuation
(`list_name_key`, `person_key`). A list fits by its name (the site's name or short name
against the official long or short name, a leading « Liste » ignored) and by its head
(first and last names, in either order, against the official head). Name and head together
beat either alone; a list whose official record of the first round is continued by a
second-round list (`OfficialList.continues`, renamed or not) fits that one; the official
list a list is already tied to (by its head signing through that list's invitation letter,
or an earlier match) settles a tie and stays when nothing fits by name. Only the latest
round imported for the place counts, unless nothing fits there: a list eliminated in the
first round was still filed at the préfecture. A homonym list in another commune or secteur
never fits. A candidate fits by name (either order), preferably within the official list of
their own list; individual candidates are looked for in the plurinominal roster.

Staff decisions (pledges.roster.decisions) set `roster_checked_at`; a head signing through
the invitation letter of an official list is « confirmed » (CONFIRMED) at once. A settled row
(either) is never changed by these functions again, except for a confirmed list to follow
its official list into the next round when the files say it continues there. Every write
here is an UPDATE filtered on `UNSETTLED`, so that a decision taken meanwhile is never
overwritten.

`rematch_communes` does it in bulk after an import (a few queries per batch of communes);
`match_signature` after a signature or a join (a handful of indexed queries, none before the
files are in).
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Case, Exists, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from candidates.models import Candidate, OfficialCandidate, OfficialList, RosterMatch
from candidates.official.models import RosterKind, person_key
from communes.models import Commune
from pledges.models import ElectoralList, ListMembership, Signature
from pledges.models.lists import list_name_key

# A match the public pages may state: « liste (candidature) déposée en préfecture ».
FILED = (RosterMatch.FOUND, RosterMatch.CONFIRMED)

COMMUNES_PER_BATCH = 200
# Parameters per IN clause (SQLite allows 32,766 variables per statement).
KEYS_PER_QUERY = 2000

LIST_FIELDS = (
    "pk",
    "tour",
    "commune_id",
    "secteur_id",
    "name_key",
    "short_name_key",
    "head_key",
    "continues_id",
    "panel_number",
    "nuance",
)
CANDIDATE_FIELDS = (
    "pk",
    "tour",
    "kind",
    "commune_id",
    "secteur_id",
    "official_list_id",
    "number",
    "name_key",
)


# Staff checked it (or the head signed through the letter of this very official list):
# never changed automatically.
UNSETTLED = Q(roster_checked_at__isnull=True) & ~Q(roster_match=RosterMatch.CONFIRMED)


def is_settled(row: ElectoralList | Candidate) -> bool:
    return row.roster_checked_at is not None or row.roster_match == RosterMatch.CONFIRMED


def is_filed(row: ElectoralList | Candidate) -> bool:
    """Whether the public pages say « déposée en préfecture » (staff approved the signature:
    the caller checks that)."""
    return row.roster_match in FILED


def filed_label(signature: Signature, *, electoral_list: ElectoralList | None = None) -> str:
    """What a public page says of a public signature matched to the roster: « liste
    déposée en préfecture » (a list's), « candidature déposée en préfecture » (a person's);
    nothing otherwise. `electoral_list`: the signature's list, if the caller has it."""
    if not signature.is_public:
        return ""
    if signature.electoral_list_id is not None:
        electoral_list = electoral_list or signature.electoral_list
        return _("liste déposée en préfecture") if is_filed(electoral_list) else ""
    return _("candidature déposée en préfecture") if is_filed(signature.candidate) else ""


def name_keys(*names: str) -> set[str]:
    """The keys a list's names are compared by: each name's key, and without « liste »."""
    keys = set()
    for name in names:
        key = list_name_key(name or "")
        keys |= {key, key.removeprefix("liste")}
    return keys - {""}


def person_keys(first_name: str, last_name: str) -> set[str]:
    """« Camille Martin » and « Martin Camille »: the files and the forms disagree on order."""
    return {person_key(first_name, last_name), person_key(last_name, first_name)} - {""}


def _latest_first(rows: Iterable) -> list[list]:
    """Rows grouped by round, the latest round first."""
    by_tour = defaultdict(list)
    for row in rows:
        by_tour[row.tour].append(row)
    return [by_tour[tour] for tour in sorted(by_tour, reverse=True)]


def _fitting_lists(electoral_list: ElectoralList, head_keys: set[str], place: list) -> list:
    names = name_keys(electoral_list.name, electoral_list.short_name)
    by_name = [ol for ol in place if names & name_keys(ol.name_key, ol.short_name_key)]
    by_head = [ol for ol in place if ol.head_key and ol.head_key in head_keys]
    both = [ol for ol in by_name if ol in by_head]
    if not both:
        successor = _successor(electoral_list, place)
        if successor is not None:
            return [successor]
    found = both or by_name + [ol for ol in by_head if ol not in by_name]
    # Its current official list (the letter its head signed through, an earlier match)
    # settles a tie, and stays when nothing fits by name any more; names that now point
    # to another official list win.
    current = next((ol for ol in place if ol.pk == electoral_list.official_list_id), None)
    if current is not None and (current in found or not found):
        return [current]
    return found


def _successor(electoral_list: ElectoralList, official: Iterable) -> OfficialList | None:
    """The standing list of a later round that continues the list's official list, if any
    (a fusion is a new list: its signature is asked anew)."""
    if electoral_list.official_list_id is None:
        return None
    return next(
        (
            ol
            for ol in official
            if ol.continues_id == electoral_list.official_list_id
            and ol.secteur_id == electoral_list.secteur_id
            and not ol.is_fusion
        ),
        None,
    )


def fitting_lists(electoral_list: ElectoralList, head_keys: set[str], official: Iterable) -> list:
    """The official lists (of the list's commune, all rounds) that fit `electoral_list`,
    in the latest round where any does."""
    place = [ol for ol in official if ol.secteur_id == electoral_list.secteur_id]
    for same_round in _latest_first(place):
        found = _fitting_lists(electoral_list, head_keys, same_round)
        if found:
            return found
    return []


def fitting_candidates(
    candidate: Candidate, official: Iterable, *, preferred_list_id: int | None = None
) -> list:
    """The official candidates (of the candidate's commune, all rounds) that fit: by name in
    either order, on the list's official list first, in the plurinominal roster for an
    individual candidate, a head's number 1 before a namesake further down."""
    keys = person_keys(candidate.first_name, candidate.last_name)
    individual = candidate.role == Candidate.Role.INDIVIDUAL
    kind = RosterKind.INDIVIDUALS if individual else RosterKind.LISTS
    hits = [
        oc
        for oc in official
        if oc.name_key in keys
        and oc.kind == kind
        and (kind == RosterKind.INDIVIDUALS or oc.secteur_id == candidate.secteur_id)
    ]
    if preferred_list_id is not None:
        on_their_list = [oc for oc in hits if oc.official_list_id == preferred_list_id]
        if on_their_list:
            return on_their_list
    for same_round in _latest_first(hits):
        if candidate.role == Candidate.Role.HEAD_OF_LIST:
            heads = [oc for oc in same_round if oc.number == 1]
            if heads:
                return heads
        return same_round
    return []


def _outcome(found: list, *, imported: bool) -> tuple[int | None, str]:
    if not imported:
        return None, RosterMatch.UNCHECKED
    if len(found) == 1:
        return found[0].pk, RosterMatch.FOUND
    return None, RosterMatch.AMBIGUOUS if found else RosterMatch.NOT_FOUND


# ---------------------------------------------------------------- reads


def _official_lists_of(commune_ids: Iterable[int]):
    """The standing official lists of these communes, each with `is_fusion` (a second-round
    list merging several: a new list, that no first-round list continues into)."""
    merged = OfficialList.merged_from.through.objects.filter(from_officiallist=OuterRef("pk"))
    return (
        OfficialList.objects.standing()
        .filter(commune_id__in=commune_ids)
        .only(*LIST_FIELDS)
        .annotate(is_fusion=Exists(merged))
    )


def _official_candidates_named(commune_ids: Iterable[int], keys: Iterable[str]) -> list:
    keys = sorted(set(keys))
    rows = []
    for start in range(0, len(keys), KEYS_PER_QUERY):
        rows += (
            OfficialCandidate.objects.standing()
            .filter(commune_id__in=commune_ids, name_key__in=keys[start : start + KEYS_PER_QUERY])
            .only(*CANDIDATE_FIELDS)
        )
    return rows


def _head_keys(electoral_list: ElectoralList) -> set[str]:
    head = electoral_list.head
    return person_keys(head.first_name, head.last_name) if head else set()


def official_lists_for(electoral_list: ElectoralList) -> list[OfficialList]:
    """The official lists that fit (one when found, several when ambiguous)."""
    official = _official_lists_of([electoral_list.commune_id])
    return fitting_lists(electoral_list, _head_keys(electoral_list), official)


def _preferred_list_id(candidate: Candidate) -> int | None:
    """The official list of the candidate's own list (headed, or joined), if matched."""
    if candidate.role == Candidate.Role.HEAD_OF_LIST:
        headed = ElectoralList.objects.filter(head=candidate, official_list__isnull=False)
        return headed.values_list("official_list_id", flat=True).first()
    if candidate.role == Candidate.Role.CANDIDATE:
        return (
            ListMembership.objects.filter(
                candidate=candidate,
                status__in=ListMembership.ACTIVE,
                electoral_list__official_list__isnull=False,
            )
            .values_list("electoral_list__official_list_id", flat=True)
            .first()
        )
    return None


def official_candidates_for(candidate: Candidate) -> list[OfficialCandidate]:
    """The official candidates that fit (one when found, several when ambiguous)."""
    official = _official_candidates_named(
        [candidate.commune_id], person_keys(candidate.first_name, candidate.last_name)
    )
    return fitting_candidates(candidate, official, preferred_list_id=_preferred_list_id(candidate))


# ---------------------------------------------------------------- writes


def _list_values(official_by_pk: dict, official_id: int | None, match: str) -> dict:
    """What a list's row takes from its match: the panel number and nuance of the files."""
    official = official_by_pk.get(official_id)
    return {
        "official_list_id": official_id,
        "roster_match": match,
        "panel_number": official.panel_number if official else None,
        "nuance": official.nuance if official else "",
    }


def _cast(expression, column):
    """PostgreSQL types a CASE of parameters as text: cast it, as bulk_update does."""
    if connection.features.requires_casted_case_in_updates:
        return Cast(expression, output_field=column)
    return expression


# Rows per UPDATE … CASE: each row of the batch is tested against every WHEN, so a batch
# costs its size squared (at 500 rows, 50,000 changes took a minute on PostgreSQL).
CASE_BATCH = 100


def _update_unchecked(model, values_by_pk: dict[int, dict]) -> int:
    """Write each row's values, skipping rows settled meanwhile (UNSETTLED): rows taking
    the same values (« introuvable », « pas encore comparée »…) in one UPDATE per 500, the
    others in one UPDATE … CASE per column for each CASE_BATCH rows, as bulk_update writes
    them."""
    updated = 0
    same = defaultdict(list)
    for pk, values in values_by_pk.items():
        same[tuple(values.items())].append(pk)
    varied = []
    for values, pks in same.items():
        if len(pks) == 1:
            varied += pks
            continue
        for batch in _batches(sorted(pks), 500):
            updated += model.objects.filter(UNSETTLED, pk__in=batch).update(**dict(values))
    # By match, so that `roster_match` is a constant and only what differs needs a CASE.
    varied.sort(key=lambda pk: (values_by_pk[pk]["roster_match"], pk))
    for batch in _batches(varied, CASE_BATCH):
        columns = values_by_pk[batch[0]].keys()
        update = {}
        for name in columns:
            values = {values_by_pk[pk][name] for pk in batch}
            if len(values) == 1:
                update[name] = values.pop()
                continue
            column = model._meta.get_field(name.removesuffix("_id"))
            whens = (
                When(pk=pk, then=Value(values_by_pk[pk][name], output_field=column)) for pk in batch
            )
            update[name] = _cast(Case(*whens, output_field=column), column)
        updated += model.objects.filter(UNSETTLED, pk__in=batch).update(**update)
    return updated


def _apply(row, values: dict) -> bool:
    """Set `values` on the instance; whether anything changed."""
    changed = any(getattr(row, name) != value for name, value in values.items())
    for name, value in values.items():
        setattr(row, name, value)
    return changed


def _is_imported(commune_id: int) -> bool:
    """Whether a file covering the commune is in (the import sets `votes_by_list`)."""
    return Commune.objects.filter(pk=commune_id, votes_by_list__isnull=False).exists()


def match_list(electoral_list: ElectoralList, *, imported: bool | None = None) -> str:
    """Compare one list with the roster and record the result (unless staff checked it).
    `imported`: whether the commune's files are in, if the caller knows."""
    if is_settled(electoral_list):
        return electoral_list.roster_match
    if imported is None:
        imported = _is_imported(electoral_list.commune_id)
    found = official_lists_for(electoral_list) if imported else []
    official_id, match = _outcome(found, imported=imported)
    values = _list_values({ol.pk: ol for ol in found}, official_id, match)
    if _apply(electoral_list, values):
        _update_unchecked(ElectoralList, {electoral_list.pk: values})
    return match


def match_candidate(candidate: Candidate, *, imported: bool | None = None) -> str:
    """Compare one candidate with the roster and record the result (unless staff checked)."""
    if is_settled(candidate):
        return candidate.roster_match
    if imported is None:
        imported = _is_imported(candidate.commune_id)
    found = official_candidates_for(candidate) if imported else []
    official_id, match = _outcome(found, imported=imported)
    values = {"official_candidate_id": official_id, "roster_match": match}
    if _apply(candidate, values):
        _update_unchecked(Candidate, {candidate.pk: values})
    return match


def match_signature(signature: Signature) -> str:
    """A list's signature: the list, then its head; any other: its candidate. Returns the
    match of what the signature is (the list, or the candidate). Before any file covering
    the commune is imported, two queries and no write."""
    with transaction.atomic():
        candidate = Candidate.objects.select_related("commune").get(pk=signature.candidate_id)
        imported = candidate.commune.votes_by_list is not None
        if signature.electoral_list_id is None:
            return match_candidate(candidate, imported=imported)
        electoral_list = ElectoralList.objects.select_related("head").get(
            pk=signature.electoral_list_id
        )
        match = match_list(electoral_list, imported=imported)
        if electoral_list.head_id is not None:
            match_candidate(electoral_list.head, imported=imported)
        return match


def match_candidate_on_commit(candidate: Candidate) -> None:
    """After a colistier's join (or a profile change): match once the transaction commits.
    `robust`: a failure is logged, never turned into an error for the request."""
    pk = candidate.pk
    transaction.on_commit(lambda: match_candidate(Candidate.objects.get(pk=pk)), robust=True)


def match_signature_on_commit(signature: Signature) -> None:
    """After a signature: match once the transaction commits (see match_candidate_on_commit)."""
    pk = signature.pk
    transaction.on_commit(lambda: match_signature(Signature.objects.get(pk=pk)), robust=True)


# ---------------------------------------------------------------- in bulk, after an import


@dataclass
class Rematched:
    """What rematch_communes did."""

    communes: int = 0
    lists: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    candidates: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    changed: int = 0


def _batches(ids: list, size: int) -> Iterator[list]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def rematch_communes(commune_ids: Iterable[int]) -> Rematched:
    """Compare every list and candidate of these communes with the roster, in batches of
    the communes that have any: six reads per batch whatever the number of rows, and writes
    only for the rows whose match changed (see _update_unchecked)."""
    result = Rematched()
    for batch in _batches(_with_site_rows(commune_ids), COMMUNES_PER_BATCH):
        with transaction.atomic():
            _rematch_batch(batch, result)
        result.communes += len(batch)
    return result


def _rematch_batch(commune_ids: list[int], result: Rematched) -> None:
    imported = set(
        Commune.objects.filter(pk__in=commune_ids, votes_by_list__isnull=False).values_list(
            "pk", flat=True
        )
    )
    official_lists = defaultdict(list)
    official_by_pk = {}
    for ol in _official_lists_of(commune_ids):
        official_lists[ol.commune_id].append(ol)
        official_by_pk[ol.pk] = ol

    lists = list(
        ElectoralList.objects.filter(commune_id__in=commune_ids)
        .select_related("head")
        .only(
            "pk",
            "commune_id",
            "secteur_id",
            "name",
            "short_name",
            "official_list_id",
            "roster_match",
            "roster_checked_at",
            "panel_number",
            "nuance",
            "head__first_name",
            "head__last_name",
        )
    )
    list_values, followed = {}, {}
    for electoral_list in lists:
        if is_settled(electoral_list):
            # A confirmed list follows its official list into the next round, if it continues.
            successor = _successor(electoral_list, official_lists[electoral_list.commune_id])
            if successor is not None:
                followed[electoral_list.pk] = _list_values(
                    official_by_pk, successor.pk, electoral_list.roster_match
                )
                _apply(electoral_list, followed[electoral_list.pk])
            result.lists[electoral_list.roster_match] += 1
            continue
        is_imported = electoral_list.commune_id in imported
        found = (
            fitting_lists(
                electoral_list,
                _head_keys(electoral_list),
                official_lists[electoral_list.commune_id],
            )
            if is_imported
            else []
        )
        values = _list_values(official_by_pk, *_outcome(found, imported=is_imported))
        if _apply(electoral_list, values):
            list_values[electoral_list.pk] = values
        result.lists[values["roster_match"]] += 1
    result.changed += _update_unchecked(ElectoralList, list_values)
    for pk, values in followed.items():
        result.changed += ElectoralList.objects.filter(pk=pk).exclude(UNSETTLED).update(**values)

    # A candidate's own list's official list, as just matched: their preferred record.
    list_official = {electoral_list.pk: electoral_list.official_list_id for electoral_list in lists}
    headed = {
        electoral_list.head_id: electoral_list.official_list_id
        for electoral_list in lists
        if electoral_list.head_id and electoral_list.official_list_id
    }
    joined = ListMembership.objects.filter(
        candidate=OuterRef("pk"), status__in=ListMembership.ACTIVE
    ).values("electoral_list_id")[:1]
    candidates = list(
        Candidate.objects.filter(UNSETTLED, commune_id__in=commune_ids)
        .annotate(joined_list_id=Subquery(joined))
        .only(
            "pk",
            "first_name",
            "last_name",
            "commune_id",
            "secteur_id",
            "role",
            "official_candidate_id",
            "roster_match",
            "roster_checked_at",
        )
    )
    keys = set()
    for candidate in candidates:
        if candidate.commune_id in imported:
            keys |= person_keys(candidate.first_name, candidate.last_name)
    official_candidates = defaultdict(list)
    for oc in _official_candidates_named(commune_ids, keys):
        official_candidates[oc.commune_id].append(oc)
    candidate_values = {}
    for candidate in candidates:
        is_imported = candidate.commune_id in imported
        preferred = (
            headed.get(candidate.pk)
            if candidate.role == Candidate.Role.HEAD_OF_LIST
            else list_official.get(candidate.joined_list_id)
        )
        found = (
            fitting_candidates(
                candidate,
                official_candidates[candidate.commune_id],
                preferred_list_id=preferred,
            )
            if is_imported
            else []
        )
        official_id, match = _outcome(found, imported=is_imported)
        values = {"official_candidate_id": official_id, "roster_match": match}
        if _apply(candidate, values):
            candidate_values[candidate.pk] = values
        result.candidates[match] += 1
    result.changed += _update_unchecked(Candidate, candidate_values)


def _site_communes() -> set[int]:
    """The communes where the site has candidates (a list has its head's commune)."""
    return set(Candidate.objects.values_list("commune_id", flat=True).distinct()) | set(
        ElectoralList.objects.values_list("commune_id", flat=True).distinct()
    )


def _with_site_rows(commune_ids: Iterable[int]) -> list[int]:
    """Of these communes, those with something of the site's to compare (most of France's
    35,000 communes have no signatory: nothing is read for them)."""
    return sorted(set(commune_ids) & _site_communes())


def communes_of_import(roster_import) -> list[int]:
    """The communes an import wrote to (rows added, updated or gone) that have lists or
    candidates on the site: the ones to compare again."""
    touched = Q(last_import=roster_import) | Q(gone_at__gte=roster_import.started_at)
    communes = set()
    for batch in _batches(sorted(_site_communes()), KEYS_PER_QUERY):
        for model in (OfficialCandidate, OfficialList):
            communes |= set(
                model.objects.filter(touched, commune_id__in=batch)
                .values_list("commune_id", flat=True)
                .distinct()
            )
    return sorted(communes)
