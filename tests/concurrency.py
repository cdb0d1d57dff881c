"""Concurrent work, for the tests of what must be written once (certificate PDFs, share
images, posters): threads wait at a barrier, then run together, each with its own database
connection."""

import threading

from django.db import connection
from django.test import Client


def at_once(count: int, work) -> list[Exception]:
    """Run `work()` in `count` threads released together, each with its own database
    connection; the errors they met (reported by the caller's assertions)."""
    barrier = threading.Barrier(count)
    errors = []

    def run():
        try:
            barrier.wait()
            work()
        except Exception as error:  # reported by the caller
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def concurrent_bodies(url: str, requests: int) -> tuple[list[bytes], list[Exception]]:
    """The bodies of `requests` simultaneous GETs of `url` (each must answer 200), and the
    errors the threads met (reported by the caller's assertions)."""
    bodies = []

    def fetch():
        response = Client().get(url)
        assert response.status_code == 200, response.status_code
        bodies.append(b"".join(response.streaming_content))

    return bodies, at_once(requests, fetch)
