"""The answer of each official list, and of each candidate standing alone, to the campaign.

An official list (candidates.official) has, for a campaign, one answer:

- **signed** (« a signé »): a list of this site tied to it (`ElectoralList.official_list`) has
  a public signature (approved, or approved then withdrawn: then « a signé, puis retiré sa
  signature le … »). The same list across rounds answers once: a round-2 list that
  `continues` a round-1 list keeps that list's signature (not a merged list, which signs
  anew), and a round-1 list keeps the signature of a site list the matching has since tied
  to the round-2 list continuing it — as `pledges.roster.merges` reads them;
- **declined** (« a décliné »): staff recorded its refusal (ListDecline), with its reason if
  the list agreed to publish it;
- **invited** (« invitée le … »): staff recorded an invitation (ListInvitation), the latest
  date shown;
- **no answer** (« n’a pas (encore) répondu »): none of those. The words stay neutral.

A candidate standing alone (scrutin plurinominal, communes under 1,000) has signed when a
candidate of this site tied to it (`Candidate.official_candidate`) has a public signature in
their own name; else no answer (invitations and declines are recorded for lists only).

`answers_for` and `candidate_answers_for` read a few queries whatever the number of lists;
`roster_counts` counts « 3 listes sur 5 ont signé » per commune, département or région in one
aggregate query. Counts count the standing lists (and candidates) of the latest round
imported in each place (commune, or secteur in Paris, Lyon and Marseille), and of them those
whose signature is approved (a withdrawn signature no longer counts, as everywhere else).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.humanize.templatetags.humanize import intcomma
from django.db import models
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from candidates.models import OfficialCandidate, OfficialList
from candidates.official.models import RosterKind, Tour
from pledges.models import (
    Campaign,
    ElectoralList,
    ListDecline,
    ListInvitation,
    Signature,
    SignedCommitment,
)


class Answer(models.TextChoices):
    SIGNED = "signed", _("a signé")
    DECLINED = "declined", _("a décliné")
    INVITED = "invited", _("invitée")  # shown « invitée le 3 février 2020 »
    NO_ANSWER = "no_answer", _("n’a pas (encore) répondu")


@dataclass(frozen=True)
class ListAnswer:
    """An official list's answer, and what the public may read of it."""

    answer: Answer
    electoral_list: ElectoralList | None = None  # the site list that signed
    commitments: int = 0  # its commitments still signed
    signed_at: datetime | None = None  # the signature's approval
    withdrawn_at: datetime | None = None  # the signature withdrawn after approval
    invited_at: date | None = None
    declined_at: date | None = None
    decline_reason: str = ""  # only if the list agreed to publish it

    @property
    def is_signed(self) -> bool:
        return self.answer == Answer.SIGNED

    @property
    def is_counted(self) -> bool:
        """Signed and still signing: what « ont signé » counts."""
        return self.is_signed and self.withdrawn_at is None

    @property
    def date(self) -> date | datetime | None:
        """The date of the answer: signed, declined or invited."""
        return {
            Answer.SIGNED: self.signed_at,
            Answer.DECLINED: self.declined_at,
            Answer.INVITED: self.invited_at,
        }.get(self.answer)

    @property
    def url(self) -> str:
        return self.electoral_list.get_absolute_url() if self.electoral_list else ""


NO_ANSWER = ListAnswer(Answer.NO_ANSWER)


@dataclass(frozen=True)
class CandidateAnswer:
    """A candidate standing alone: signed (with their signature) or no answer yet."""

    answer: Answer
    signature: Signature | None = None
    commitments: int = 0
    withdrawn_at: datetime | None = None

    @property
    def is_signed(self) -> bool:
        return self.answer == Answer.SIGNED

    @property
    def is_counted(self) -> bool:
        return self.is_signed and self.withdrawn_at is None

    @property
    def url(self) -> str:
        return self.signature.get_absolute_url() if self.signature else ""


NO_CANDIDATE_ANSWER = CandidateAnswer(Answer.NO_ANSWER)


def _active_commitments(pledge_field: str) -> Coalesce:
    count = (
        SignedCommitment.objects.filter(pledge=OuterRef(pledge_field), withdrawn_at__isnull=True)
        .order_by()
        .values("pledge")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(count, output_field=IntegerField()), 0)


def _is_merger(official_list_ref: str) -> Exists:
    return Exists(
        OfficialList.merged_from.through.objects.filter(
            from_officiallist=OuterRef(official_list_ref)
        )
    )


def peers_of(official_lists: list[OfficialList]) -> dict[int, list[int]]:
    """Official list pk → the other official lists that are the same list in the other
    round, whose site list and records answer for it too (at most one query each way)."""
    peers: dict[int, list[int]] = defaultdict(list)
    continuing = [ol for ol in official_lists if ol.tour == Tour.SECOND and ol.continues_id]
    if continuing:
        mergers = set(
            OfficialList.merged_from.through.objects.filter(
                from_officiallist__in=[ol.pk for ol in continuing]
            ).values_list("from_officiallist_id", flat=True)
        )
        for official_list in continuing:
            if official_list.pk not in mergers:
                peers[official_list.pk].append(official_list.continues_id)
    round1 = [ol.pk for ol in official_lists if ol.tour == Tour.FIRST]
    if round1:
        for round2_pk, round1_pk in OfficialList.objects.filter(
            tour=Tour.SECOND, continues__in=round1
        ).values_list("pk", "continues_id"):
            peers[round1_pk].append(round2_pk)
    return peers


def answers_for(
    official_lists: Iterable[OfficialList], *, campaign: Campaign | None
) -> dict[int, ListAnswer]:
    """Official list pk → its answer to `campaign` (none: no answer): a few queries, never
    one per list."""
    official_lists = list(official_lists)
    if not official_lists:
        return {}
    if campaign is None:
        return {official_list.pk: NO_ANSWER for official_list in official_lists}
    peers = peers_of(official_lists)
    # Its own records first, then its peers', each in order.
    order = {ol.pk: [ol.pk, *peers.get(ol.pk, [])] for ol in official_lists}
    wanted = {pk for pks in order.values() for pk in pks}

    signed: dict[int, ElectoralList] = {}
    site_lists = (
        ElectoralList.objects.public()
        .filter(campaign=campaign, official_list__in=wanted)
        .select_related("signature")
        .annotate(commitments=_active_commitments("signature"))
        # Still signing before withdrawn, then the first approved.
        .order_by(F("signature__withdrawn_at").asc(nulls_first=True), "signature__approved_at")
    )
    for site_list in site_lists:
        signed.setdefault(site_list.official_list_id, site_list)
    declines = {
        decline.official_list_id: decline
        for decline in ListDecline.objects.filter(campaign=campaign, official_list__in=wanted)
    }
    invited = dict(
        ListInvitation.objects.filter(campaign=campaign, official_list__in=wanted)
        .values("official_list_id")
        .annotate(latest=models.Max("at"))
        .order_by()
        .values_list("official_list_id", "latest")
    )

    def first(found: dict, pks: list[int]):
        return next((found[pk] for pk in pks if pk in found), None)

    answers = {}
    for pk, pks in order.items():
        if site_list := first(signed, pks):
            signature = site_list.signature
            answers[pk] = ListAnswer(
                Answer.SIGNED,
                electoral_list=site_list,
                commitments=site_list.commitments,
                signed_at=signature.approved_at,
                withdrawn_at=signature.withdrawn_at,
            )
        elif decline := first(declines, pks):
            answers[pk] = ListAnswer(
                Answer.DECLINED,
                declined_at=decline.at,
                decline_reason=decline.reason.strip() if decline.publish_reason else "",
            )
        elif invited_at := first(invited, pks):
            answers[pk] = ListAnswer(Answer.INVITED, invited_at=invited_at)
        else:
            answers[pk] = NO_ANSWER
    return answers


def candidate_answers_for(
    official_candidates: Iterable[OfficialCandidate], *, campaign: Campaign | None
) -> dict[int, CandidateAnswer]:
    """Official candidate pk → signed (their public signature in their own name) or no
    answer: one query."""
    wanted = [candidate.pk for candidate in official_candidates]
    if not wanted or campaign is None:
        return dict.fromkeys(wanted, NO_CANDIDATE_ANSWER)
    signatures = (
        Signature.objects.public()
        .filter(
            campaign=campaign,
            electoral_list__isnull=True,
            candidate__official_candidate__in=wanted,
        )
        .select_related("candidate")
        .annotate(commitments=_active_commitments("pk"))
        .order_by(F("withdrawn_at").asc(nulls_first=True), "approved_at")
    )
    found: dict[int, Signature] = {}
    for signature in signatures:
        found.setdefault(signature.candidate.official_candidate_id, signature)
    return {
        pk: CandidateAnswer(
            Answer.SIGNED,
            signature=found[pk],
            commitments=found[pk].commitments,
            withdrawn_at=found[pk].withdrawn_at,
        )
        if pk in found
        else NO_CANDIDATE_ANSWER
        for pk in wanted
    }


# ------------------------------------------------------------------ the latest round


def latest_round(items: Iterable, *, place=lambda item: item.secteur_id) -> list:
    """Of these standing lists (or candidates) of one commune, those of the latest round
    imported in each place (the commune, or its secteur)."""
    items = list(items)
    latest: dict = {}
    for item in items:
        key = place(item)
        latest[key] = max(latest.get(key, 0), item.tour)
    return [item for item in items if item.tour == latest[place(item)]]


def latest_official_lists() -> QuerySet[OfficialList]:
    """Standing lists of the latest round imported in their commune (or secteur)."""
    # Only round-2 rows can be later: the anti-join then hashes those alone, not every list
    # of the commune.
    later = OfficialList.objects.standing().filter(
        Q(secteur=OuterRef("secteur")) | Q(secteur__isnull=True),
        commune=OuterRef("commune"),
        tour=Tour.SECOND,
        tour__gt=OuterRef("tour"),
    )
    return OfficialList.objects.standing().filter(~Exists(later))


def latest_official_individuals() -> QuerySet[OfficialCandidate]:
    """Standing candidates standing alone, of the latest round imported in their commune."""
    individuals = OfficialCandidate.objects.standing().filter(kind=RosterKind.INDIVIDUALS)
    later = individuals.filter(
        commune=OuterRef("commune"), tour=Tour.SECOND, tour__gt=OuterRef("tour")
    )
    return individuals.filter(~Exists(later))


# ------------------------------------------------------------------ counts


@dataclass(frozen=True)
class RosterCount:
    """How many official lists (and candidates standing alone) stand, and how many signed."""

    lists: int = 0
    lists_signed: int = 0
    candidates: int = 0
    candidates_signed: int = 0

    def __add__(self, other: "RosterCount") -> "RosterCount":
        return RosterCount(
            self.lists + other.lists,
            self.lists_signed + other.lists_signed,
            self.candidates + other.candidates,
            self.candidates_signed + other.candidates_signed,
        )

    def __bool__(self) -> bool:
        return bool(self.lists or self.candidates)

    @property
    def lists_text(self) -> str:
        """« 3 listes sur 5 ont signé », « 1 liste sur 5 a signé » (0 and 1 are singular)."""
        if not self.lists:
            return ""
        return ngettext(
            "%(signed)s liste sur %(total)s a signé",
            "%(signed)s listes sur %(total)s ont signé",
            self.lists_signed,
        ) % {"signed": intcomma(self.lists_signed), "total": intcomma(self.lists)}

    @property
    def candidates_text(self) -> str:
        """« 2 candidat·es sur 11 ont signé » (candidates standing alone)."""
        if not self.candidates:
            return ""
        return ngettext(
            "%(signed)s candidat·e sur %(total)s a signé",
            "%(signed)s candidat·es sur %(total)s ont signé",
            self.candidates_signed,
        ) % {"signed": intcomma(self.candidates_signed), "total": intcomma(self.candidates)}

    @property
    def short_text(self) -> str:
        """« 1 liste sur 3 », « 2 candidat·es sur 11 »: a table's cell."""
        parts = []
        if self.lists:
            parts.append(
                ngettext(
                    "%(signed)s liste sur %(total)s",
                    "%(signed)s listes sur %(total)s",
                    self.lists_signed,
                )
                % {"signed": intcomma(self.lists_signed), "total": intcomma(self.lists)}
            )
        if self.candidates:
            parts.append(
                ngettext(
                    "%(signed)s candidat·e sur %(total)s",
                    "%(signed)s candidat·es sur %(total)s",
                    self.candidates_signed,
                )
                % {"signed": intcomma(self.candidates_signed), "total": intcomma(self.candidates)}
            )
        return ", ".join(parts)

    @property
    def short_lists_text(self) -> str:
        """« 3 sur 5 », for a table's cell."""
        return _short(self.lists_signed, self.lists)

    @property
    def short_candidates_text(self) -> str:
        return _short(self.candidates_signed, self.candidates)


def _short(signed: int, total: int) -> str:
    if not total:
        return ""
    return gettext("%(signed)s sur %(total)s") % {
        "signed": intcomma(signed),
        "total": intcomma(total),
    }


def count_answers(answers: Iterable, *, lists: bool = True) -> RosterCount:
    """The count of answers already read (a commune page's): no query."""
    answers = list(answers)
    counted = sum(answer.is_counted for answer in answers)
    if lists:
        return RosterCount(lists=len(answers), lists_signed=counted)
    return RosterCount(candidates=len(answers), candidates_signed=counted)


GROUPS = {
    "commune": "commune_id",
    "departement": "commune__departement_id",
    "region": "commune__departement__region_id",
}


def signed_lists_condition(campaign: Campaign) -> Q:
    """An official list answered by an approved signature, the rule of `answers_for` in SQL.

    IN over small sets (the site's signing lists) rather than a correlated EXISTS a row:
    PostgreSQL hashes them once, whatever the number of official lists.
    """
    signing = (
        ElectoralList.objects.filter(
            campaign=campaign,
            signature__status=Signature.Status.APPROVED,
            official_list__isnull=False,
        )
        .order_by()
        .values("official_list_id")
    )
    continued_by_signing = (
        OfficialList.objects.filter(tour=Tour.SECOND, pk__in=signing, continues__isnull=False)
        .order_by()
        .values("continues_id")
    )
    return (
        Q(pk__in=signing)
        | (Q(tour=Tour.SECOND, continues__in=signing) & ~_is_merger("pk"))
        | Q(tour=Tour.FIRST, pk__in=continued_by_signing)
    )


def signed_candidates_condition(campaign: Campaign) -> Q:
    signing = (
        Signature.objects.filter(
            campaign=campaign,
            status=Signature.Status.APPROVED,
            electoral_list__isnull=True,
            candidate__official_candidate__isnull=False,
        )
        .order_by()
        .values("candidate__official_candidate_id")
    )
    return Q(pk__in=signing)


def roster_counts(
    campaign: Campaign | None, *, by: str = "commune", communes=None
) -> dict[str, RosterCount] | dict[int, RosterCount]:
    """Commune pk (or département, région code) → its RosterCount, over `communes` (a
    queryset or pks; all by default): one query, lists and candidates standing alone as the
    two halves of a UNION. Places with no official list nor candidate are left out."""
    group = GROUPS[by]
    lists = latest_official_lists()
    individuals = latest_official_individuals()
    if communes is not None:
        lists = lists.filter(commune__in=communes)
        individuals = individuals.filter(commune__in=communes)
    if campaign is None:
        lists_signed = individuals_signed = Value(0)
    else:
        lists_signed = Count("pk", filter=signed_lists_condition(campaign))
        individuals_signed = Count("pk", filter=signed_candidates_condition(campaign))

    def grouped(queryset, kind: int, signed):
        return (
            queryset.order_by()
            .values(key=F(group))
            .annotate(kind=Value(kind), total=Count("pk"), signed=signed)
            .values_list("key", "kind", "total", "signed")
        )

    counts: dict = defaultdict(RosterCount)
    for key, kind, total, signed in grouped(lists, 0, lists_signed).union(
        grouped(individuals, 1, individuals_signed), all=True
    ):
        if kind == 0:
            counts[key] += RosterCount(lists=total, lists_signed=signed)
        else:
            counts[key] += RosterCount(candidates=total, candidates_signed=signed)
    return dict(counts)
