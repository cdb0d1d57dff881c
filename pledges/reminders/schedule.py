"""When each elected signatory is reminded to report: the dates, and who is due today.

A signature is reminded twice, each kind once (FollowUpReminder, unique per kind, is the
log): one year after taking office (`one_year`) and at mid-term, three years after
(`mid_term`: 2023 for the councils of 2020). Taking office is, in this order:

1. the signatory's own elected councillor's « Date de début du mandat » (the RNE, through
   import_elus), when the candidate is matched to them (found or confirmed);
2. else the earliest start among the sitting councillors of the signatory's commune (the
   day the council was installed);
3. else the day of the campaign's last round (`second_round_date`, else `first_round_date`):
   in 2020 councils elected in the first round were installed from 23 May, those of the
   second round (28 June) by 5 July, so this errs by a month at most, on the late side.

A reminder is due from its date and for `LATEST` days after it (the daily command may miss
a few days; the worker may be down for a while). Later than that it is never sent: a
« one year after » reminder that arrives in year two says something false, and the next
kind takes over. Only approved signatures of elected lists and candidates
(pledges.outcomes.queries.elected_signatures) are reminded, at the address of the list's head
(for a list) or of the candidate, and never an address that opted out of reminders
(EmailOptOut, kind « reminders »).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Case, Exists, F, OuterRef, Subquery, When
from django.db.models.functions import Lower

from candidates.models import ElectedCouncillor
from pledges.models import EmailOptOut, FollowUpReminder
from pledges.outcomes.queries import SURE_MATCHES, elected_signatures

Kind = FollowUpReminder.Kind

# Years after taking office at which each reminder is due.
YEARS_AFTER = {Kind.ONE_YEAR: 1, Kind.MID_TERM: 3}
# How late a reminder may still leave (see the module).
LATEST = datetime.timedelta(days=60)


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def default_mandate_start(campaign) -> datetime.date:
    """Taking office when nothing better is known: the campaign's last round (module, 3)."""
    return campaign.second_round_date or campaign.first_round_date


def due_on(mandate_start: datetime.date, kind: str) -> datetime.date:
    return add_years(mandate_start, YEARS_AFTER[kind])


def is_due(due: datetime.date, today: datetime.date) -> bool:
    """From its date, and not more than LATEST days after."""
    return due <= today <= due + LATEST


@dataclass(frozen=True)
class Due:
    """A reminder to send: to which signature, which kind, due when, to which address."""

    signature_id: int
    kind: str
    due_on: datetime.date
    email: str
    user_id: int  # the account of `email`: the unsubscribe link carries it, not the address
    mandate_start: datetime.date


def reminded_signatures():
    """The elected signatures with what the schedule reads: both possible starts of the
    mandate, the campaign's rounds, the address and whether each kind was already sent."""
    commune_start = (
        ElectedCouncillor.objects.sitting()
        .filter(commune=OuterRef("candidate__commune"), mandate_start__isnull=False)
        .order_by("mandate_start")
        .values("mandate_start")[:1]
    )
    sent = {
        kind: Exists(FollowUpReminder.objects.filter(signature=OuterRef("pk"), kind=kind))
        for kind in Kind.values
    }
    return elected_signatures().annotate(
        own_start=Case(
            When(
                candidate__elected_match__in=SURE_MATCHES,
                then=F("candidate__elected_councillor__mandate_start"),
            )
        ),
        commune_start=Subquery(commune_start),
        head_email=F("electoral_list__head__user__email"),
        head_user_id=F("electoral_list__head__user_id"),
        candidate_email=F("candidate__user__email"),
        candidate_user_id=F("candidate__user_id"),
        **{f"sent_{kind}": exists for kind, exists in sent.items()},
    )


def opted_out_addresses() -> set[str]:
    """The addresses (lower case) that asked for no more reminders."""
    return set(
        EmailOptOut.objects.filter(kind=EmailOptOut.Kind.REMINDERS)
        .annotate(address=Lower("email"))
        .values_list("address", flat=True)
    )


def due_reminders(*, today: datetime.date, signature_ids=None) -> list[Due]:
    """Every reminder due `today` that was not sent, to an address that did not opt out."""
    from pledges.models import Campaign

    signatures = reminded_signatures()
    if signature_ids is not None:
        signatures = signatures.filter(pk__in=signature_ids)
    rows = signatures.values(
        "pk",
        "campaign_id",
        "electoral_list_id",
        "own_start",
        "commune_start",
        "head_email",
        "head_user_id",
        "candidate_email",
        "candidate_user_id",
        *(f"sent_{kind}" for kind in Kind.values),
    ).order_by("pk")
    campaigns = {}
    opted_out = opted_out_addresses()
    due = []
    for row in rows.iterator(chunk_size=2000):
        if row["electoral_list_id"] and row["head_email"]:
            email, user_id = row["head_email"], row["head_user_id"]
        else:
            email, user_id = row["candidate_email"], row["candidate_user_id"]
        if not email or email.lower() in opted_out:
            continue
        start = row["own_start"] or row["commune_start"]
        if start is None:
            if row["campaign_id"] not in campaigns:
                campaigns[row["campaign_id"]] = default_mandate_start(
                    Campaign.objects.get(pk=row["campaign_id"])
                )
            start = campaigns[row["campaign_id"]]
        for kind in Kind.values:
            day = due_on(start, kind)
            if not row[f"sent_{kind}"] and is_due(day, today):
                due.append(Due(row["pk"], kind, day, email, user_id, start))
    return due
