"""A mailing end to end, through the locmem mail backend and the job queue's worker: the
filter, the count, the preview, the sending in rate-limited batches, a failure recorded,
SMTP failures tried again with back-off, a worker restarted mid-send, and an unsubscribe
honoured by the next mailing."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from config.management.commands.requeue_interrupted_jobs import requeue_interrupted
from pledges.mailings import services
from pledges.mailings.tasks import send_mailing_batch
from pledges.models import AuditEntry, Mailing, MailingDelivery
from tests.jobs import run_worker
from tests.pledges.mailings import backends
from tests.pledges.mailings.data import draft, signatories
from tests.pledges.test_unsubscribe import assert_no_address

pytestmark = pytest.mark.django_db
State = MailingDelivery.State
BATCH = "pledges.mailings.tasks.send_mailing_batch"
EVERYONE = [
    "alice@exemple.test",
    "bruno@exemple.test",
    "chiara@exemple.test",
    "dalila@exemple.test",
]


def waiting_jobs():
    return DBTaskResult.objects.filter(task_path=BATCH, status=TaskResultStatus.READY)


def due_now() -> None:
    """Skip the wait before the next batch (the worker only runs jobs whose time has come)."""
    waiting_jobs().update(run_after=timezone.now() - timedelta(seconds=1))


def sent_to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def delivery(mailing, email) -> MailingDelivery:
    return MailingDelivery.objects.get(mailing=mailing, email=email)


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@coorace.test", "x")


@pytest.fixture
def queue(settings, superuser):
    """The signatories made (their receipts sent), then jobs on the database backend and a
    mail server that fails for the addresses the test names."""
    signatories()
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.EMAIL_BACKEND = "tests.pledges.mailings.backends.FailingBackend"
    settings.MAILING_RATE_PER_MINUTE = 120
    DBTaskResult.objects.all().delete()
    mail.outbox = []
    yield
    backends.REFUSED.clear()
    backends.DOWN.clear()


def unsubscribe_link(message) -> str:
    return re.search(r"<([^>]+)>", message.extra_headers["List-Unsubscribe"]).group(1)


@pytest.mark.usefixtures("queue")
def test_a_mailing_end_to_end_with_a_failure_recorded_and_an_unsubscribe_honoured(superuser):
    backends.REFUSED.add("chiara@exemple.test")
    mailing = draft(superuser, subject="Bonjour {prénom}")

    preview = services.preview(mailing, superuser)
    assert preview.audience.count == 4
    assert preview.subject == "Bonjour Alice"
    assert preview.body.startswith(
        "Bonjour Alice Durand, de Saint-Étienne (Saint-Étienne solidaire)."
    )

    services.send_mailing(mailing=mailing, actor=superuser)
    assert mail.outbox == []  # the request never talks to SMTP
    assert waiting_jobs().count() == 1
    run_worker()

    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.SENT and mailing.finished_at is not None
    assert (mailing.recipient_count, mailing.sent_count, mailing.failed_count) == (4, 3, 1)
    failed = delivery(mailing, "chiara@exemple.test")
    assert failed.state == State.FAILED and failed.attempts == 1
    assert "SMTPRecipientsRefused" in failed.error and "Mailbox unavailable" in failed.error
    assert sent_to() == ["alice@exemple.test", "bruno@exemple.test", "dalila@exemple.test"]
    assert all(d.sent_at for d in mailing.deliveries.filter(state=State.SENT))
    assert AuditEntry.objects.filter(action=AuditEntry.Action.MAILING_SENT).count() == 1

    alice = next(m for m in mail.outbox if m.to == ["alice@exemple.test"])
    assert alice.subject == "Bonjour Alice"
    assert "Bonjour Alice Durand, de Saint-Étienne (Saint-Étienne solidaire)." in alice.body
    link = unsubscribe_link(alice)
    assert "/desinscription/" in link and link in alice.body
    assert_no_address(link, "alice@exemple.test")  # no address in the logs nor the history
    assert alice.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = alice.alternatives[0][0]
    assert link in html and '<a href="https://coorace.org/"' in html

    # One click in the mail client: a POST without any CSRF token.
    path = link.split("://", 1)[1].partition("/")[2]
    response = Client(enforce_csrf_checks=True).post(
        "/" + path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200

    # The next mailing leaves her out, and says so before sending.
    backends.REFUSED.clear()
    mail.outbox = []
    second = draft(superuser, subject="Encore {prénom}")
    preview = services.preview(second, superuser)
    assert preview.audience.count == 3
    assert [r.email for r in preview.audience.opted_out] == ["alice@exemple.test"]
    services.send_mailing(mailing=second, actor=superuser)
    run_worker()
    assert sent_to() == ["bruno@exemple.test", "chiara@exemple.test", "dalila@exemple.test"]
    assert delivery(second, "alice@exemple.test").state == State.SKIPPED
    second.refresh_from_db()
    assert (second.recipient_count, second.sent_count, second.failed_count) == (3, 3, 0)


@pytest.mark.usefixtures("queue")
def test_batches_follow_the_rate_one_a_minute(superuser, settings):
    settings.MAILING_RATE_PER_MINUTE = 3
    mailing = draft(superuser)
    services.send_mailing(mailing=mailing, actor=superuser)
    before = timezone.now()
    run_worker()
    assert len(mail.outbox) == 3
    (job,) = waiting_jobs()
    assert before + timedelta(seconds=55) < job.run_after <= timezone.now() + timedelta(seconds=60)
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.SENDING and mailing.sent_count == 3

    run_worker()  # not yet due: nothing leaves
    assert len(mail.outbox) == 3

    due_now()
    run_worker()
    assert sent_to() == EVERYONE
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.SENT and mailing.sent_count == 4
    assert not waiting_jobs().exists()


@pytest.mark.usefixtures("queue")
def test_an_smtp_outage_pauses_the_mailing_tries_again_with_back_off_then_fails(superuser):
    backends.DOWN.add("bruno@exemple.test")
    mailing = draft(superuser)
    services.send_mailing(mailing=mailing, actor=superuser)
    run_worker()
    # Alice left; Bruno's server dropped the connection: the rest waits a minute.
    assert sent_to() == ["alice@exemple.test"]
    bruno = delivery(mailing, "bruno@exemple.test")
    assert (bruno.state, bruno.attempts) == (State.PENDING, 1)
    assert "SMTPServerDisconnected" in bruno.error
    (job,) = waiting_jobs()
    assert job.run_after > timezone.now() + timedelta(seconds=55)

    due_now()
    run_worker()
    (job,) = waiting_jobs()
    assert job.run_after > timezone.now() + timedelta(seconds=295)  # then five minutes
    assert delivery(mailing, "bruno@exemple.test").attempts == 2

    due_now()
    run_worker()  # the third failure is the last: failed, and the others leave
    bruno = delivery(mailing, "bruno@exemple.test")
    assert (bruno.state, bruno.attempts) == (State.FAILED, 3)
    assert sent_to() == ["alice@exemple.test", "chiara@exemple.test", "dalila@exemple.test"]
    mailing.refresh_from_db()
    assert (mailing.state, mailing.sent_count, mailing.failed_count) == (Mailing.State.SENT, 3, 1)


@pytest.mark.usefixtures("queue")
def test_a_server_back_before_the_last_attempt_delivers(superuser):
    backends.DOWN.add("bruno@exemple.test")
    mailing = draft(superuser)
    services.send_mailing(mailing=mailing, actor=superuser)
    run_worker()
    backends.DOWN.clear()
    due_now()
    run_worker()
    assert sent_to() == EVERYONE
    bruno = delivery(mailing, "bruno@exemple.test")
    assert (bruno.state, bruno.attempts, bruno.error) == (State.SENT, 2, "")


@pytest.mark.usefixtures("queue")
def test_a_worker_restarted_mid_send_sends_each_address_once(superuser):
    mailing = draft(superuser)
    services.send_mailing(mailing=mailing, actor=superuser)
    (job,) = waiting_jobs()
    # The worker claimed the job, sent two courriels, and was killed.
    DBTaskResult.objects.filter(pk=job.pk).update(
        status=TaskResultStatus.RUNNING, worker_ids=["test-worker"]
    )
    first_two = list(mailing.deliveries.order_by("pk").values_list("pk", "candidate_id")[:2])
    recipients = services.recipients_for([c for _pk, c in first_two], services.current_campaign())
    for pk, _candidate in first_two:
        services._deliver(pk, mailing, recipients, set())
    assert len(mail.outbox) == 2

    assert requeue_interrupted("test-worker") == 1  # the worker's ExecStartPre
    # A stray second job for the same mailing changes nothing either.
    send_mailing_batch.enqueue(mailing.pk)
    run_worker()

    assert sent_to() == EVERYONE  # each once
    mailing.refresh_from_db()
    assert (mailing.state, mailing.sent_count) == (Mailing.State.SENT, 4)


def test_with_the_immediate_backend_the_batches_follow_each_other(superuser, settings):
    signatories()
    settings.MAILING_RATE_PER_MINUTE = 1
    mail.outbox = []
    mailing = draft(superuser)
    services.send_mailing(mailing=mailing, actor=superuser)
    assert sent_to() == EVERYONE
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.SENT


def test_an_erased_account_leaves_no_address_in_a_mailing_only_its_counts(superuser):
    from pledges.signing.account import delete_account

    people = signatories()
    mailing = draft(superuser)
    services.send_mailing(mailing=mailing, actor=superuser)
    delete_account(user=people.head_rennes.user)
    assert not MailingDelivery.objects.filter(email="bruno@exemple.test").exists()
    assert mailing.deliveries.count() == 3
    mailing.refresh_from_db()
    assert (mailing.recipient_count, mailing.sent_count) == (4, 4)
