"""pledges.reminders.schedule: when a mandate started, when each reminder is due."""

import datetime

import pytest

from candidates.models import ListOutcome
from pledges.models import Campaign, EmailOptOut, FollowUpReminder
from pledges.reminders.schedule import LATEST, add_years, due_on, due_reminders, is_due
from tests.pledges.outcomes.factories import make_councillor, make_elected_list
from tests.pledges.reminders.helpers import MID_TERM, ONE_YEAR, TOOK_OFFICE, elected_list

Kind = FollowUpReminder.Kind


def test_a_year_later_is_the_same_day_and_29_february_becomes_28():
    assert add_years(datetime.date(2020, 5, 25), 1) == datetime.date(2021, 5, 25)
    assert add_years(datetime.date(2020, 2, 29), 1) == datetime.date(2021, 2, 28)
    assert add_years(datetime.date(2020, 2, 29), 4) == datetime.date(2024, 2, 29)


def test_one_year_then_mid_term_three_years_after_taking_office():
    assert due_on(TOOK_OFFICE, Kind.ONE_YEAR) == ONE_YEAR
    assert due_on(TOOK_OFFICE, Kind.MID_TERM) == MID_TERM == datetime.date(2023, 5, 25)


def test_a_reminder_is_due_from_its_date_and_for_sixty_days():
    assert datetime.timedelta(days=60) == LATEST
    assert not is_due(ONE_YEAR, ONE_YEAR - datetime.timedelta(days=1))
    assert is_due(ONE_YEAR, ONE_YEAR)
    assert is_due(ONE_YEAR, ONE_YEAR + datetime.timedelta(days=60))
    assert not is_due(ONE_YEAR, ONE_YEAR + datetime.timedelta(days=61))


@pytest.mark.django_db
def test_taking_office_is_the_signatorys_own_mandate_start():
    pledge = elected_list()
    (due,) = due_reminders(today=ONE_YEAR)
    assert (due.signature_id, due.kind, due.due_on) == (pledge.pk, Kind.ONE_YEAR, ONE_YEAR)
    assert due.mandate_start == TOOK_OFFICE
    assert due.email == pledge.candidate.user.email
    assert due_reminders(today=datetime.date(2021, 5, 24)) == []
    (due,) = due_reminders(today=MID_TERM)
    assert (due.kind, due.due_on) == (Kind.MID_TERM, MID_TERM)


@pytest.mark.django_db
def test_else_the_earliest_start_of_the_sitting_councillors_of_the_commune():
    """A head not matched to their councillor: the council's installation, the day its
    first sitting member started (a councillor gone from the file does not count)."""
    pledge = make_elected_list(outcome=ListOutcome.OPPOSITION)
    head = pledge.candidate
    head.elected_councillor = None
    head.elected_match = ""
    head.save(update_fields=["elected_councillor", "elected_match"])
    commune = head.commune
    for day in (datetime.date(2020, 7, 4), datetime.date(2020, 7, 3)):
        councillor = make_councillor(commune, "Alix", f"Durand{day.day}")
        councillor.mandate_start = day
        councillor.save(update_fields=["mandate_start"])
    gone = make_councillor(commune, "Jo", "Parti")
    gone.mandate_start = datetime.date(2014, 3, 30)
    gone.gone_at = gone.first_import.started_at
    gone.save(update_fields=["mandate_start", "gone_at"])
    # (The head's own councillor row, no longer theirs, started on the day the test runs.)
    (due,) = due_reminders(today=datetime.date(2021, 7, 3))
    assert due.mandate_start == datetime.date(2020, 7, 3)


@pytest.mark.django_db
def test_else_the_campaigns_last_round():
    pledge = make_elected_list()
    councillor = pledge.candidate.elected_councillor
    councillor.mandate_start = None
    councillor.save(update_fields=["mandate_start"])
    campaign = Campaign.objects.get(pk=pledge.campaign_id)
    assert campaign.second_round_date == datetime.date(2020, 6, 28)
    assert due_reminders(today=datetime.date(2021, 6, 27)) == []
    (due,) = due_reminders(today=datetime.date(2021, 6, 28))
    assert due.mandate_start == datetime.date(2020, 6, 28)


@pytest.mark.django_db
def test_sent_opted_out_and_non_elected_signatures_are_not_due():
    sent = elected_list()
    FollowUpReminder.objects.create(
        signature=sent,
        kind=Kind.ONE_YEAR,
        email="x@exemple.test",
        due_on=ONE_YEAR,
        sent_at=sent.approved_at,
    )
    opted_out = elected_list()
    EmailOptOut.objects.create(
        email=opted_out.candidate.user.email.upper(),
        kind=EmailOptOut.Kind.REMINDERS,
        at=opted_out.approved_at,
    )
    campaign_only = elected_list()
    EmailOptOut.objects.create(
        email=campaign_only.candidate.user.email,
        kind=EmailOptOut.Kind.CAMPAIGN,
        at=campaign_only.approved_at,
    )
    beaten = make_elected_list(outcome=ListOutcome.NOT_ELECTED)
    assert beaten.candidate.elected_councillor is None
    assert [due.signature_id for due in due_reminders(today=ONE_YEAR)] == [campaign_only.pk]
