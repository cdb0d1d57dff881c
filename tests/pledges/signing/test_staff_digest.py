"""The moderators' digest of new signatures (pledges.signing.emails, manage.py
send_staff_digest, config/deploy/coorace-staff-digest.{service,timer}): one courriel per
period instead of one per signature, with every signature of the period in exactly one."""

import configparser
import datetime
import io
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command, get_commands
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from pledges.models import Signature
from pledges.moderation.services import request_changes
from pledges.signing import emails
from pledges.signing.emails import (
    DIGEST_EVERY,
    DIGEST_MARGIN,
    queue_staff_digest,
    send_staff_digest,
)
from pledges.signing.services import submit_pledge
from tests.config.test_tasks import closed_port
from tests.factories import a_moderator, commitments, make_candidate, make_pledge, make_user
from tests.jobs import run_worker

pytestmark = pytest.mark.django_db

STAFF = ["moderation@coorace.test", "equipe@coorace.test"]
DEPLOY = Path(__file__).resolve().parents[3] / "config" / "deploy"


@contextmanager
def frozen(moment: datetime.datetime):
    """`timezone.now()` is `moment` inside the block (as tests/pledges/signing/test_rounds.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.utils.timezone.now", lambda: moment)
        yield


def send_digest_now() -> None:
    """Run the digest's job at once for the last hour (what the timer's job would cover)."""
    now = timezone.now()
    send_staff_digest.call(
        since=(now - datetime.timedelta(hours=1)).isoformat(),
        until=(now + datetime.timedelta(seconds=1)).isoformat(),
    )


@pytest.fixture(autouse=True)
def staff_addresses(settings):
    settings.STAFF_NOTIFICATION_EMAILS = STAFF


def staff_mails():
    return [message for message in mail.outbox if message.to == STAFF]


def test_signing_sends_the_receipt_and_no_staff_courriel():
    submit_pledge(
        candidate=make_candidate(user=make_user("lea@exemple.test")),
        commitments=commitments("1.1"),
    )
    assert [message.to for message in mail.outbox] == [["lea@exemple.test"]]


def test_one_new_signature_is_named_in_the_subject_with_its_details():
    pledge = make_pledge(make_candidate(first_name="Léa", last_name="Dupré"), codes=("1.1", "9.3"))
    send_digest_now()
    (digest,) = staff_mails()
    assert digest.subject == "Nouvelle signature à vérifier\u202f: Léa Dupré (Saint-Étienne, 42)"
    assert "Une signature envoyée depuis le dernier courriel attend votre validation." in (
        digest.body
    )
    assert "Engagements signés\u202f: 2" in digest.body
    assert "Commune\u202f: Saint-Étienne (42218, département 42)" in digest.body
    assert f"/admin/pledges/signature/{pledge.pk}/change/" in digest.body
    assert "/admin/pledges/signature/?status__exact=pending" in digest.body
    html, mimetype = digest.alternatives[0]
    assert mimetype == "text/html" and "Vérifier et décider" in html and "Léa Dupré" in html


def test_several_signatures_are_one_courriel_listing_each_oldest_first():
    first = make_pledge(make_candidate(first_name="Léa", last_name="Dupré"))
    second = make_pledge(make_candidate(first_name="Marc", last_name="Olive"), codes=("3.1",))
    send_digest_now()
    (digest,) = staff_mails()
    assert digest.subject == "2 nouvelles signatures à vérifier"
    assert "2 signatures envoyées depuis le dernier courriel attendent votre validation." in (
        digest.body
    )
    assert digest.body.index("Léa Dupré") < digest.body.index("Marc Olive")
    for pledge in (first, second):
        assert f"/admin/pledges/signature/{pledge.pk}/change/" in digest.body


def test_a_signature_sent_again_after_a_request_for_changes_is_listed_again():
    pledge = make_pledge(make_candidate(first_name="Léa", last_name="Dupré"))
    request_changes(pledge=pledge, moderator=a_moderator(), message="Précisez votre liste.")
    submit_pledge(candidate=pledge.candidate, commitments=commitments("1.1", "2.1", "3.1"))
    send_digest_now()
    (digest,) = staff_mails()
    assert "Léa Dupré" in digest.subject
    assert "Engagements signés\u202f: 3" in digest.body


def test_signatures_decided_already_are_counted_not_listed_and_none_waiting_sends_nothing():
    decided = make_pledge(make_candidate(first_name="Léa", last_name="Dupré"))
    request_changes(pledge=decided, moderator=a_moderator(), message="Précisez votre liste.")
    send_digest_now()
    assert staff_mails() == []

    make_pledge(make_candidate(first_name="Marc", last_name="Olive"))
    send_digest_now()
    (digest,) = staff_mails()
    assert "Léa Dupré" not in digest.body and "Marc Olive" in digest.subject
    assert "Une autre signature envoyée dans la même période a déjà été traitée." in digest.body


def test_past_the_listed_number_the_others_are_counted(monkeypatch):
    monkeypatch.setattr(emails, "DIGEST_LISTED", 1)
    for last_name in ("Dupré", "Olive", "Roux"):
        make_pledge(make_candidate(last_name=last_name))
    send_digest_now()
    (digest,) = staff_mails()
    assert digest.subject == "3 nouvelles signatures à vérifier"
    assert "Dupré" in digest.body and "Olive" not in digest.body and "Roux" not in digest.body
    assert "Et 2 autres, dans la file de modération." in digest.body


@pytest.mark.usefixtures("database_tasks")
def test_each_period_starts_where_the_last_one_ended_so_each_signature_is_in_one_digest():
    start = timezone.now().replace(microsecond=0)
    with frozen(start):
        first = make_pledge(make_candidate(last_name="Dupré"))
    DBTaskResult.objects.all().delete()  # the receipts
    # The first digest covers the timer's period, up to a minute before it runs.
    with frozen(start + DIGEST_MARGIN + datetime.timedelta(seconds=1)):
        since, until = queue_staff_digest(now=timezone.now())
    assert (since, until) == (
        start + datetime.timedelta(seconds=1) - DIGEST_EVERY,
        start + datetime.timedelta(seconds=1),
    )
    with frozen(start + datetime.timedelta(seconds=30)):
        # Dated after the first period's end: the next digest's.
        second = make_pledge(make_candidate(last_name="Olive"))
    # The timer missed runs: the next period still starts where the last one ended.
    later = start + datetime.timedelta(hours=3)
    with frozen(later):
        assert queue_staff_digest(now=timezone.now()) == (until, later - DIGEST_MARGIN)
    jobs = DBTaskResult.objects.filter(task_path=send_staff_digest.module_path)
    assert jobs.count() == 2
    mail.outbox.clear()
    run_worker()
    first_digest, second_digest = staff_mails()
    assert "Dupré" in first_digest.subject and "Olive" not in first_digest.body
    assert "Olive" in second_digest.subject and "Dupré" not in second_digest.body
    assert {job.status for job in jobs} == {TaskResultStatus.SUCCESSFUL}
    assert {first.pk, second.pk} == set(Signature.objects.values_list("pk", flat=True))


@pytest.mark.usefixtures("database_tasks")
def test_a_digest_smtp_refused_is_retried_later_for_the_same_period(settings):
    make_pledge(make_candidate(last_name="Dupré"))
    DBTaskResult.objects.all().delete()
    since, until = queue_staff_digest(now=timezone.now() + DIGEST_MARGIN)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    run_worker()
    job = DBTaskResult.objects.get()
    assert job.status == TaskResultStatus.READY  # to be tried again (config.tasks)
    assert job.run_after > timezone.now()
    assert job.args_kwargs["kwargs"] == {"since": since.isoformat(), "until": until.isoformat()}
    # SMTP back: the same period is sent.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.update(run_after=timezone.now() - datetime.timedelta(seconds=1))
    run_worker()
    (digest,) = staff_mails()
    assert "Dupré" in digest.subject


def test_without_staff_addresses_nothing_is_enqueued(settings):
    settings.STAFF_NOTIFICATION_EMAILS = []
    make_pledge()
    out = io.StringIO()
    call_command("send_staff_digest", stdout=out)
    assert "STAFF_NOTIFICATION_EMAILS" in out.getvalue()
    assert mail.outbox and staff_mails() == []


@pytest.mark.usefixtures("database_tasks")
def test_the_command_enqueues_the_digest_and_dry_run_enqueues_nothing():
    with frozen(timezone.now() - datetime.timedelta(minutes=2)):
        make_pledge()
    DBTaskResult.objects.all().delete()
    out = io.StringIO()
    call_command("send_staff_digest", "--dry-run", stdout=out)
    assert "Signatures en attente envoyées du " in out.getvalue()
    assert ": 1" in out.getvalue() and "rien n’a été envoyé" in out.getvalue()
    assert not DBTaskResult.objects.exists()
    call_command("send_staff_digest", stdout=io.StringIO())
    (job,) = DBTaskResult.objects.all()
    assert job.task_path == send_staff_digest.module_path


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(DEPLOY / name, encoding="utf-8")
    return parser


def test_the_timer_starts_the_digest_every_ten_minutes():
    service, timer = unit("coorace-staff-digest.service"), unit("coorace-staff-digest.timer")
    assert service["Service"]["ExecStart"].split()[1:3] == ["manage.py", "send_staff_digest"]
    assert "send_staff_digest" in get_commands()
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["EnvironmentFile"] == "/etc/coorace/env"
    assert timer["Timer"]["Unit"] == "coorace-staff-digest.service"
    assert timer["Timer"]["OnCalendar"] == "*:0/10"
    assert datetime.timedelta(minutes=10) == DIGEST_EVERY
    assert timer["Timer"]["Persistent"] == "true"
