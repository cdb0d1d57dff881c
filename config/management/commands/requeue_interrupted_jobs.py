"""manage.py requeue_interrupted_jobs --worker-id ID: jobs a dead worker left RUNNING, to run again.

A worker that dies in the middle of a job (killed, the machine restarted, its database
gone while it recorded the result) leaves that job RUNNING, and django-tasks-db never
looks at it again: an e-mail nobody sends. coorace-worker.service runs this command before
each start of the worker (ExecStartPre), with the worker's own id: any job still RUNNING
under that id was interrupted, since the worker was not running. It goes back to READY and
runs again: at least once, so an e-mail whose sending was interrupted after the SMTP
server took it may leave twice. Jobs of other workers (other ids) are left alone.
"""

from django.core.management.base import BaseCommand
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max


def requeue_interrupted(worker_id: str) -> int:
    """Put back to READY the RUNNING jobs last claimed by `worker_id`; how many."""
    interrupted = [
        job.pk
        for job in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only("worker_ids")
        if job.worker_ids and job.worker_ids[-1] == worker_id
    ]
    return DBTaskResult.objects.filter(pk__in=interrupted, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY, run_after=get_date_max(), started_at=None
    )


class Command(BaseCommand):
    help = (
        "Remet en attente les tâches qu’un worker arrêté en cours de route a laissées « en "
        "cours » (RUNNING), avant que ce même worker (même --worker-id) redémarre."
    )

    def add_arguments(self, parser):
        parser.add_argument("--worker-id", required=True, help="L’id du worker qui redémarre.")

    def handle(self, *args, worker_id, **options):
        count = requeue_interrupted(worker_id)
        self.stdout.write(f"Tâches interrompues remises en attente\u00a0: {count}")
