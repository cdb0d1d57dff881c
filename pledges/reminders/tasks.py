"""The reminders' jobs, sent in the background (retried by config.tasks on SMTP failures)."""

import datetime

from django_tasks import task

import config.tasks  # noqa: F401  (its retry policy applies to these jobs)
from pledges.reminders import services


@task()
def send_reminder(signature_id: int, kind: str, today: str) -> str:
    """`today` is an ISO date (job arguments travel as JSON)."""
    return services.send_reminder(
        signature_id=signature_id, kind=kind, today=datetime.date.fromisoformat(today)
    )


@task()
def send_staff_digest(user_id: int, week: str) -> str:
    return services.send_staff_digest(user_id=user_id, week=week)
