"""What the reminders' tests share: frozen time, elected signatures with a known mandate."""

import datetime
import io
from zoneinfo import ZoneInfo

from django.core.management import call_command

from tests.pledges.outcomes.factories import make_elected_candidate, make_elected_list

PARIS = ZoneInfo("Europe/Paris")
# A council elected in the first round, installed on 25 May 2020.
TOOK_OFFICE = datetime.date(2020, 5, 25)
ONE_YEAR = datetime.date(2021, 5, 25)
MID_TERM = datetime.date(2023, 5, 25)


def at(day: datetime.date, hour: int = 7) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, 30), tzinfo=PARIS)


def freeze(monkeypatch, moment: datetime.datetime) -> None:
    """Time as the services, the schedule and the jobs read it (django.utils.timezone.now)."""
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


def took_office(signature, day=TOOK_OFFICE):
    """The signatory's own councillor started their mandate on `day`."""
    councillor = signature.candidate.elected_councillor
    councillor.mandate_start = day
    councillor.save(update_fields=["mandate_start"])
    return signature


def elected_list(**fields):
    return took_office(make_elected_list(**fields))


def elected_candidate(**fields):
    return took_office(make_elected_candidate(**fields))


def run_command(*args) -> str:
    out = io.StringIO()
    call_command("send_follow_up_reminders", *args, stdout=out)
    return out.getvalue()


def text(value: str) -> str:
    """French typography's narrow and ordinary no-break spaces read as spaces."""
    return value.replace("\u202f", " ").replace("\u00a0", " ")


def html_of(message) -> str:
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return html
