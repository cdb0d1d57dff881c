"""benchmarks/load.py's mixed run: voters, candidates, moderators and the job queue at once.

`load.py --mixed` starts the servers (nginx → gunicorn on PostgreSQL and Redis, as its
main run does), plus this run's own: the SMTP sink (benchmarks/smtp_sink.py) and
`manage.py db_worker` as production runs it (config/deploy/coorace-worker.service),
both gunicorn and the worker sending mail to the sink. Then `run()`:

1. makes the accounts (benchmarks/mixed_accounts.py): fresh candidates in communes of
   under 1,000 inhabitants with no list name, each with a session, and two moderators;
2. browses alone: `wrk` over the public pages in turn (home, Paris, its département, a
   signatory page, the commune search API; Lua picks the next path), every page cached
   by nginx first: the cached-only throughput;
3. the mixed run, for --mixed-seconds, all at once:
   - voters: the same wrk on the same pages;
   - candidates: `POST /signer/` at --sign-rate signatures a second, paced (open loop:
     a signature is due at its time whether or not the earlier ones are done, and its
     latency counts from that time, so a slow server cannot hide behind a slow client),
     each from a fresh account, with 1 to 20 commitments and both consents; a signature
     counts when it answers 302 to « Mon espace »;
   - moderators: at --approve-rate, from the third second, the oldest pending signature
     of the run's candidates, each its detail page in the admin then « Valider » (the
     decision form); an approval counts on 302;
   - the job queue: every second, the jobs READY and RUNNING in PostgreSQL, the e-mails
     the sink has received and the load average;
4. after the run, the queue left to drain (up to --drain-seconds), then the checks: every
   fresh account has one signature, pending or approved as answered, no job failed,
   and the sink received one e-mail per delivery job.

Prints markdown tables and returns the targets missed: the pages keeping at least 0.8 of
their cached-only throughput (a target, the two cores being shared), signing at
--sign-rate and at least 30 a second with p99 under 500 ms, approvals at their rate, the
queue drained within --drain-seconds, and no error anywhere.
"""

import http.client
import json
import os
import random
import re
import resource
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
TARGET_SIGN_RATE = 30.0
TARGET_SIGN_P99_MS = 500.0
TARGET_BROWSE_RATIO = 0.8
APPROVALS_AFTER = 3  # seconds: the first signatures are in the moderators' queue by then
JOBS_TABLE = "django_tasks_database_dbtaskresult"
QUEUE_SQL = f"""
    SELECT count(*) FILTER (WHERE status = 'READY'
                            AND (run_after <= now() OR run_after >= '9999-01-01')),
           count(*) FILTER (WHERE status = 'READY'),
           count(*) FILTER (WHERE status = 'RUNNING'),
           count(*) FILTER (WHERE status = 'SUCCESSFUL'),
           count(*) FILTER (WHERE status = 'FAILED'),
           count(*)
    FROM {JOBS_TABLE}
"""
# The Lua that has each wrk connection take the public pages in turn, each request after
# `think` ms (wrk's delay(); 0: at once, as fast as the server answers).
BROWSE_LUA = """
local paths = {%s}
local think = %d
local n = 0
request = function()
  n = n %% #paths + 1
  return wrk.format("GET", paths[n])
end
if think > 0 then
  delay = function() return think end
end
"""


# ------------------------------------------------------------------ the streams


@dataclass
class Stream:
    """One kind of request: latency from its due time, service time, outcomes."""

    name: str
    latencies: list[float] = field(default_factory=list)  # ms, from the due time
    service: list[float] = field(default_factory=list)  # ms, from the request's start
    outcomes: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    first_due: float = 0.0
    last_done: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, due: float, started: float, ok: bool, outcome: str) -> None:
        done = time.monotonic()
        with self.lock:
            self.latencies.append((done - due) * 1000)
            self.service.append((done - started) * 1000)
            self.outcomes[outcome] += 1
            self.last_done = max(self.last_done, done)
            if not ok and len(self.errors) < 10:
                self.errors.append(outcome)

    @property
    def ok(self) -> int:
        return self.outcomes["ok"]

    @property
    def failed(self) -> int:
        return sum(self.outcomes.values()) - self.ok

    def rate(self) -> float:
        """Completed per second, from the first due time to the last answer."""
        span = self.last_done - self.first_due
        return self.ok / span if span > 0 else 0.0

    def percentile(self, p: float, values: list[float] | None = None) -> float:
        values = sorted(self.latencies if values is None else values)
        if not values:
            return float("nan")
        return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def request(port: int, method: str, path: str, *, cookie: str, body: str = "") -> tuple:
    """(status, Location) of one request on a new connection, as a new visitor's."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Cookie": cookie, "Accept-Encoding": "gzip, deflate, br, zstd"}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body or None, headers=headers)
        reply = connection.getresponse()
        reply.read()
        return reply.status, reply.getheader("Location", "")
    finally:
        connection.close()


def paced(
    rate: float, jobs: list, run_one, stream: Stream, *, threads: int, after: float = 0.0
) -> None:
    """Start each job at its due time (open loop), `rate` a second from `after` seconds on;
    wait for them all."""
    time.sleep(after)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        start = time.monotonic()
        stream.first_due = start
        for n, job in enumerate(jobs):
            due = start + n / rate
            time.sleep(max(0.0, due - time.monotonic()))
            pool.submit(run_one, job, due)


def sign(port: int, accounts: dict, stream: Stream, rng: random.Random):
    csrf = accounts["csrf"]
    commitments = accounts["commitments"]

    def one(session_key: str, due: float) -> None:
        chosen = rng.sample(commitments, rng.randint(1, len(commitments)))
        body = urlencode(
            [("csrfmiddlewaretoken", csrf)]
            + [("commitments", pk) for pk in chosen]
            + [("consent_candidacy", "on"), ("consent_publication", "on")]
        )
        started = time.monotonic()
        try:
            status, location = request(
                port,
                "POST",
                "/signer/",
                cookie=f"sessionid={session_key}; csrftoken={csrf}",
                body=body,
            )
        except (OSError, http.client.HTTPException) as error:
            stream.record(due, started, False, f"{type(error).__name__}")
            return
        ok = status == 302 and location.endswith("/mon-espace/")
        stream.record(due, started, ok, "ok" if ok else f"HTTP {status} {location}")

    return one


class Queue:
    """The moderators' queue: the run's pending signatures, oldest first, each taken once."""

    def __init__(self, url: str, users: list[int]):
        self.connection = psycopg2.connect(url)
        self.connection.autocommit = True
        self.users, self.taken = users, [0]
        self.lock = threading.Lock()

    def next(self) -> int | None:
        with self.lock, self.connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT signature.id FROM pledges_signature signature
                JOIN candidates_candidate candidate ON candidate.id = signature.candidate_id
                WHERE candidate.user_id = ANY(%s) AND signature.status = 'pending'
                  AND signature.id <> ALL(%s)
                ORDER BY signature.submitted_at, signature.id LIMIT 1
                """,
                [self.users, self.taken],
            )
            row = cursor.fetchone()
            if row is not None:
                self.taken.append(row[0])
            return row and row[0]


def approve(port: int, accounts: dict, queue: Queue, detail: Stream, stream: Stream):
    csrf = accounts["csrf"]
    moderators = accounts["moderators"]

    def one(n: int, due: float) -> None:
        cookie = f"sessionid={moderators[n % len(moderators)]}; csrftoken={csrf}"
        started = time.monotonic()
        pk = queue.next()
        if pk is None:
            stream.record(due, started, False, "no pending signature to approve")
            return
        base = f"/admin/pledges/signature/{pk}/"
        try:
            status, _ = request(port, "GET", f"{base}change/", cookie=cookie)
            detail.record(due, started, status == 200, "ok" if status == 200 else f"HTTP {status}")
            decided = time.monotonic()
            status, location = request(
                port,
                "POST",
                f"{base}decider/valider/",
                cookie=cookie,
                body=urlencode({"csrfmiddlewaretoken": csrf}),
            )
        except (OSError, http.client.HTTPException) as error:
            stream.record(due, started, False, f"{type(error).__name__}")
            return
        ok = status == 302 and location.endswith(f"{base}change/")
        stream.record(due, decided, ok, "ok" if ok else f"HTTP {status} {location}")

    return one


# ------------------------------------------------------------------ the queue and the sink


class Sink:
    """benchmarks/smtp_sink.py in its own process; counts the messages it receives."""

    def __init__(self, port: int):
        self.port = port
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "benchmarks" / "smtp_sink.py"), "--port", str(port)],
            stdout=subprocess.PIPE,
            # Its errors, if any, on the benchmark's own stderr.
            text=True,
            start_new_session=True,
        )
        if not self.process.stdout.readline().startswith("ready"):
            raise RuntimeError("the SMTP sink did not start")
        self.messages = 0
        self.recipients = 0
        self.reader = threading.Thread(target=self._count, daemon=True)
        self.reader.start()

    def _count(self) -> None:
        for line in self.process.stdout:
            _, recipients, _ = line.split()
            self.messages += 1
            self.recipients += int(recipients)


@dataclass
class Sample:
    at: float  # seconds since the mixed run started
    due: int  # jobs READY and due
    ready: int
    running: int
    successful: int
    failed: int
    total: int
    mails: int
    load: float


class QueueWatch(threading.Thread):
    """Every second: the job queue in PostgreSQL, the sink's count, the load average."""

    def __init__(self, url: str, sink: Sink, start: float):
        super().__init__(daemon=True)
        self.url, self.sink, self.start_time = url, sink, start
        self.samples: list[Sample] = []
        self.stopping = threading.Event()

    def sample(self, cursor) -> Sample:
        cursor.execute(QUEUE_SQL)
        return Sample(
            time.monotonic() - self.start_time,
            *cursor.fetchone(),
            mails=self.sink.messages,
            load=os.getloadavg()[0],
        )

    def run(self) -> None:
        with closing(psycopg2.connect(self.url)) as connection:
            connection.autocommit = True
            with connection.cursor() as cursor:
                while not self.stopping.is_set():
                    self.samples.append(self.sample(cursor))
                    self.stopping.wait(1.0)


WORKER_UNIT = ROOT / "config" / "deploy" / "coorace-worker.service"


def worker_niceness() -> int:
    """The unit's `Nice=` (0 if it sets none), so that the worker runs here as there."""
    found = re.search(r"^Nice=(-?\d+)$", WORKER_UNIT.read_text(), re.MULTILINE)
    return int(found.group(1)) if found else 0


def start_worker(env: dict, log_dir: Path) -> subprocess.Popen:
    """`manage.py db_worker` as config/deploy/coorace-worker.service runs it (its options and
    its niceness)."""
    niceness = worker_niceness()
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "1"],
        cwd=ROOT,
        env=env,
        stdout=open(log_dir / "db_worker.log", "w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=lambda: os.nice(niceness),
    )


def mail_env(port: int) -> dict[str, str]:
    """gunicorn's and the worker's e-mail settings: the sink, plain SMTP, staff told."""
    return {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_USE_TLS": "0",
        "EMAIL_USE_SSL": "0",
        "STAFF_NOTIFICATION_EMAILS": "moderation@bench.coorace.invalid",
    }


# ------------------------------------------------------------------ CPU


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a live process (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def with_children(pid: int) -> list[int]:
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [pid, *map(int, children.stdout.split())]


def cpu_snapshot(url: str, servers: dict[str, int]) -> dict[str, dict[int, float]]:
    """CPU seconds per process of each component: gunicorn, nginx (with their workers),
    the job worker, this database's PostgreSQL backends, and this process with wrk."""
    groups = {name: with_children(pid) for name, pid in servers.items()}
    with closing(psycopg2.connect(url)) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        groups["PostgreSQL"] = [pid for (pid,) in cursor.fetchall()]
    snapshot = {name: {pid: cpu_seconds(pid) for pid in pids} for name, pids in groups.items()}
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    snapshot["wrk"] = {0: children.ru_utime + children.ru_stime}
    snapshot["load generator"] = {0: time.process_time()}
    return snapshot


def cpu_used(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds each component used between two snapshots (a process that started in
    between counts from zero; one that ended in between is missed)."""
    return {
        name: sum(seconds - before.get(name, {}).get(pid, 0.0) for pid, seconds in pids.items())
        for name, pids in after.items()
    }


# ------------------------------------------------------------------ the run


def browse_script(paths: list[str], folder: Path, *, connections: int, rate: float) -> Path:
    """wrk's Lua: the pages in turn; with `rate`, each connection waits its share of it."""
    think = round(connections * 1000 / rate) if rate else 0
    script = folder / "browse.lua"
    script.write_text(BROWSE_LUA % (", ".join(json.dumps(path) for path in paths), think))
    return script


NO_BROWSING = {"rps": 0.0, "p50": 0.0, "p99": 0.0, "errors": 0, "error_kinds": {}}


def make_accounts(env: dict, options, folder: Path) -> dict:
    output = folder / "accounts.json"
    count = int(options.sign_rate * options.mixed_seconds * 1.1) + 10
    printed = subprocess.run(
        [
            sys.executable,
            "benchmarks/mixed_accounts.py",
            f"--candidates={count}",
            f"--prefix=mixed{int(time.time())}",
            f"--output={output}",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    print(printed.strip(), flush=True)
    return json.loads(output.read_text())


def checks(url: str, accounts: dict, since) -> dict:
    """What the database says after the run: signatures, approvals, jobs."""
    with closing(psycopg2.connect(url)) as connection, connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT signature.status, count(*) FROM pledges_signature signature
            JOIN candidates_candidate candidate ON candidate.id = signature.candidate_id
            WHERE candidate.user_id = ANY(%s) GROUP BY 1
            """,
            [accounts["candidate_users"]],
        )
        signed = dict(cursor.fetchall())
        cursor.execute(
            f"""SELECT task_path, status, count(*) FROM {JOBS_TABLE}
                WHERE enqueued_at >= %s GROUP BY 1, 2 ORDER BY 1, 2""",
            [since],
        )
        jobs = cursor.fetchall()
        cursor.execute(
            f"""SELECT task_path, exception_class_path, left(traceback, 2000) FROM {JOBS_TABLE}
                WHERE enqueued_at >= %s AND exception_class_path <> '' LIMIT 3""",
            [since],
        )
        failures = cursor.fetchall()
    return {"signed": signed, "jobs": jobs, "failures": failures}


def database_now(url: str):
    with closing(psycopg2.connect(url)) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        return cursor.fetchone()[0]


@dataclass
class Result:
    baseline: dict
    browsing: dict
    signing: Stream
    detail: Stream
    approving: Stream
    samples: list[Sample]
    drained_after: float | None  # seconds after the load stopped, None if not drained
    checked: dict
    sink_messages: int
    server_errors: int
    seconds: int
    load_before: tuple
    load_after: tuple
    cpu_run: dict[str, float]  # CPU seconds per component during the run
    cpu_drain: dict[str, float]  # and while the queue drained
    drain_seconds: float


def run(*, port: int, url: str, env: dict, options, pages: list[str], sink: Sink,
        folder: Path, run_wrk, gunicorn_log: Path, servers: dict[str, int]) -> Result:  # fmt: skip
    """The mixed run on servers started by load.py (see the module's docstring)."""
    accounts = make_accounts(env, options, folder)
    base = f"http://127.0.0.1:{port}"
    for path in pages:  # every page in nginx's cache first
        request(port, "GET", path, cookie="")
        request(port, "GET", path, cookie="")
    connections = options.browse_connections
    script = browse_script(pages, folder, connections=connections, rate=options.browse_rate)
    wrk = {"seconds": options.mixed_seconds, "connections": connections, "script": script}
    baseline = NO_BROWSING
    if connections:
        print(f"Browsing alone, {options.mixed_seconds} s…", flush=True)
        run_wrk(base + "/", **{**wrk, "seconds": 2})
        baseline = run_wrk(base + "/", **wrk)
        print(f"  {baseline['rps']:,.0f} req/s", flush=True)

    since = database_now(url)
    log_lines = len(gunicorn_log.read_text().splitlines())
    signing, detail, approving = Stream("signing"), Stream("detail"), Stream("approving")
    rng = random.Random(2020)
    signatures = accounts["candidates"][: int(options.sign_rate * options.mixed_seconds)]
    queue = Queue(url, accounts["candidate_users"])
    approve_seconds = options.mixed_seconds - APPROVALS_AFTER
    approvals = list(range(int(options.approve_rate * approve_seconds)))
    load_before = os.getloadavg()
    started = time.monotonic()
    watch = QueueWatch(url, sink, started)
    watch.start()
    browsing: dict = {}
    voters = threading.Thread(
        target=lambda: browsing.update(run_wrk(base + "/", **wrk) if connections else NO_BROWSING)
    )
    candidates = threading.Thread(
        target=paced,
        args=(options.sign_rate, signatures, sign(port, accounts, signing, rng), signing),
        kwargs={"threads": 64},
    )
    moderators = threading.Thread(
        target=paced,
        args=(
            options.approve_rate,
            approvals,
            approve(port, accounts, queue, detail, approving),
            approving,
        ),
        kwargs={"threads": 8, "after": APPROVALS_AFTER},
    )
    print(
        f"Mixed run, {options.mixed_seconds} s: browsing, {options.sign_rate:g} signatures "
        f"and {options.approve_rate:g} approvals a second, the queue…",
        flush=True,
    )
    cpu_start = cpu_snapshot(url, servers)
    detail.first_due = time.monotonic() + APPROVALS_AFTER
    for thread in (voters, candidates, moderators):
        thread.start()
    for thread in (voters, candidates, moderators):
        thread.join()
    stopped = time.monotonic()
    queue.connection.close()
    cpu_stop = cpu_snapshot(url, servers)
    load_after = os.getloadavg()
    drained_after = None
    while time.monotonic() - stopped < options.drain_seconds:
        time.sleep(0.5)
        last = watch.samples[-1] if watch.samples else None
        if last and last.at > stopped - started and last.due == 0 and last.running == 0:
            drained_after = max(0.0, last.at - (stopped - started))
            break
    cpu_drained = cpu_snapshot(url, servers)
    drain_seconds = time.monotonic() - stopped
    time.sleep(1.5)  # the last e-mails reach the sink
    watch.stopping.set()
    watch.join()
    new_lines = gunicorn_log.read_text().splitlines()[log_lines:]
    server_errors = sum(1 for line in new_lines if re.search(r'" 5\d\d ', line))
    return Result(
        baseline=baseline,
        browsing=browsing,
        signing=signing,
        detail=detail,
        approving=approving,
        samples=watch.samples,
        drained_after=drained_after,
        checked=checks(url, accounts, since),
        sink_messages=sink.messages,
        server_errors=server_errors,
        seconds=options.mixed_seconds,
        load_before=load_before,
        load_after=load_after,
        cpu_run=cpu_used(cpu_start, cpu_stop),
        cpu_drain=cpu_used(cpu_stop, cpu_drained),
        drain_seconds=drain_seconds,
    )


# ------------------------------------------------------------------ report


def _load(values: tuple) -> str:
    return " / ".join(f"{value:.2f}" for value in values)


def stream_row(name: str, stream: Stream, target: str) -> str:
    done = sum(stream.outcomes.values())
    return (
        f"| {name} | {stream.ok:,} of {done:,} | {stream.rate():.1f} | "
        f"{stream.percentile(50):,.0f} / {stream.percentile(95):,.0f} / "
        f"{stream.percentile(99):,.0f} / {max(stream.latencies, default=0):,.0f} ms | "
        f"{stream.percentile(99, stream.service):,.0f} ms | {stream.failed} | {target} |"
    )


def report(result: Result, options) -> list[str]:
    """Prints the tables; returns the targets missed."""
    baseline, browsing = result.baseline, result.browsing
    ratio = browsing["rps"] / baseline["rps"] if options.browse_connections else float("nan")
    print(
        f"\nMixed run: {result.seconds} s; load average (1, 5, 15 min) "
        f"{_load(result.load_before)} at the start, {_load(result.load_after)} at the end.\n"
    )
    print("| Voters (wrk over the public pages) | req/s | p50 / p99 | Errors |")
    print("|---|---:|---:|---:|")
    for name, run in (("Cached only, alone", baseline), ("During the mixed run", browsing)):
        kinds = ", ".join(f"{n} {kind}" for kind, n in run["error_kinds"].items()) or "0"
        print(f"| {name} | {run['rps']:,.0f} | {run['p50']:.1f} / {run['p99']:.1f} ms | {kinds} |")
    print(f"| Ratio | {ratio:.2f} | | |\n")
    print(
        "| Stream | Done | Per second | Latency from due time p50 / p95 / p99 / max "
        "| Service p99 | Failed | Target |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    print(
        stream_row(
            "Candidates: `POST /signer/`",
            result.signing,
            f"{options.sign_rate:g}/s offered, ≥ {TARGET_SIGN_RATE:g}/s, p99 < 500 ms",
        )
    )
    print(stream_row("Moderators: detail page", result.detail, ""))
    print(
        stream_row(
            "Moderators: « Valider »", result.approving, f"{options.approve_rate:g}/s offered"
        )
    )
    samples = result.samples
    print("\n| t (s) | Jobs due | Running | Done (total) | Failed | E-mails received | Load |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    step = max(1, len(samples) // 15)
    for sample in samples[::step] + ([samples[-1]] if (len(samples) - 1) % step else []):
        print(
            f"| {sample.at:.0f} | {sample.due:,} | {sample.running} | {sample.successful:,} "
            f"| {sample.failed} | {sample.mails:,} | {sample.load:.2f} |"
        )
    ran = result.signing.last_done - result.signing.first_due
    during = [s for s in samples if s.at <= ran]
    peak = max((s.due for s in during), default=0)
    drained = (
        f"drained {result.drained_after:.1f} s after the load stopped"
        if result.drained_after is not None
        else f"NOT drained {options.drain_seconds} s after the load stopped"
    )
    print(f"\nQueue: at most {peak:,} jobs due while the load ran ({ran:.0f} s); {drained}.")
    checked = result.checked
    jobs = ", ".join(
        f"{path.rsplit('.', 1)[-1]} {status} {n:,}" for path, status, n in checked["jobs"]
    )
    print(f"Jobs enqueued during the run: {jobs or 'none'}.")
    print(
        f"The run's signatures in the database: {checked['signed']}; approvals answered: "
        f"{result.approving.ok:,}; e-mails received by "
        f"the sink: {result.sink_messages:,}; 5xx in gunicorn's log: {result.server_errors}."
    )
    run_seconds = result.signing.last_done - result.signing.first_due
    print(
        f"\n| CPU (s) | During the run ({run_seconds:.0f} s) | While the queue drained "
        f"({result.drain_seconds:.0f} s) | Per signature (ms) |"
    )
    print("|---|---:|---:|---:|")
    signatures = max(1, result.signing.ok)
    for name, seconds in result.cpu_run.items():
        drain = result.cpu_drain.get(name, 0.0)
        each = (seconds + drain) * 1000 / signatures
        print(f"| {name} | {seconds:.1f} | {drain:.1f} | {each:.0f} |")
    # The site's share (not the load generator's): what a signature costs the two cores,
    # with its part of the browsing and the approvals of the run.
    site = [name for name in result.cpu_run if name not in ("wrk", "load generator")]
    run_total = sum(result.cpu_run[name] for name in site)
    drain_total = sum(result.cpu_drain.get(name, 0.0) for name in site)
    each_total = (run_total + drain_total) * 1000 / signatures
    share = (run_total + drain_total) / max(run_seconds + result.drain_seconds, 1)
    print(
        f"| the site (all but wrk and the load generator) | {run_total:.1f} | {drain_total:.1f} "
        f"| {each_total:.0f} |"
    )
    print(
        f"\nAt {each_total:.0f} ms of CPU per signature (browsing and approvals included), two "
        f"cores doing nothing else sign at most {2000 / max(each_total, 1):.0f} a second; the "
        f"site's processes had {share:.2f} of a core on average during the run and the drain."
    )
    for path, exception, traceback in checked["failures"]:
        print(f"Job failure: {path}: {exception}\n{traceback}")
    for stream in (result.signing, result.detail, result.approving):
        for error in stream.errors:
            print(f"{stream.name}: {error}")

    missed = []
    if options.browse_connections and ratio < TARGET_BROWSE_RATIO:
        missed.append(f"browsing at {ratio:.2f} of its cached-only throughput (target 0.8)")
    if browsing["errors"] or baseline["errors"]:
        missed.append(f"browsing errors: {browsing['error_kinds']} {baseline['error_kinds']}")
    signing = result.signing
    if signing.rate() < min(TARGET_SIGN_RATE, options.sign_rate) * 0.97:
        missed.append(f"signing at {signing.rate():.1f}/s (target ≥ {TARGET_SIGN_RATE:g})")
    if signing.percentile(99) >= TARGET_SIGN_P99_MS:
        missed.append(f"signing p99 {signing.percentile(99):.0f} ms (target < 500)")
    for stream in (signing, result.detail, result.approving):
        if stream.failed:
            missed.append(f"{stream.name}: {stream.failed} failed")
    expected = {"pending": signing.ok - result.approving.ok, "approved": result.approving.ok}
    if {status: n for status, n in checked["signed"].items() if n} != {
        status: n for status, n in expected.items() if n
    }:
        missed.append(f"signatures recorded {checked['signed']}, answered {expected}")
    if result.drained_after is None:
        missed.append("the job queue did not drain")
    failed_jobs = sum(n for _, status, n in checked["jobs"] if status != "SUCCESSFUL")
    if failed_jobs:
        missed.append(f"{failed_jobs} jobs not successful")
    deliveries = sum(
        n for path, status, n in checked["jobs"] if ".deliver_" in path and status == "SUCCESSFUL"
    )
    if result.sink_messages != deliveries:
        missed.append(f"{result.sink_messages} e-mails received for {deliveries} delivery jobs")
    if result.server_errors:
        missed.append(f"{result.server_errors} responses 5xx in gunicorn's log")
    return missed
