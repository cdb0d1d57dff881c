"""The job worker in a test: what `manage.py db_worker --batch [--worker-id …]` does (run
every job that is due, then stop), in-process. The worker closes the connections it finds
inside a transaction (Django's `close_old_connections`), which would close the test's own on
PostgreSQL: not here."""

from unittest import mock

from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Worker


def run_worker(worker_id: str = "test-worker") -> None:
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    with mock.patch.object(db_worker, "close_old_connections"):
        worker.run()
