"""The nightly retention as a job: `manage.py erase_private_data` (run by
config/deploy/coorace-retention.timer) enqueues it, the worker applies the table
(pledges.moderation.retention), and its counts stay in the job's result, beside every other
job's in the admin (« Task results »): a run that fails is shown there with its error and
tried again (config.tasks), like an e-mail."""

import dataclasses
import datetime

from django.utils import timezone
from django_tasks import task

import config.tasks  # noqa: F401  (its retry policy applies to this job)
from pledges.moderation.retention import apply_retention


@task()
def erase_private_data(before: str | None = None) -> dict:
    """Apply the retention table now (the time the worker runs it); `before` (ISO 8601)
    moves the 12 months' line, as the command's `--before`. Returns the counts."""
    cutoff = datetime.datetime.fromisoformat(before) if before else None
    return dataclasses.asdict(apply_retention(now=timezone.now(), before=cutoff))
