"""Fault injection: the site as production runs it, broken on purpose, one part at a time.

Usage: .venv/bin/python benchmarks/faults.py        (as root: the full-disk fault mounts a tmpfs)

It starts everything it breaks, on free ports, and leaves nothing behind:

- its own PostgreSQL cluster (initdb in a temporary folder, Debian's PostgreSQL binaries),
  so that stopping it disturbs no other database of the machine; a fresh database there,
  migrated, with the communes, the charter and a few signatories (made by tests/factories.py,
  through the services);
- its own Redis (`redis-server`, no persistence) as CACHE_URL;
- its own SMTP sink (below), which can accept, refuse (its port closed) or hang (accept the
  connection and never say a word);
- the media storage on a 4 MB tmpfs, which it can fill;
- gunicorn (config/deploy/gunicorn.conf.py, production settings), the job worker
  (`manage.py db_worker`, restarted 5 s after it exits, as coorace-worker.service's
  Restart=always does) and nginx with the shipped snippets (tests/deploy/nginx.py).

Then, for each fault, a visitor reads public pages (fresh query strings, so the app must
render them, and the plain pages nginx keeps), a new candidate logs in and signs, and a
moderator approves a signature; every request's status and time is kept. The faults:
Redis stopped, frozen (SIGSTOP), full (maxmemory with noeviction); SMTP refusing, then
hanging; PostgreSQL stopped then started again; the media storage full. Once every part is
back, it waits for the job queue to drain and checks that nothing was lost: every decision's
and every signature's e-mail delivered exactly once, no job failed or waiting, no signature
without commitments, no approval without certificate and audit entry, every certificate's
file written whole and no other file in the storage.

It prints a table (fault, what the user saw, what was lost) and exits non-zero if any
request that the site can answer failed or waited SLOW seconds more than it did with
nothing broken (or LIMIT seconds at all), or anything was lost. Five to six
minutes on two cores shared with other test runs, most of it the database's set-up and the
wait for the retried jobs (config/tasks.py: the first retry comes a minute after a failure).
"""

import argparse
import email
import email.policy
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from contextlib import closing, suppress
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.deploy.nginx import Nginx, nginx_executable  # noqa: E402

VENV_BIN = Path(sys.executable).parent
POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
# A request that waits this much longer than the same request with nothing broken (the
# reference phase), where the site can answer, is a failure: less than EMAIL_TIMEOUT (10 s,
# left at its default), so that a request talking to a hanging SMTP server fails it, as
# does a Redis call without a timeout. Relative, because a login hashes a password (PBKDF2)
# and takes seconds on two cores that other work shares. No request may take longer than
# gunicorn's timeout (30 s), the reference's included; nor may the first download of a
# certificate, which renders its PDF in the request before it finds the storage full.
SLOW = 8.0
LIMIT = 30.0
# How long the queue may take to drain once every part is back (the first retry of a job
# comes 60 s after its failure: config/tasks.py).
DRAIN_LIMIT = 150
START_LIMIT = 60
MEDIA_SIZE = "4m"
APPROVED_SUBJECT = "Votre signature est validée et publiée"
RECEIVED_SUBJECT = "Votre signature est bien reçue"
FRENCH_ERROR = "Le site rencontre un problème momentané"


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, what: str, limit: float = START_LIMIT) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not within {limit} s")
        time.sleep(0.1)


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def static_root() -> Path:
    """A folder for `collectstatic`, named for what it collects: the static files' names,
    sizes and times, and the pinned packages (whose files it collects too)."""
    digest = hashlib.sha256((ROOT / "requirements.txt").read_bytes())
    for path in sorted((ROOT / "static").rglob("*")):
        info = path.stat()
        digest.update(f"{path.relative_to(ROOT)} {info.st_size} {info.st_mtime_ns}".encode())
    return Path(tempfile.gettempdir()) / f"coorace-faults-static-{digest.hexdigest()[:16]}"


# ------------------------------------------------------------------ the parts


class Postgres:
    """A PostgreSQL cluster of its own, in a temporary folder (as `postgres` when root)."""

    def __init__(self, folder: Path):
        self.folder = folder / "postgres"
        self.folder.mkdir()
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", str(self.folder / "data"), "-U", "postgres", "-A", "trust")
        self.start()

    def _run(self, program: str, *args: str) -> None:
        subprocess.run(
            [*self.as_postgres, str(POSTGRES_BIN / program), *args],
            check=True, capture_output=True, text=True,
        )  # fmt: skip

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl", "-D", str(self.folder / "data"), "-l", str(self.folder / "log"),
            "-o", options, "-w", "start",
        )  # fmt: skip

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")


class Redis:
    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        self.process = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(lambda: listening(self.port), "redis-server")

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=2)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(10)

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def fill(self) -> None:
        """A small memory limit with `noeviction`, then junk until Redis refuses writes."""
        client = self.client()
        client.config_set("maxmemory-policy", "noeviction")
        client.config_set("maxmemory", "4mb")
        chunk = b"x" * 65536
        for n in range(1000):
            try:
                client.set(f"junk:{n}", chunk)
            except redis.exceptions.OutOfMemoryError:
                return
        raise RuntimeError("Redis never said it was full")

    def empty(self) -> None:
        client = self.client()
        client.flushall()
        client.config_set("maxmemory", "0")


class SmtpSink:
    """A minimal SMTP server (standard library): it accepts every message and keeps it,
    refuses connections (its port closed) or hangs (accepts and never answers)."""

    def __init__(self):
        self.port = free_port()
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()
        self.mode = "accept"
        self.server = None
        self.accept()

    def accept(self) -> None:
        self.mode = "accept"
        if self.server is None:
            sink = self

            class Handler(socketserver.StreamRequestHandler):
                timeout = 60

                def handle(self):
                    sink.converse(self)

            socketserver.ThreadingTCPServer.allow_reuse_address = True
            self.server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), Handler)
            self.server.daemon_threads = True
            threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def refuse(self) -> None:
        self.mode = "refuse"
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def hang(self) -> None:
        self.accept()
        self.mode = "hang"

    def converse(self, handler) -> None:
        if self.mode == "hang":
            with suppress(OSError):
                while handler.rfile.readline():  # never a banner: the client gives up
                    pass
            return
        reply = lambda line: handler.wfile.write(line.encode() + b"\r\n")  # noqa: E731
        reply("220 faults ESMTP")
        while line := handler.rfile.readline():
            verb = line[:4].upper()
            if verb == b"DATA":
                reply("354 end with <CRLF>.<CRLF>")
                lines = []
                while (data := handler.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data[1:] if data.startswith(b"..") else data)
                message = email.message_from_bytes(b"".join(lines), policy=email.policy.default)
                with self.lock:
                    self.messages.append(message)
                reply("250 OK")
            elif verb == b"QUIT":
                reply("221 bye")
                return
            elif verb == b"EHLO":
                reply("250-faults")
                reply("250 8BITMIME")
            else:
                reply("250 OK")

    def received(self, to: str, subject: str) -> int:
        with self.lock:
            return sum(
                1
                for message in self.messages
                if to in str(message["To"]) and subject in str(message["Subject"])
            )


class Media:
    """The media storage on a small tmpfs, which `fill` fills to the last byte."""

    def __init__(self, folder: Path):
        self.path = folder / "media"
        self.path.mkdir()
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={MEDIA_SIZE},mode=0755", "tmpfs", str(self.path)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        self.filler = self.path / "filler"

    def fill(self) -> None:
        with suppress(OSError), open(self.filler, "wb") as filler:
            while True:
                filler.write(b"\0" * 4096)
                filler.flush()

    def empty(self) -> None:
        self.filler.unlink(missing_ok=True)

    def unmount(self) -> None:
        subprocess.run(["umount", str(self.path)], check=False)


class Supervised:
    """The job worker as coorace-worker.service runs it: `requeue_interrupted_jobs` then
    `db_worker`, with one fixed worker id, started again RESTART_DELAY s after it exits
    (Restart=always, RestartSec=5), or after its ExecStartPre failed."""

    RESTART_DELAY = 5
    WORKER_ID = "faults-coorace-worker"

    def __init__(self, env: dict, log):
        self.env, self.log = env, log
        self.restarts = 0
        self.stopping = False
        self.process = self._spawn()
        threading.Thread(target=self._watch, daemon=True).start()

    def _spawn(self) -> subprocess.Popen | None:
        manage = [sys.executable, "manage.py"]
        before = subprocess.run(
            [*manage, "requeue_interrupted_jobs", "--worker-id", self.WORKER_ID],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        if before.returncode:
            return None
        return subprocess.Popen(
            [*manage, "db_worker", "--no-reload", "--interval", "1",
             "--worker-id", self.WORKER_ID],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    def _watch(self) -> None:
        while not self.stopping:
            if self.process is None or self.process.poll() is not None:
                time.sleep(self.RESTART_DELAY)
                if not self.stopping:
                    self.restarts += 1
                    self.process = self._spawn()
            time.sleep(0.2)

    def stop(self) -> None:
        self.stopping = True
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()


# ------------------------------------------------------------------ the site's users


@dataclass
class Answer:
    what: str
    status: int
    seconds: float
    cache: str = ""
    body: str = ""
    # Seconds it may take whatever the reference took (None: SLOW more than the reference).
    limit: float | None = None


class Visitor:
    """A browser: cookies, the CSRF token, every answer timed."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, what: str, method: str, path: str, form: dict | None = None) -> Answer:
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            form = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **form}
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = HTTPConnection("127.0.0.1", self.port, timeout=60)
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        seconds = time.monotonic() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "expires=Thu, 01 Jan 1970" in header or value in ('""', ""):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        text = "text" in (response.headers.get("Content-Type") or "")
        return Answer(
            what,
            response.status,
            seconds,
            response.headers.get("X-Cache-Status", ""),
            content.decode(errors="replace") if text else "",
        )

    def get(self, what: str, path: str) -> Answer:
        return self.request(what, "GET", path)

    def post(self, what: str, path: str, form: dict) -> Answer:
        return self.request(what, "POST", path, form)


@dataclass
class Phase:
    name: str
    answers: list[Answer] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # (address, subject) of every e-mail this phase's actions should send.
    emails: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def saw(self, answer: Answer, *, expected: set[int], limit: float | None = None) -> Answer:
        self.answers.append(answer)
        answer.limit = limit
        if answer.status not in expected:
            self.problems.append(f"{answer.what}: HTTP {answer.status}")
        return answer

    def check_waits(self, reference: dict[str, float]) -> None:
        """Each answer against SLOW more than the same request in the reference phase."""
        for answer in self.answers:
            if answer.limit is not None:
                allowed = answer.limit
            elif answer.what in reference:
                allowed = min(LIMIT, reference[answer.what] + SLOW)
            else:
                allowed = SLOW
            if answer.seconds > allowed:
                self.problems.append(
                    f"{answer.what}: waited {answer.seconds:.1f} s (allowed {allowed:.1f} s)"
                )


# ------------------------------------------------------------------ set-up

SETUP = """
import json
import django.contrib.auth.models
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from pledges.models import Commitment, Signature
from tests.factories import PASSWORD, make_candidate, make_moderator, make_pledge, make_user

# One PBKDF2 hash of the accounts' password, computed once rather than for each of the
# thirty accounts (a second each): every login still checks a real production hash.
hashed = make_password(PASSWORD)
django.contrib.auth.models.make_password = lambda password: hashed  # what create_user uses

phases = {phases}
moderator = make_moderator("moderatrice-pannes")
for n in range(6):  # public signatories, approved as staff approve them
    make_pledge(make_candidate(user=make_user(f"publie{{n}}@pannes.test")),
                status=Signature.Status.APPROVED)
signers, decisions = [], []
for n in range(phases):
    signer = make_candidate(user=make_user(f"signe{{n}}@pannes.test"), first_name=f"Signe{{n}}")
    signers.append(signer.user.email)
    pledge = make_pledge(make_candidate(user=make_user(f"decide{{n}}@pannes.test")))
    decisions.append({{
        "email": pledge.candidate.user.email,
        "url": reverse("admin:pledges_signature_decide", args=[pledge.pk, "valider"]),
    }})
approved = Signature.objects.filter(status=Signature.Status.APPROVED).order_by("pk").first()
print(json.dumps({{
    "password": PASSWORD,
    "moderator": moderator.username,
    "signers": signers,
    "decisions": decisions,
    "commitments": [str(c.pk) for c in Commitment.objects.order_by("pk")[:3]],
    "signatory": approved.get_absolute_url(),
    "commune": approved.candidate.commune.get_absolute_url(),
}}))
"""

CHECKS = """
import json, os
from django.core.files.storage import default_storage
from django.db.models import Count, Q
from django_tasks_db.models import DBTaskResult
from pledges.certificates.services import is_truncated
from pledges.models import AuditEntry, Certificate, Signature

approved = Signature.objects.filter(status=Signature.Status.APPROVED)
owned = set(Certificate.objects.exclude(pdf="").values_list("pdf", flat=True))
files = []
for folder, _, names in os.walk(default_storage.location):
    for name in names:
        files.append(os.path.relpath(os.path.join(folder, name), default_storage.location))
# Share images and posters (drawn by jobs when pages are visited) are owned when they are
# the current version of a public list's or signatory's: « <kind>-<pk>-<digest>.<ext> ».
def cut_short(name):  # a PDF without its %%EOF, a PNG without its IEND chunk
    if name.endswith(".png"):
        with default_storage.open(name, "rb") as file:
            return not file.read().endswith(b"IEND\\xaeB`\\x82")
    return is_truncated(default_storage, name)


from pledges.directory.poster import current_poster
from pledges.directory.share_image import current_content
for name in files:
    folder, _, base = name.partition("/")
    current = {"partage": current_content, "affiches": current_poster}.get(folder)
    if current is None or base.count("-") < 2:
        continue
    kind, pk, _rest = base.split("-", 2)
    content = current(kind, int(pk)) if pk.isdigit() else None
    if content is not None and content.file_name == name:
        owned.add(name)
print(json.dumps({
    "jobs": dict(DBTaskResult.objects.values_list("status").annotate(n=Count("id"))),
    "failed_jobs": [r.task_path + ": " + str(r.exception_class_path)
                    for r in DBTaskResult.objects.filter(status="FAILED")],
    "waiting_jobs": [f"{r.task_path} {r.status} after {r.worker_ids} {r.args_kwargs}"
                     for r in DBTaskResult.objects.filter(status__in=["READY", "RUNNING"])],
    "without_commitments": Signature.objects.annotate(n=Count("signed_commitments"))
                           .filter(n=0).count(),
    "approved_without_certificate": approved.filter(certificates=None).count(),
    "approved_without_audit": approved.exclude(audit_entries__action="approved").count(),
    "current_without_file": Certificate.objects.current().filter(
        pledge__status=Signature.Status.APPROVED, pdf="").count(),
    "orphans": sorted(set(files) - owned),
    "truncated": sorted(name for name in owned & set(files) if cut_short(name)),
    "missing": sorted(owned - set(files)),
    "approved": approved.count(),
}))
"""


class Site:
    def __init__(self, folder: Path, phases: int):
        self.folder, self.phases = folder, phases
        self.logs = open(folder / "servers.log", "w")  # noqa: SIM115
        # What start() has started so far, for stop() to stop, even if start() failed.
        self.postgres = self.redis = self.smtp = self.media = None
        self.gunicorn = self.worker = self.nginx = None

    def start(self) -> None:
        folder = self.folder
        print("PostgreSQL (its own cluster), Redis, the SMTP sink, a 4 MB media storage…")
        self.postgres = Postgres(folder)
        self.redis = Redis(folder)
        self.smtp = SmtpSink()
        self.media = Media(folder)
        self.env = {
            **os.environ,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_STATIC_ROOT": str(static_root()),
            "DJANGO_MEDIA_ROOT": str(self.media.path),
            "DJANGO_LOG_LEVEL": "WARNING",
            "DATABASE_URL": self.postgres.url("coorace_faults"),
            "CACHE_URL": f"redis://127.0.0.1:{self.redis.port}/1",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.smtp.port),
            "STAFF_NOTIFICATION_EMAILS": "moderation@pannes.test",
            "TASKS_BACKEND": "database",
            "CERTIFICATE_RENDER_ON_ISSUE": "1",
            "PUBLIC_CACHE_MAX_AGE": "2",
            "SITE_URL": "http://127.0.0.1",
            "GUNICORN_WORKERS": "3",
        }
        started = time.monotonic()
        print("The database: migrate, communes, charter, a few signatories…")
        subprocess.run(
            [*self.postgres.as_postgres, str(POSTGRES_BIN / "createdb"), "-h", "127.0.0.1",
             "-p", str(self.postgres.port), "-U", "postgres", "coorace_faults"],
            check=True,
        )  # fmt: skip
        for command in (
            ["migrate", "--noinput"],
            ["import_communes"],
            ["load_charter"],
        ):
            step = time.monotonic()
            self.manage(*command)
            print(f"  manage.py {command[0]}: {time.monotonic() - step:.0f} s")
        self.collect_static()
        self.actors = self.shell(SETUP.format(phases=self.phases))
        print(f"Ready in {time.monotonic() - started:.0f} s; the servers…")
        self.app_port = free_port()
        self.gunicorn = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-c", "config/deploy/gunicorn.conf.py", "config.wsgi"],
            cwd=ROOT, env={**self.env, "GUNICORN_BIND": f"127.0.0.1:{self.app_port}"},
            stdout=self.logs, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.worker = Supervised(self.env, self.logs)
        wait_until(lambda: listening(self.app_port), "gunicorn")
        self.nginx = Nginx(nginx_executable(), self.app_port)

    def collect_static(self) -> None:
        """`collectstatic` (whitenoise compresses every file, Brotli included: a minute on
        two busy cores), unless an earlier run collected the same files."""
        if (static_root() / "staticfiles.json").exists():
            print(f"  static files: reused {static_root()}")
            return
        step = time.monotonic()
        self.manage("collectstatic", "--noinput")
        print(f"  manage.py collectstatic: {time.monotonic() - step:.0f} s")

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True,
        )  # fmt: skip
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args[:1])} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def shell(self, code: str) -> dict:
        """Run `code` in `manage.py shell`; the JSON it prints last."""
        return json.loads(self.manage("shell", "-c", code).strip().splitlines()[-1])

    def stop(self) -> None:
        for part, stop in (
            (self.nginx, lambda: self.nginx.stop()),
            (self.worker, lambda: self.worker.stop()),
            (self.gunicorn, lambda: (self.gunicorn.terminate(), self.gunicorn.wait(30))),
            (self.redis, lambda: self.redis.stop()),
            (self.smtp, lambda: self.smtp.refuse()),
            (self.postgres, lambda: self.postgres.stop()),
            (self.media, lambda: self.media.unmount()),
        ):
            if part is not None:
                with suppress(Exception):
                    stop()
        self.logs.close()


# ------------------------------------------------------------------ what users do


class Run:
    def __init__(self, site: Site):
        self.site = site
        self.port = site.nginx.port
        self.phases: list[Phase] = []
        self.signers = iter(site.actors["signers"])
        self.decisions = iter(site.actors["decisions"])
        self.moderator = Visitor(self.port)
        self.visits = 0
        self.moderator.get("admin login page", "/admin/login/")
        answer = self.moderator.post(
            "admin login", "/admin/login/?next=/admin/",
            {"username": site.actors["moderator"], "password": site.actors["password"]},
        )  # fmt: skip
        if answer.status != 302:
            raise RuntimeError(f"the moderator could not log in: HTTP {answer.status}")

    def public_pages(self) -> list[tuple[str, str]]:
        actors = self.site.actors
        return [
            ("home", "/"),
            ("commune", actors["commune"]),
            ("signatory", actors["signatory"]),
            ("search", "/recherche/?q=saint"),
            ("legal notice", "/mentions-legales/"),
        ]

    def browse(self, phase: Phase, *, expected=frozenset({200}), fresh=True) -> None:
        """The public pages as nginx keeps them, then (fresh) with a query string of their
        own, which nginx has never seen: the app must render those."""
        visitor = Visitor(self.port)
        for what, path in self.public_pages():
            phase.saw(visitor.get(what, path), expected={200})
            if fresh:
                self.visits += 1
                separator = "&" if "?" in path else "?"
                phase.saw(
                    visitor.get(f"{what} (new URL)", f"{path}{separator}visite={self.visits}"),
                    expected=set(expected),
                )

    def sign(self, phase: Phase, *, expected=frozenset({302})) -> Visitor:
        address = next(self.signers)
        candidate = Visitor(self.port)
        candidate.get("login page", "/compte/connexion/")
        login = phase.saw(
            candidate.post("login", "/compte/connexion/",
                           {"login": address, "password": self.site.actors["password"]}),
            expected=set(expected),
        )  # fmt: skip
        if login.status != 302:
            return candidate
        candidate.get("signing page", "/signer/")
        answer = phase.saw(
            candidate.post("signing", "/signer/", {
                "commitments": self.site.actors["commitments"],
                "consent_candidacy": "on", "consent_publication": "on",
            }),
            expected=set(expected),
        )  # fmt: skip
        if answer.status == 302:
            phase.emails.append((address, RECEIVED_SUBJECT))
        return candidate

    def decide(self, phase: Phase, *, expected=frozenset({302})) -> dict:
        decision = next(self.decisions)
        answer = phase.saw(
            self.moderator.post("decision", decision["url"], {}), expected=set(expected)
        )
        if answer.status == 302:
            phase.emails.append((decision["email"], APPROVED_SUBJECT))
        return decision

    def everything(self, phase: Phase) -> None:
        self.browse(phase)
        self.sign(phase)
        self.decide(phase)

    def phase(self, name: str) -> Phase:
        phase = Phase(name)
        self.phases.append(phase)
        print(f"  {name}")
        return phase

    # -------------------------------------------------------------- the faults

    def run(self) -> None:
        site = self.site
        self.everything(self.phase("Nothing broken (the reference)"))

        site.redis.stop()
        self.everything(self.phase("Redis stopped"))
        site.redis.start()

        site.redis.freeze()
        self.everything(self.phase("Redis frozen (SIGSTOP)"))
        site.redis.thaw()

        site.redis.fill()
        self.everything(self.phase("Redis full (maxmemory, noeviction)"))
        site.redis.empty()

        site.smtp.refuse()
        self.everything(self.phase("SMTP refusing connections"))
        site.smtp.hang()
        self.everything(self.phase("SMTP accepting, never answering"))
        site.smtp.accept()

        self.postgres_outage()

        phase = self.phase("Media storage full")
        site.media.fill()
        decision = self.decide(phase)
        candidate = Visitor(self.port)
        candidate.get("login page", "/compte/connexion/")
        phase.saw(
            candidate.post("login", "/compte/connexion/",
                           {"login": decision["email"], "password": site.actors["password"]}),
            expected={302},
        )  # fmt: skip
        download = phase.saw(
            candidate.get("certificate download", "/mon-espace/attestation.pdf"),
            expected={200, 503},
            limit=LIMIT,
        )
        phase.notes.append(
            "certificate download: « en préparation » (503, Retry-After)"
            if download.status == 503
            else "certificate download: 200 (rendered before the disk filled)"
        )
        self.browse(phase)
        site.media.empty()

    def postgres_outage(self) -> None:
        site = self.site
        phase = self.phase("PostgreSQL stopped")
        # The pages nginx keeps, read once more so that their copies are there (and stale
        # within PUBLIC_CACHE_MAX_AGE=2 s).
        self.browse(Phase("warm"), fresh=False)
        login = Visitor(self.port)
        login.get("login page", "/compte/connexion/")  # the form was open before the outage
        site.postgres.stop()
        try:
            time.sleep(2.5)  # the copies are now older than their max-age
            visitor = Visitor(self.port)
            for what, path in self.public_pages():
                answer = phase.saw(visitor.get(what, path), expected={200})
                if answer.cache not in {"STALE", "UPDATING", "HIT"}:
                    phase.problems.append(f"{what}: not from nginx's copy ({answer.cache})")
            self.visits += 1
            fresh = phase.saw(
                visitor.get("a page never kept", f"/recherche/?q=panne{self.visits}"),
                expected={500},
            )
            refused = phase.saw(
                login.post(
                    "login", "/compte/connexion/", {"login": "x@pannes.test", "password": "x"}
                ),
                expected={500},
            )
            for answer in (fresh, refused):
                if answer.status == 500 and FRENCH_ERROR not in answer.body:
                    phase.problems.append(f"{answer.what}: not the site's French error page")
        finally:
            site.postgres.start()
        back = self.phase("PostgreSQL started again")
        self.everything(back)


# ------------------------------------------------------------------ the verdict


def summary(phase: Phase) -> str:
    by_kind: dict[str, list[Answer]] = {}
    for answer in phase.answers:
        kind = (
            "pages" if answer.what.split(" (")[0] in {"home", "commune", "signatory",
                                                      "search", "legal notice"} else answer.what
        )  # fmt: skip
        by_kind.setdefault(kind, []).append(answer)
    parts = []
    for kind, answers in by_kind.items():
        statuses = sorted({a.status for a in answers})
        slowest = max(a.seconds for a in answers)
        stale = sum(a.cache == "STALE" for a in answers)
        text = f"{kind} {'/'.join(map(str, statuses))}"
        if stale:
            text += f" ({stale} stale)"
        parts.append(f"{text} ≤ {slowest:.2f} s")
    return "; ".join(parts + phase.notes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    if os.geteuid() != 0:
        print(
            "Run it as root: the full-disk fault mounts a tmpfs (and PostgreSQL runs as postgres)."
        )
        return 2
    if shutil.which("redis-server") is None or nginx_executable() is None:
        print("Needs Debian's redis-server and nginx: apt-get install redis-server nginx.")
        return 2
    if not (POSTGRES_BIN / "initdb").exists():
        print(f"Needs Debian's PostgreSQL 15 ({POSTGRES_BIN}): apt-get install postgresql.")
        return 2
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="coorace-faults-"))
    folder.chmod(0o755)
    site = None
    failures: list[str] = []
    try:
        site = Site(folder, phases=12)
        site.start()
        print("The faults:")
        run = Run(site)
        run.run()
        print(f"Every part is back; waiting for the job queue (≤ {DRAIN_LIMIT} s)…")
        drained_at = time.monotonic()
        deadline = drained_at + DRAIN_LIMIT
        while True:
            checks = site.shell(CHECKS)
            waiting = {k: v for k, v in checks["jobs"].items() if k in {"READY", "RUNNING"}}
            if not waiting or time.monotonic() > deadline:
                break
            time.sleep(2)
        print(f"Queue drained in {time.monotonic() - drained_at:.0f} s: {checks['jobs']}")
        time.sleep(1)  # the sink's last conversation
        for problem, count in [
            ("jobs still waiting", sum(waiting.values()) if waiting else 0),
            ("jobs failed", len(checks["failed_jobs"])),
            ("signatures without commitments", checks["without_commitments"]),
            ("approvals without a certificate", checks["approved_without_certificate"]),
            ("approvals without an audit entry", checks["approved_without_audit"]),
            ("current certificates without a file", checks["current_without_file"]),
            ("files no certificate, current share image or poster owns", len(checks["orphans"])),
            ("certificates', posters' or share images' files cut short", len(checks["truncated"])),
            ("certificates' files missing", len(checks["missing"])),
        ]:
            if count:
                failures.append(f"{problem}: {count}")
        for detail in (*checks["failed_jobs"], *checks["waiting_jobs"], *checks["orphans"]):
            failures.append(f"  {detail}")
        reference = run.phases[0]
        for answer in reference.answers:
            answer.limit = LIMIT
        took = {}
        for answer in reference.answers:
            took[answer.what] = max(took.get(answer.what, 0.0), answer.seconds)
        rows = []
        for phase in run.phases:
            phase.check_waits(took)
            lost = []
            for address, subject in phase.emails:
                count = site.smtp.received(address, subject)
                if count != 1:
                    lost.append(f"« {subject} » to {address} delivered {count} times")
            failures.extend(f"{phase.name}: {text}" for text in phase.problems + lost)
            delivered = len(phase.emails) - len(lost)
            lost_text = "; ".join(lost) if lost else "nothing"
            if phase.emails:
                lost_text += f" ({delivered}/{len(phase.emails)} e-mails delivered once)"
            rows.append((phase.name, summary(phase), lost_text))
        if site.worker.restarts:
            print(f"(the job worker exited and was restarted {site.worker.restarts} times)")
        print()
        print("| Fault | What the user saw | What was lost |")
        print("|---|---|---|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
        print()
        print(
            f"After every fault: {checks['approved']} approved signatures, each with its "
            "certificate and audit entry; no signature without commitments; "
            f"{len(checks['orphans'])} orphan files; jobs {checks['jobs']}."
        )
    except Exception as error:
        failures.append(f"the run stopped: {type(error).__name__}: {error}")
        if site is not None:
            print((folder / "servers.log").read_text()[-4000:])
    finally:
        if site is not None:
            site.stop()
        shutil.rmtree(folder, ignore_errors=True)
    print(f"benchmarks/faults.py: {time.monotonic() - started:.0f} s.")
    if failures:
        print("FAILED:")
        for failure in failures:
            print(f"  - {failure}")
        return 1
    print("Every fault held: no 500 where the site could answer, nothing lost.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
