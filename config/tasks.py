"""The job queue's policy: which failures are tried again, when, and how staff relaunch a job.

Jobs are Django Tasks (the django-tasks backport, `django.tasks` from Django 6) stored by the
database backend (django-tasks-db) and run by `manage.py db_worker`. The backport does not
retry, so this module does, in place: when a job on the database backend fails with a
transient error (`OSError`: SMTP refusing or hanging, a full or unreachable storage…),
`retry_later` puts the same row back to READY with `run_after` set `RETRY_DELAYS` later,
keeping the error on the row meanwhile. One row per job, its attempts counted by the
workers that ran it (`worker_ids`). After the last delay the job stays FAILED, with its
error, in the admin (« Tâches en arrière-plan »), where « Relancer » (`relaunch`) puts it
back to READY with a fresh series of attempts. Any other exception is a bug: it fails at
once. The immediate backend (tests, TASKS_BACKEND=immediate) never retries.
"""

import logging
import smtplib
from datetime import timedelta

from django.db.models import QuerySet
from django.dispatch import receiver
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResult, TaskResultStatus
from django_tasks.signals import task_finished
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

logger = logging.getLogger(__name__)

# Seconds before the 2nd, 3rd… attempt: 1 min, 5 min, 30 min, 2 h, 6 h (about 8.5 h in all,
# enough for an SMTP server to come back overnight).
RETRY_DELAYS = (60, 300, 1800, 7200, 21600)
# Transient: the network, the SMTP server or the storage. smtplib's errors are OSErrors.
RETRIED = (OSError,)
# …except what the SMTP server says will never work: the address is refused.
NOT_RETRIED = (smtplib.SMTPRecipientsRefused,)


def is_transient(exception_class_path: str) -> bool:
    try:
        exception_class = import_string(exception_class_path)
    except ImportError:
        return False
    return issubclass(exception_class, RETRIED) and not issubclass(exception_class, NOT_RETRIED)


def next_delay(attempts: int) -> timedelta | None:
    """The wait after the `attempts`-th failed attempt, or None when it was the last."""
    if attempts > len(RETRY_DELAYS):
        return None
    return timedelta(seconds=RETRY_DELAYS[attempts - 1])


@receiver(task_finished, dispatch_uid="config.tasks.retry_later")
def retry_later(sender, task_result: TaskResult, **kwargs) -> None:
    """A job that failed on a transient error is set to run again later (see the module)."""
    if task_result.status != TaskResultStatus.FAILED or not issubclass(sender, DatabaseBackend):
        return
    if not task_result.errors or not is_transient(task_result.errors[-1].exception_class_path):
        return
    delay = next_delay(task_result.attempts)
    if delay is None:
        logger.error(
            "Job %s (%s) failed %d times; it stays FAILED until staff relaunch it.",
            task_result.id,
            task_result.task.module_path,
            task_result.attempts,
        )
        return
    DBTaskResult.objects.filter(pk=task_result.id, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY, run_after=timezone.now() + delay, finished_at=None
    )
    logger.warning(
        "Job %s (%s) failed (attempt %d): tried again in %s.",
        task_result.id,
        task_result.task.module_path,
        task_result.attempts,
        delay,
    )


def relaunch(jobs: QuerySet[DBTaskResult]) -> int:
    """Put failed jobs, and those waiting for a later attempt, back to run now with a fresh
    series of attempts (their last error stays shown until they run). Returns how many."""
    return jobs.filter(status__in=[TaskResultStatus.FAILED, TaskResultStatus.READY]).update(
        status=TaskResultStatus.READY, run_after=get_date_max(), finished_at=None, worker_ids=[]
    )
