"""The two caches of config/cache.py when their stores fail or fill up.

Redis as it fails in production, without a Redis server: stopped (a closed port, the
connection refused), frozen (a socket that accepts connections and never answers, as a
SIGSTOPped Redis does) and full with `noeviction` (a server that answers every write with
Redis's OOM error). With each, the public pages, a login, a signature and a moderator's
decision go through, each in a fraction of what one Redis timeout used to cost. The rate
limits (the default cache, in the database) survive a flood of new keys, and when their
store fails, a login fails closed while the public pages stay open.
(benchmarks/faults.py does the same to a real Redis, behind gunicorn and nginx.)
"""

import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing

import pytest
from django.core.cache import caches
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse

from config import cache as site_cache
from pledges.models import Certificate, Signature
from tests.factories import (
    PASSWORD,
    commitments,
    make_candidate,
    make_moderator,
    make_pledge,
    make_user,
)
from tests.pages import PUBLIC_PAGES, pages_about

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
SIGN = reverse("pledges:sign")
# Seconds any one request may take with Redis failing: generous, for a busy machine. A
# frozen Redis used to cost every cache call its whole socket timeout (5 s in the attack
# report; redis-py's default is none: forever).
FAST = 4.0


def counters_at(settings, location: str) -> None:
    settings.CACHES = {
        **settings.CACHES,
        "counters": {"BACKEND": "config.cache.FailSoftRedisCache", "LOCATION": location},
    }


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def stopped_redis(settings):
    """Nothing listens on that port: every connection is refused."""
    counters_at(settings, f"redis://127.0.0.1:{free_port()}/0")


@pytest.fixture
def frozen_redis(settings):
    """A socket that completes the TCP handshake and then never says a word."""
    with closing(socket.socket()) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        counters_at(settings, f"redis://127.0.0.1:{listener.getsockname()[1]}/0")
        yield


def answer_like_a_full_redis(connection: socket.socket) -> None:
    """Reads RESP commands; a read finds nothing, every other command is refused as a full
    Redis with `maxmemory-policy noeviction` refuses writes."""
    buffer = b""
    with closing(connection):
        while chunk := connection.recv(65536):
            buffer += chunk
            while buffer.startswith(b"*") and b"\r\n" in buffer:
                lines = buffer.split(b"\r\n")
                count = int(lines[0][1:])
                if len(lines) < 2 + 2 * count:
                    break
                command = lines[2].upper()
                buffer = b"\r\n".join(lines[1 + 2 * count :])
                if command in {b"GET", b"MGET", b"EXISTS"}:
                    connection.sendall(b"$-1\r\n" if command == b"GET" else b"*0\r\n")
                else:
                    connection.sendall(
                        b"-OOM command not allowed when used memory > 'maxmemory'.\r\n"
                    )


@pytest.fixture
def full_redis(settings):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)

    def serve():
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=answer_like_a_full_redis, args=(connection,)).start()

    threading.Thread(target=serve, daemon=True).start()
    counters_at(settings, f"redis://127.0.0.1:{listener.getsockname()[1]}/0")
    yield
    listener.close()


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


@pytest.fixture(params=["stopped_redis", "frozen_redis", "full_redis"])
def failing_redis(request):
    request.getfixturevalue(request.param)
    return request.param


def test_a_failing_redis_is_a_miss_not_an_error(failing_redis, caplog):
    counters = caches["counters"]
    assert counters.get("absent", "default") == "default"
    counters.set("key", "value")  # dropped, not raised
    assert counters.add("key", "value") is False
    assert counters.get_many(["a", "b"]) == {}
    assert counters.delete("key") is False
    with pytest.raises(ValueError):
        counters.incr("key")
    assert "treated as a miss" in caplog.text


def test_after_a_failure_redis_is_left_alone_for_a_moment(frozen_redis):
    counters = caches["counters"]
    _, first = timed(lambda: counters.get("key"))
    assert first >= site_cache.REDIS_READ_TIMEOUT  # it did wait for the frozen server once
    _, then = timed(lambda: [counters.get(f"key-{n}") for n in range(20)])
    assert then < site_cache.REDIS_READ_TIMEOUT  # and not again for each later call


def test_with_redis_failing_the_public_pages_are_served_fast(failing_redis, client):
    pledge = make_pledge(status=Signature.Status.APPROVED)
    for path in [*PUBLIC_PAGES, *pages_about(pledge)]:
        response, took = timed(lambda path=path: client.get(path))
        assert response.status_code == 200, path
        assert took < FAST, (path, took)


def test_with_redis_failing_a_candidate_logs_in_and_signs(failing_redis, client, mailoutbox):
    candidate = make_candidate(user=make_user("lea@exemple.test"))
    response, took = timed(
        lambda: client.post(LOGIN, {"login": "lea@exemple.test", "password": PASSWORD})
    )
    assert response.status_code == 302 and took < FAST
    assert client.session["_auth_user_id"] == str(candidate.user.pk)

    data = {
        "commitments": [str(c.pk) for c in commitments("1.1", "4.1")],
        "consent_candidacy": "on",
        "consent_publication": "on",
    }
    response, took = timed(lambda: client.post(SIGN, data))
    assert response.status_code == 302 and took < FAST
    assert Signature.objects.get(candidate=candidate).status == Signature.Status.PENDING


def test_with_redis_failing_a_moderator_decides(failing_redis, client, mailoutbox):
    pledge = make_pledge()
    client.force_login(make_moderator())
    url = reverse("admin:pledges_signature_decide", args=[pledge.pk, "valider"])
    response, took = timed(lambda: client.post(url))
    assert response.status_code == 302 and took < FAST
    pledge.refresh_from_db()
    assert pledge.status == Signature.Status.APPROVED
    assert [pledge.candidate.user.email] in [message.to for message in mailoutbox]


def lock_out(client, email: str) -> None:
    for _ in range(5):  # ACCOUNT_RATE_LIMITS["login_failed"]: 5 per 5 minutes per address
        client.post(LOGIN, {"login": email, "password": "faux"})


def flood(count: int) -> None:
    """Other keys in the rate-limit store, live ones (whoever wrote them: another app, the
    counters of many addresses), that sort after allauth's as the attack's invented URLs did."""
    for n in range(count):
        caches["default"].set(f"page:/?q={n}", "x" * 200, timeout=300)


def locked(client, email: str) -> bool:
    response = client.post(LOGIN, {"login": email, "password": PASSWORD})
    return "Trop de tentatives de connexion échouées" in response.content.decode()


@pytest.mark.parametrize(
    ("backend", "survives"),
    [
        ("config.cache.RateLimitCache", True),
        # Django's own database cache, for contrast: past MAX_ENTRIES it deletes part of the
        # rows (in key order) whatever their age, so the same flood unlocks the account.
        ("django.core.cache.backends.db.DatabaseCache", False),
    ],
)
def test_a_flood_of_keys_does_not_reset_a_lockout(settings, client, backend, survives):
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "BACKEND": backend,
                    "OPTIONS": {"MAX_ENTRIES": 30, "CULL_FREQUENCY": 2}},
    }  # fmt: skip
    make_user("lea@exemple.test")
    lock_out(client, "lea@exemple.test")
    assert locked(client, "lea@exemple.test")
    flood(60)
    assert locked(client, "lea@exemple.test") is survives


def test_the_rate_limit_store_deletes_its_expired_rows(settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "OPTIONS": {"MAX_ENTRIES": 10}},
    }
    store = caches["default"]
    for n in range(10):
        store.set(f"old-{n}", n, timeout=-1)  # already expired
    for n in range(5):
        store.set(f"live-{n}", n, timeout=300)
    assert store.get_many([f"live-{n}" for n in range(5)]) == {f"live-{n}": n for n in range(5)}
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM coorace_cache")
        assert cursor.fetchone()[0] <= 10


@pytest.fixture
def failing_rate_limit_store(monkeypatch):
    def fail(*args, **kwargs):
        raise DatabaseError("the rate-limit store is unreachable")

    for method in ("get", "add", "set", "delete"):
        monkeypatch.setattr(site_cache.RateLimitCache, method, fail)


def test_when_the_rate_limit_store_fails_login_fails_closed(failing_rate_limit_store):
    make_user("lea@exemple.test")
    client = Client(raise_request_exception=False)
    response, took = timed(
        lambda: client.post(LOGIN, {"login": "lea@exemple.test", "password": PASSWORD})
    )
    assert response.status_code == 500 and took < FAST
    assert "_auth_user_id" not in client.session  # no password was tried
    assert "Le site rencontre un problème momentané" in response.content.decode()


def test_when_the_rate_limit_store_fails_public_pages_stay_open(failing_rate_limit_store, client):
    pledge = make_pledge(status=Signature.Status.APPROVED)
    certificate = Certificate.objects.get(pledge=pledge)
    for path in [*PUBLIC_PAGES, *pages_about(pledge), certificate.get_absolute_url()]:
        assert client.get(path).status_code == 200, path


def test_migrate_makes_the_rate_limit_table(tmp_path, settings):
    database = tmp_path / "fresh.sqlite3"
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        cwd=settings.BASE_DIR,
        env=environment,
        check=True,
        timeout=300,
    )
    with closing(sqlite3.connect(database)) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert settings.CACHES["default"]["LOCATION"] in tables
