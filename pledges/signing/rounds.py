"""The rounds drive signing: open until round 1's polls open, then only for round-2 lists,
closed for good from round 2's polls.

The dates are data (Campaign.first_round_polls_open_at, second_round_polls_open_at, edited
in the charter admin); a campaign without dates is open. Staff may force signing open or
closed, or hand it back to the dates, with a dated and audited decision (override_signing).
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Candidate, OfficialCandidate, OfficialList
from candidates.official.models import Tour, person_key
from communes.grammar import french_date
from pledges.models import AuditEntry, Campaign, ElectoralList
from pledges.models.charter import SigningOverride, forget_request_campaign


class Phase(models.TextChoices):
    OPEN = "open", "Signatures ouvertes"
    BETWEEN_ROUNDS = "between_rounds", "Entre les deux tours"
    CLOSED = "closed", "Signatures closes"


def signing_phase(campaign: Campaign, now=None) -> Phase:
    """Where the campaign stands at `now`: the staff override first, then the dates."""
    if campaign.signing_override == SigningOverride.OPEN:
        return Phase.OPEN
    if campaign.signing_override == SigningOverride.CLOSED:
        return Phase.CLOSED
    now = now or timezone.now()
    second = campaign.second_round_polls_open_at
    if second is not None and now >= second:
        return Phase.CLOSED
    first = campaign.first_round_polls_open_at
    if first is not None and now >= first:
        return Phase.BETWEEN_ROUNDS if second is not None else Phase.CLOSED
    return Phase.OPEN


def _standing_round2(official_list: OfficialList | None) -> bool:
    """A round-2 standing list, or a round-1 list that one continues or merged."""
    if official_list is None:
        return False
    lists = OfficialList.objects.standing().filter(tour=Tour.SECOND)
    if official_list.tour == Tour.SECOND:
        return official_list.gone_at is None
    return lists.filter(
        models.Q(continues=official_list) | models.Q(merged_from=official_list)
    ).exists()


def _their_list(candidate: Candidate, campaign: Campaign) -> ElectoralList | None:
    headed = ElectoralList.objects.filter(campaign=campaign, head=candidate).first()
    if headed is not None:
        return headed
    from pledges.lists.services import active_membership

    membership = active_membership(candidate)
    return membership.electoral_list if membership is not None else None


def stands_in_round_two(
    candidate: Candidate, campaign: Campaign, official_list: OfficialList | None = None
) -> bool:
    """The candidate's list is on the official round-2 roster (its official list, or the
    one whose letter they followed, is a standing round-2 list or one that continues or
    merged it); failing a tie, the candidate themself stands in round 2 (their official
    candidature, or the same name among their commune's round-2 candidates)."""
    electoral_list = _their_list(candidate, campaign)
    tied = official_list or (electoral_list.official_list if electoral_list else None)
    if tied is not None:
        return _standing_round2(tied)
    official = candidate.official_candidate
    if official is not None and official.gone_at is None:
        if official.tour == Tour.SECOND:
            return True
        if official.official_list is not None and _standing_round2(official.official_list):
            return True
    return (
        OfficialCandidate.objects.standing()
        .filter(
            tour=Tour.SECOND,
            commune_id=candidate.commune_id,
            secteur_id=candidate.secteur_id,
            name_key=person_key(candidate.first_name, candidate.last_name),
        )
        .exists()
    )


def may_sign(candidate: Candidate, campaign: Campaign, now=None, *, official_list=None) -> bool:
    phase = signing_phase(campaign, now)
    if phase == Phase.OPEN:
        return True
    if phase == Phase.BETWEEN_ROUNDS:
        return stands_in_round_two(candidate, campaign, official_list)
    return False


def closed_message(campaign: Campaign) -> str:
    if campaign.first_round_polls_open_at is None:
        return _(
            "Les signatures sont fermées : vous pouvez consulter, retirer ou télécharger "
            "ce que vous avez déjà signé, mais plus signer de nouveaux engagements."
        )
    return _(
        "Les signatures sont closes depuis l’ouverture des bureaux de vote du premier tour, "
        "le %(date)s. Entre les deux tours, seules les listes présentes au second tour "
        "peuvent signer."
    ) % {"date": french_date(campaign.first_round_polls_open_at)}


def campaign_stands(campaign: Campaign, now=None) -> dict:
    """What the banner of every page says: the phase, until when, and whether the dates
    (rather than the staff) decided it."""
    now = now or timezone.now()
    phase = signing_phase(campaign, now)
    by_dates = campaign.signing_override == SigningOverride.AUTO
    until = None
    if by_dates and phase == Phase.OPEN:
        until = campaign.first_round_polls_open_at
    elif by_dates and phase == Phase.BETWEEN_ROUNDS:
        until = campaign.second_round_polls_open_at
    second = campaign.second_round_polls_open_at
    finished = phase == Phase.CLOSED and second is not None and now >= second
    return {"phase": phase.value, "until": until, "finished": finished}


def require_may_sign(candidate: Candidate, campaign: Campaign, *, official_list=None) -> None:
    if not may_sign(candidate, campaign, official_list=official_list):
        raise ValidationError(closed_message(campaign))


@transaction.atomic
def override_signing(*, campaign: Campaign, moderator, state: str, note: str = "") -> AuditEntry:
    """Force signing open or closed, or back to the dates (SigningOverride.AUTO)."""
    if state not in SigningOverride.values:
        raise ValidationError(_("Choix inconnu pour l’ouverture des signatures."))
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    before = campaign.signing_override
    now = timezone.now()
    campaign.signing_override = state
    campaign.signing_override_at = now
    campaign.signing_override_by = moderator
    campaign.signing_override_note = note
    campaign.save(
        update_fields=[
            "signing_override",
            "signing_override_at",
            "signing_override_by",
            "signing_override_note",
        ]
    )
    from pledges.directory.queries import invalidate_public_caches

    transaction.on_commit(invalidate_public_caches)
    forget_request_campaign()
    return AuditEntry.objects.create(
        at=now,
        actor=moderator,
        actor_name=moderator.get_full_name() or moderator.get_username(),
        action=AuditEntry.Action.SIGNING_OVERRIDDEN,
        pledge=None,
        pledge_pseudonym=f"campagne-{campaign.pk}",
        changes={"signing_override": [before, state]},
        note=note,
    )
