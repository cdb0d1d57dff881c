"""The job queue (config.site.send_email, config.tasks): e-mails are enqueued when the
transaction commits, sent by the worker, retried with back-off while SMTP fails, and shown
to staff, with « Relancer », when they keep failing. These tests use the database backend
(the `database_tasks` fixture) and run the worker's loop in-process."""

import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from config import tasks as job_policy
from config.site import send_email
from pledges.moderation.emails import send_decision
from pledges.moderation.services import approve_pledge, bulk_approve
from tests.factories import make_moderator, make_pledge, make_user
from tests.jobs import run_worker

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("database_tasks")]

APPROVED = "pledges/moderation/emails/decision_approved"
SUBJECT = "Votre signature est validée et publiée"
ADMIN = "django_tasks_database_dbtaskresult"  # django-tasks-db's app label
JOBS = reverse(f"admin:{ADMIN}_changelist")


def the_job() -> DBTaskResult:
    return DBTaskResult.objects.get()


def due_now(job: DBTaskResult) -> None:
    """Skip the back-off wait (the worker only takes jobs whose run_after has come)."""
    DBTaskResult.objects.filter(pk=job.pk).update(run_after=timezone.now() - timedelta(seconds=1))


@pytest.fixture
def pledge():
    """A pending signature; the jobs of its signing (the receipt) are dropped."""
    pledge = make_pledge()
    DBTaskResult.objects.all().delete()
    return pledge


def closed_port() -> int:
    """A local port nothing listens on: connecting is refused, as by a stopped SMTP server."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_refusing(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    return settings


def smtp_is_back(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_an_email_is_enqueued_when_the_transaction_commits_and_sent_by_the_worker(pledge):
    with transaction.atomic():
        send_decision(pledge, "approved")
        assert not DBTaskResult.objects.exists()  # not before the commit
    job = the_job()
    assert job.task_path == "config.site.deliver_templated_email"
    assert job.args_kwargs["kwargs"]["context"]["pledge"] == {
        "__model__": "pledges.signature",
        "pk": pledge.pk,
    }
    assert mail.outbox == []  # a request never talks to SMTP

    run_worker()

    job.refresh_from_db()
    assert job.status == TaskResultStatus.SUCCESSFUL
    (email,) = mail.outbox
    assert email.subject == SUBJECT
    assert email.to == [pledge.candidate.user.email]
    assert f"/signataires/{pledge.pk}/attestation.pdf" in email.body


def test_nothing_is_enqueued_when_the_transaction_rolls_back(pledge):
    class Refused(Exception):
        pass

    with pytest.raises(Refused), transaction.atomic():
        send_decision(pledge, "approved")
        raise Refused
    assert not DBTaskResult.objects.exists()
    run_worker()
    assert mail.outbox == []


def test_an_approval_answers_while_smtp_refuses_and_its_email_leaves_when_it_is_back(
    pledge, smtp_refusing
):
    approve_pledge(pledge=pledge, moderator=make_moderator())
    job = the_job()

    before = timezone.now()
    run_worker()  # SMTP refuses: ConnectionRefusedError
    after = timezone.now()

    job.refresh_from_db()
    assert job.status == TaskResultStatus.READY  # to be tried again…
    # …a minute after it failed, whatever the time the worker took.
    assert before + timedelta(minutes=1) <= job.run_after <= after + timedelta(minutes=1)
    assert job.exception_class_path == "builtins.ConnectionRefusedError"
    assert len(job.worker_ids) == 1
    run_worker()
    assert len(the_job().worker_ids) == 1  # not before its time

    smtp_is_back(smtp_refusing)
    due_now(job)
    run_worker()

    job.refresh_from_db()
    assert job.status == TaskResultStatus.SUCCESSFUL
    assert len(job.worker_ids) == 2
    assert [email.subject for email in mail.outbox] == [SUBJECT]


def test_a_bulk_approval_while_smtp_refuses_approves_all_and_tells_each_when_it_is_back(
    smtp_refusing,
):
    pledges = [make_pledge() for _ in range(3)]
    DBTaskResult.objects.all().delete()

    result = bulk_approve(pledges=pledges, moderator=make_moderator())
    run_worker()

    assert (len(result.done), result.skipped) == (3, [])
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 3
    smtp_is_back(smtp_refusing)
    for job in DBTaskResult.objects.all():
        due_now(job)
    run_worker()
    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        p.candidate.user.email for p in pledges
    )


def test_an_smtp_server_that_never_answers_fails_the_job_after_email_timeout(pledge, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 0.5
    with socket.socket() as silent:  # accepts connections (backlog), never sends a greeting
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        settings.EMAIL_HOST, settings.EMAIL_PORT = silent.getsockname()
        send_decision(pledge, "approved")
        run_worker()  # gives up after EMAIL_TIMEOUT, not the OS's minutes: the traceback says
    job = the_job()
    assert job.status == TaskResultStatus.READY
    assert job.exception_class_path == "smtplib.SMTPServerDisconnected"
    assert "timed out" in job.traceback


def test_the_back_off_grows_then_stops():
    assert [job_policy.next_delay(n) for n in (1, 2, 5)] == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(hours=6),
    ]
    assert job_policy.next_delay(len(job_policy.RETRY_DELAYS) + 1) is None


def test_a_job_that_keeps_failing_is_shown_to_staff_who_can_relaunch_it(
    pledge, smtp_refusing, superuser_client
):
    send_decision(pledge, "approved")
    job = the_job()
    for _attempt in range(len(job_policy.RETRY_DELAYS) + 1):
        due_now(job)
        run_worker()
    job.refresh_from_db()
    assert job.status == TaskResultStatus.FAILED  # six attempts: no more
    assert len(job.worker_ids) == 6
    assert "ConnectionRefusedError" in job.traceback

    changelist = superuser_client.get(f"{JOBS}?status__exact=FAILED")
    page = changelist.content.decode()
    assert "deliver_templated_email" in page
    assert "ConnectionRefusedError\u202f: [Errno 111] Connection refused" in page
    assert "Relancer" in page
    detail = superuser_client.get(reverse(f"admin:{ADMIN}_change", args=[job.pk]))
    assert "smtplib" in detail.content.decode()  # the whole traceback

    smtp_is_back(smtp_refusing)
    response = superuser_client.post(
        JOBS,
        {"action": "relaunch", "_selected_action": [job.pk]},
        follow=True,
    )
    assert "1 tâche relancée." in response.content.decode()
    job.refresh_from_db()
    assert (job.status, job.run_after, job.worker_ids) == (
        TaskResultStatus.READY,
        get_date_max(),
        [],
    )
    run_worker()
    assert the_job().status == TaskResultStatus.SUCCESSFUL
    assert [email.subject for email in mail.outbox] == [SUBJECT]


def test_a_moderator_without_the_permission_cannot_relaunch(client, pledge):
    from django.contrib.auth.models import Permission

    moderator = make_moderator()
    moderator.user_permissions.add(Permission.objects.get(codename="view_dbtaskresult"))
    client.force_login(moderator)
    page = client.get(JOBS)
    assert page.status_code == 200
    assert "Relancer" not in page.content.decode()


def test_a_bug_fails_at_once_without_retries(pledge):
    send_email("pledges/moderation/emails/no_such_template", to=["x@exemple.test"], context={})
    run_worker()
    job = the_job()
    assert job.status == TaskResultStatus.FAILED
    assert job.exception_class_path == "django.template.exceptions.TemplateDoesNotExist"
    assert len(job.worker_ids) == 1


def test_an_email_whose_subject_is_gone_is_not_sent(pledge):
    send_decision(pledge, "approved")
    pledge.candidate.user.delete()  # the account was erased before the worker ran
    run_worker()
    job = the_job()
    assert job.status == TaskResultStatus.SUCCESSFUL
    assert job.return_value.startswith("not sent")
    assert mail.outbox == []


def test_a_context_that_cannot_travel_is_refused_at_once(pledge):
    with pytest.raises(TypeError, match="cannot travel"):
        send_email(APPROVED, to=["x@exemple.test"], context={"when": timezone.now()})


def test_allauths_emails_go_through_the_queue_too(client, smtp_refusing):
    make_user("lea@exemple.test")
    response = client.post(reverse("account_reset_password"), {"email": "lea@exemple.test"})
    assert response.status_code == 302  # not a 500, although SMTP refuses
    job = the_job()
    assert job.task_path == "config.site.deliver_message"
    run_worker()
    assert mail.outbox == []

    smtp_is_back(smtp_refusing)
    due_now(job)
    run_worker()
    (email,) = mail.outbox
    assert email.to == ["lea@exemple.test"]
    assert email.subject.startswith("[Coorace #Municipales2020] ")
    assert reverse("account_reset_password") in email.body
