"""The reminders go through the job queue as production runs it (django-tasks-db and its
worker, in-process): nothing leaves before the worker runs, an SMTP failure logs nothing and
is retried, then the reminder leaves and is logged once. Also the systemd units."""

import configparser
import datetime
import socket
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import get_commands
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from pledges.models import FollowUpReminder
from tests.jobs import run_worker
from tests.pledges.reminders.helpers import ONE_YEAR, at, elected_list, freeze, run_command

DEPLOY = Path(__file__).resolve().parents[3] / "config" / "deploy"
REMINDER_JOB = "pledges.reminders.tasks.send_reminder"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db
@pytest.mark.usefixtures("database_tasks")
def test_the_worker_sends_the_reminder_and_retries_while_smtp_refuses(settings, monkeypatch):
    pledge = elected_list()
    DBTaskResult.objects.all().delete()  # the signing's and approval's courriels
    freeze(monkeypatch, at(ONE_YEAR))
    mail.outbox.clear()

    run_command()
    (job,) = DBTaskResult.objects.filter(task_path=REMINDER_JOB)
    assert job.args_kwargs["args"] == [pledge.pk, "one_year", "2021-05-25"]
    assert mail.outbox == []  # enqueued, not sent

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    run_worker()
    job.refresh_from_db()
    assert job.status == TaskResultStatus.READY  # tried again later (config.tasks)
    assert not FollowUpReminder.objects.exists()  # nothing logged: it did not leave

    run_command()  # the next morning's run finds it still due, enqueues it again
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = at(ONE_YEAR) + datetime.timedelta(hours=3)
    freeze(monkeypatch, later)
    run_worker()
    reminders = [m for m in mail.outbox if m.to == [pledge.candidate.user.email]]
    assert len(reminders) == 1
    (logged,) = FollowUpReminder.objects.all()
    assert logged.sent_at == later
    assert set(
        DBTaskResult.objects.filter(task_path=REMINDER_JOB).values_list("status", flat=True)
    ) == {TaskResultStatus.SUCCESSFUL}


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(DEPLOY / name, encoding="utf-8")
    return parser


def test_the_timer_starts_the_command_every_day():
    service, timer = unit("coorace-reminders.service"), unit("coorace-reminders.timer")
    command = service["Service"]["ExecStart"].split()
    assert command[1:3] == ["manage.py", "send_follow_up_reminders"]
    assert "send_follow_up_reminders" in get_commands()
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["EnvironmentFile"] == "/etc/coorace/env"
    assert service["Service"]["User"] == "coorace"
    assert timer["Timer"]["Unit"] == "coorace-reminders.service"
    assert timer["Timer"]["OnCalendar"].startswith("*-*-* ")  # daily
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"
