"""The alerts' job: one subscription's daily digest, sent in the background."""

import datetime

from django_tasks import task

import config.tasks  # noqa: F401  (its retry policy applies to these jobs)
from pledges.alerts import services


@task()
def send_digest(subscription_id: int, until: str) -> str:
    """`until` is an ISO datetime (job arguments travel as JSON)."""
    return services.send_digest(
        subscription_id=subscription_id, until=datetime.datetime.fromisoformat(until)
    )
