"""The staff export as staff go through it: the confirmation, the POST that enqueues the job,
the worker, the job's page and the download (pledges.moderation.admin.export)."""

import csv
import io
from urllib.parse import urlencode

from django.urls import reverse

from tests.jobs import run_worker

EXPORT = reverse("admin:pledges_signature_export")


def content(response) -> bytes:
    if getattr(response, "streaming", False):
        # The test client closes the file once it has been read to the end.
        return b"".join(response.streaming_content)
    return response.content


def download(client, params=None):
    """The file staff get for the queue filtered by `params`: with the database backend
    (`database_tasks`), after the worker ran the job; with the immediate backend, at once.
    A refusal (the queue, a 403) comes back as it is."""
    url = f"{EXPORT}?{urlencode(params, doseq=True)}" if params else EXPORT
    response = client.post(url)
    if response.status_code != 302 or not response["Location"].startswith(EXPORT):
        return response
    run_worker()
    page = client.get(response["Location"])
    assert page.status_code == 200, page.status_code
    return client.get(page.context["download_url"])


def read_csv(response) -> list[list[str]]:
    raw = content(response).decode("utf-8")
    assert raw.startswith("\ufeff")
    return list(csv.reader(io.StringIO(raw[1:]), delimiter=";"))
