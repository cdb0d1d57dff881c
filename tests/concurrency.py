"""Concurrent first requests, for the tests of what must be written once (certificate PDFs,
share images): `requests` threads wait at a barrier, then GET the same URL, each through its
own client and database connection."""

import threading

from django.db import connection
from django.test import Client


def concurrent_bodies(url: str, requests: int) -> tuple[list[bytes], list[Exception]]:
    """The bodies of `requests` simultaneous GETs of `url` (each must answer 200), and the
    errors the threads met (reported by the caller's assertions)."""
    barrier = threading.Barrier(requests)
    bodies, errors = [], []

    def fetch():
        try:
            barrier.wait()
            response = Client().get(url)
            assert response.status_code == 200, response.status_code
            bodies.append(b"".join(response.streaming_content))
        except Exception as error:  # reported by the caller, with the thread's error
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=fetch) for _ in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return bodies, errors
