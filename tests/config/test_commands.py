"""config's commands: requeue_interrupted_jobs (config/management/commands/)."""

import pytest
from django.core.management import call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from config.site import send_email
from tests.jobs import run_worker

pytestmark = pytest.mark.django_db


def running(worker_ids: list[str]) -> DBTaskResult:
    send_email("pledges/signing/emails/pledge_received", to=["lea@exemple.test"], context={})
    job = DBTaskResult.objects.latest("enqueued_at")
    DBTaskResult.objects.filter(pk=job.pk).update(
        status=TaskResultStatus.RUNNING, worker_ids=worker_ids
    )
    return job


def test_the_jobs_a_dead_worker_left_running_go_back_to_the_queue(database_tasks, capsys):
    interrupted = running(["web-1-coorace-worker"])
    retried_elsewhere = running(["web-1-coorace-worker", "web-2-coorace-worker"])
    call_command("requeue_interrupted_jobs", "--worker-id", "web-1-coorace-worker")
    interrupted.refresh_from_db()
    retried_elsewhere.refresh_from_db()
    assert interrupted.status == TaskResultStatus.READY
    assert retried_elsewhere.status == TaskResultStatus.RUNNING  # web-2 may still be at it
    assert "remises en attente\u00a0: 1" in capsys.readouterr().out

    # The worker that starts next runs it (its attempts are still counted).
    run_worker("web-1-coorace-worker")
    interrupted.refresh_from_db()
    assert interrupted.status == TaskResultStatus.SUCCESSFUL
    assert interrupted.worker_ids == ["web-1-coorace-worker", "web-1-coorace-worker"]
