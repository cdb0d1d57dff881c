"""The mailing's job: one batch, then the next one enqueued a minute later.

On the database backend (production) each job sends one batch (pledges.mailings.services.
send_batch) and enqueues the next with `run_after`, so the worker stays free for other
courriels between batches and a restarted worker picks the mailing up where it was. The
immediate backend (tests, TASKS_BACKEND=immediate) cannot defer a job: there the batches
follow one another in the same job, without waiting.
"""

from django_tasks import task

import config.tasks  # noqa: F401  (its retry policy applies to these jobs)
from pledges.mailings import services


@task()
def send_mailing_batch(mailing_id: int) -> str:
    defers = send_mailing_batch.get_backend().supports_defer
    while True:
        batch = services.send_batch(mailing_id=mailing_id)
        if batch.done:
            return f"sent {batch.sent}; mailing finished"
        if defers:
            send_mailing_batch.using(run_after=batch.next_at).enqueue(mailing_id)
            return f"sent {batch.sent}; next batch at {batch.next_at.isoformat()}"
