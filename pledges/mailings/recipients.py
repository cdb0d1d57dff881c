"""Who a mailing goes to: its audience, its filter and its author's scope, read as one query.

The audiences (Mailing.Audience):
- « les signataires »: the candidate of every signature the filter selects (approved by
  default) and the confirmed colistiers of the lists whose signature it selects;
- « les têtes de liste »: the candidates of the selected signatures of lists;
- « les signataires élu·es »: the candidates of the selected signatures that
  pledges.outcomes.queries calls elected (approved, always).

The filter (Mailing.filters) narrows by région and département of the recipient's commune,
by the signature's status, by a commitment signed and not withdrawn, and by the outcome of
the vote; the author's régions (pledges.moderation.scope) are applied on top, so a regional
moderator neither counts nor sends outside them. One message per address, whatever its case;
an address that unsubscribed from campaign messages (EmailOptOut « campaign ») is set aside.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from candidates.models import Candidate, ListOutcome
from pledges.models import (
    Campaign,
    EmailOptOut,
    ListMembership,
    Mailing,
    Signature,
    SignedCommitment,
)
from pledges.moderation.scope import limit
from pledges.outcomes.queries import SURE_MATCHES, elected_signatures

REGION_PATH = "commune__departement__region"
Status = Signature.Status

# The statuses a mailing may address; without a choice, approved signatures only.
STATUSES = (Status.APPROVED, Status.WITHDRAWN, Status.PENDING, Status.CHANGES_REQUESTED)
DEFAULT_STATUSES = (Status.APPROVED,)

# The outcomes of the vote the filter offers: a list's (ListOutcome, « unknown » for a list
# whose result is not known yet) and an individual candidate's election.
ELECTED_INDIVIDUAL = "elected_individual"
UNKNOWN = "unknown"
OUTCOMES = (
    (ListOutcome.MAJORITY, _("liste élue dans la majorité")),
    (ListOutcome.OPPOSITION, _("liste élue dans l’opposition")),
    (ListOutcome.NOT_ELECTED, _("liste non élue")),
    (UNKNOWN, _("liste dont le résultat n’est pas connu")),
    (ELECTED_INDIVIDUAL, _("candidat·e élu·e à titre individuel")),
)
FILTER_KEYS = ("regions", "departements", "statuses", "commitments", "outcomes")


@dataclass(frozen=True)
class Recipient:
    """One address and the merge fields of the candidate it belongs to."""

    candidate_id: int
    user_id: int  # the account: the unsubscribe link carries it, not the address
    email: str
    first_name: str
    last_name: str
    commune: str
    list_name: str

    @property
    def key(self) -> str:
        return self.email.lower()


@dataclass(frozen=True)
class Audience:
    recipients: list[Recipient]  # to be sent, one per address
    opted_out: list[Recipient]  # set aside: unsubscribed from campaign messages

    @property
    def count(self) -> int:
        return len(self.recipients)


def _outcome_condition(outcomes) -> Q:
    condition = Q(pk__in=[])
    list_outcomes = [o for o in outcomes if o in ListOutcome.values and o]
    if list_outcomes:
        condition |= Q(electoral_list__outcome__in=list_outcomes)
    if UNKNOWN in outcomes:
        condition |= Q(electoral_list__isnull=False, electoral_list__outcome="")
    if ELECTED_INDIVIDUAL in outcomes:
        condition |= Q(
            electoral_list__isnull=True,
            candidate__elected_councillor__isnull=False,
            candidate__elected_match__in=SURE_MATCHES,
        )
    return condition


def selected_signatures(*, campaign: Campaign, audience: str, filters: dict) -> QuerySet:
    """The signatures the audience and the filter select (before région and scope)."""
    statuses = filters.get("statuses") or DEFAULT_STATUSES
    signatures = Signature.objects.filter(campaign=campaign, status__in=statuses)
    if filters.get("commitments"):
        signatures = signatures.filter(
            Exists(
                SignedCommitment.objects.filter(
                    pledge=OuterRef("pk"),
                    commitment_id__in=filters["commitments"],
                    withdrawn_at__isnull=True,
                )
            )
        )
    if filters.get("outcomes"):
        signatures = signatures.filter(_outcome_condition(filters["outcomes"]))
    if audience == Mailing.Audience.HEADS:
        signatures = signatures.filter(electoral_list__isnull=False)
    elif audience == Mailing.Audience.ELECTED:
        signatures = signatures.filter(pk__in=elected_signatures(campaign).values("pk"))
    return signatures


def recipient_candidates(*, campaign: Campaign, audience: str, filters: dict, user) -> QuerySet:
    """The candidates a mailing goes to, within `user`'s régions, with their list's name."""
    signatures = selected_signatures(campaign=campaign, audience=audience, filters=filters)
    own = signatures.filter(candidate=OuterRef("pk"))
    condition = Exists(own)
    memberships = ListMembership.objects.filter(
        candidate=OuterRef("pk"),
        status=ListMembership.Status.CONFIRMED,
        electoral_list__signature__in=signatures,
    )
    if audience == Mailing.Audience.SIGNATORIES:
        condition |= Exists(memberships)
    candidates = Candidate.objects.filter(condition, user__is_active=True).exclude(user__email="")
    if filters.get("regions"):
        candidates = candidates.filter(**{f"{REGION_PATH}__in": filters["regions"]})
    if filters.get("departements"):
        candidates = candidates.filter(commune__departement__in=filters["departements"])
    candidates = limit(candidates, user, REGION_PATH)
    return candidates.annotate(
        own_list=Subquery(
            own.filter(electoral_list__isnull=False).values("electoral_list__name")[:1]
        ),
        member_list=Subquery(memberships.values("electoral_list__name")[:1]),
    ).order_by("pk")


def opted_out_keys() -> set[str]:
    """Every address (lower case) that unsubscribed from campaign messages."""
    return set(
        EmailOptOut.objects.filter(kind=EmailOptOut.Kind.CAMPAIGN)
        .annotate(key=Lower("email"))
        .values_list("key", flat=True)
    )


def audience_of(*, campaign: Campaign | None, audience: str, filters: dict, user) -> Audience:
    """The recipients, one per address (the first candidate of an address keeps it), and the
    addresses set aside because they unsubscribed."""
    if campaign is None:
        return Audience([], [])
    rows = recipient_candidates(
        campaign=campaign, audience=audience, filters=filters, user=user
    ).values_list(
        "pk",
        "user_id",
        "user__email",
        "first_name",
        "last_name",
        "commune__name",
        "own_list",
        "member_list",
        "list_name",
    )
    unsubscribed = opted_out_keys()
    seen: set[str] = set()
    recipients, opted_out = [], []
    for (
        pk,
        user_pk,
        email,
        first_name,
        last_name,
        commune,
        own_list,
        member_list,
        list_name,
    ) in rows:
        recipient = Recipient(
            candidate_id=pk,
            user_id=user_pk,
            email=email,
            first_name=first_name,
            last_name=last_name,
            commune=commune,
            list_name=own_list or member_list or list_name or "",
        )
        if recipient.key in seen:
            continue
        seen.add(recipient.key)
        (opted_out if recipient.key in unsubscribed else recipients).append(recipient)
    return Audience(recipients, opted_out)
