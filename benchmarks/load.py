"""Throughput and latency of the public pages under load, against a minimal « hello » view.

Usage: .venv/bin/python benchmarks/load.py [--signatories 50000] [--duration 10]
       [--connections 16] [--rounds 2] [--connection-close] [--worker-recycling]
       [--churn SECONDS] [--postgres URL] [--redis-db 13]

1. Creates a scratch PostgreSQL database (coorace_load_bench), migrates it, imports the
   communes, loads the charter, seeds the demo signatories (`seed_demo --commitments-mean
   10`: about 500,000 signed commitments for 50,000 signatories), vacuums and analyses it,
   and collects the static files into a temporary folder.
2. Starts gunicorn with config/deploy/gunicorn.conf.py (two workers per core, plus one) on
   a free port of 127.0.0.1, with production settings (DJANGO_DEBUG=0, the Redis cache on
   database --redis-db, flushed first) and DJANGO_ROOT_URLCONF=benchmarks.hello_urls, which
   adds /hello/ (the smallest Django page) to the site for this run only.
3. Measures, in --rounds rounds (the second in reverse order, so that slow drifts of the
   machine's load even out): /hello/, the home page, the commune with the most approved
   signatories, its département, one of its signatories' pages, the commune search API,
   the CSV export, and /hello/<size>/ with a body as large as the CSV export as served.
   For each: the cache is flushed and one request timed (« cold »: nothing cached), then
   a warm-up and `wrk -t2 -c16 -d10s --latency`, with the `Accept-Encoding` browsers send
   (`gzip, deflate, br, zstd`). Prints a markdown table: mean requests per second over
   the rounds, the ratio to /hello/, and the worst p50, p90 and p99 seen.
4. Stops gunicorn, flushes the Redis database and drops the scratch database, even after a
   failure. Exits with status 1 if a target is missed (every page at least half of
   /hello/'s throughput, p99 under 100 ms, no error).

--churn SECONDS renews the public version every SECONDS during each measured run, as a
moderation decision does: every stored page goes stale and is rendered again. The targets
are for the steady state; with --churn the script reports and does not judge.

gunicorn's worker recycling (max_requests) is off unless --worker-recycling: at this
benchmark's rate it would restart every worker every half-minute.
--connection-close sends `Connection: close`, as nginx does to gunicorn with the
deployment's configuration (one upstream connection per request); by default wrk keeps
its 16 connections open, each served by the worker that accepted it.

Only 127.0.0.1 is contacted. Needs Debian's wrk (`apt-get install wrk`); says so and exits
with status 1 without it. About five minutes on two cores.
"""

import argparse
import os
import pickle
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import redis

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = "coorace_load_bench"
VENV_BIN = Path(sys.executable).parent
WARM_UP_SECONDS = 2
START_TIMEOUT = 60
TARGET_RATIO = 0.5
TARGET_P99_MS = 100.0
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
# pledges.directory.queries' version key as Django's Redis cache stores it
# (KEY_PREFIX "", version 1).
VERSION_KEY = ":1:directory:version"
# What Firefox and Chrome send.
ACCEPT_ENCODING = "gzip, deflate, br, zstd"


@dataclass
class Page:
    name: str
    path: str
    size: int = 0  # bytes as served (gzipped when the page is)
    cold_ms: list[float] = field(default_factory=list)
    runs: list[dict] = field(default_factory=list)

    @property
    def requests_per_second(self) -> float:
        return statistics.mean(run["rps"] for run in self.runs)

    def worst(self, name: str) -> float:
        return max(run[name] for run in self.runs)

    def each(self, name: str) -> str:
        return " / ".join(f"{run[name]:.0f}" for run in self.runs)

    @property
    def errors(self) -> int:
        return sum(run["errors"] for run in self.runs)


# ------------------------------------------------------------------ set-up


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(
    database_url: str, cache_url: str, static_root: str, *, recycle: bool
) -> dict[str, str]:
    """Production settings, reachable over plain HTTP on 127.0.0.1."""
    return {
        **os.environ,
        # The production setting recycles a worker every 20,000 requests or so: every
        # half-minute at this benchmark's rate, a hundred times as often as the site's
        # traffic would. Off unless asked, so that the figures are those of serving.
        **({} if recycle else {"GUNICORN_MAX_REQUESTS": "0"}),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ROOT_URLCONF": "benchmarks.hello_urls",
        "DJANGO_STATIC_ROOT": static_root,
        "DJANGO_LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url,
        "CACHE_URL": cache_url,
        "SITE_URL": "http://127.0.0.1",
    }


def manage(*args: str, env: dict[str, str]) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def prepare_database(url: str, env: dict[str, str], signatories: int) -> None:
    started = time.perf_counter()
    manage("migrate", "--noinput", env=env)
    manage("import_communes", env=env)
    manage("load_charter", env=env)
    print(f"Seeding {signatories:,} demo signatories…", flush=True)
    seeded = manage(
        "seed_demo",
        *("--signatories", str(signatories), "--seed", "2020", "--commitments-mean", "10"),
        env=env,
    )
    print(*seeded.strip().splitlines()[-3:], sep="\n")
    manage("collectstatic", "--noinput", env=env)
    # Otherwise autovacuum analyses the new rows, and a checkpoint writes them, while the
    # first pages are measured.
    with closing(psycopg2.connect(url)) as connection:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
            cursor.execute("CHECKPOINT")
    print(f"Database and static files ready in {time.perf_counter() - started:.0f} s.")


def pick_pages(url: str) -> tuple[list[Page], dict[str, int]]:
    """The busiest commune (most approved signatories), its département, one of its signatories."""
    with closing(psycopg2.connect(url)) as connection, connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT commune.insee_code, commune.name, commune.departement_id, count(*)
            FROM pledges_signature pledge
            JOIN candidates_candidate candidate ON candidate.id = pledge.candidate_id
            JOIN communes_commune commune ON commune.id = candidate.commune_id
            WHERE pledge.status = 'approved'
            GROUP BY commune.id ORDER BY count(*) DESC, commune.insee_code LIMIT 1
            """
        )
        insee_code, commune_name, departement, busiest = cursor.fetchone()
        cursor.execute(
            """
            SELECT pledge.id FROM pledges_signature pledge
            JOIN candidates_candidate candidate ON candidate.id = pledge.candidate_id
            JOIN communes_commune commune ON commune.id = candidate.commune_id
            WHERE pledge.status = 'approved' AND commune.insee_code = %s
            ORDER BY pledge.id LIMIT 1
            """,
            [insee_code],
        )
        (signatory,) = cursor.fetchone()
        counts = {}
        for name, sql in {
            "pledges": "SELECT count(*) FROM pledges_signature",
            "approved": "SELECT count(*) FROM pledges_signature WHERE status = 'approved'",
            "signatures": "SELECT count(*) FROM pledges_signedcommitment",
        }.items():
            cursor.execute(sql)
            counts[name] = cursor.fetchone()[0]
    pages = [
        Page("« hello » (the ceiling)", "/hello/"),
        Page("Home", "/"),
        Page(f"Commune: {commune_name}, {busiest:,} signatories", f"/communes/{insee_code}/"),
        Page(f"Département {departement}", f"/departements/{departement}/"),
        Page("Candidate (signatory page)", f"/signataires/{signatory}/"),
        Page("Commune search API", "/api/communes/?q=saint"),
        Page("Open data CSV export", "/donnees/signataires.csv"),
    ]
    return pages, counts


# ------------------------------------------------------------------ the server


def start_server(env: dict[str, str], port: int, log) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-c", "config/deploy/gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/hello/", timeout=2) as reply:
                if reply.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within a minute")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # gunicorn's graceful shutdown of its workers
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# ------------------------------------------------------------------ measuring


def fetch(url: str) -> tuple[float, int]:
    """One request as a browser makes it: (milliseconds, bytes received); a 200 or fail."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": ACCEPT_ENCODING})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as reply:
        body = reply.read()
        if reply.status != 200:
            raise RuntimeError(f"{url}: HTTP {reply.status}")
    return (time.perf_counter() - started) * 1000, len(body)


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS_MS[unit]


def run_wrk(url: str, *, seconds: int, connections: int, close: bool) -> dict:
    headers = ["-H", f"Accept-Encoding: {ACCEPT_ENCODING}"]
    headers += ["-H", "Connection: close"] if close else []
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    output = subprocess.run(
        [*command, *headers, url],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    ).stdout
    percentiles = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    if set(percentiles) != {"50", "75", "90", "99"}:
        raise RuntimeError(f"wrk printed no latency distribution:\n{output}")
    # « Socket errors: connect 0, read 1, write 0, timeout 0 » and non-2xx responses.
    kinds = dict(re.findall(r"\b(connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        kinds["non-2xx"] = non_2xx[1]
    error_kinds = {kind: int(count) for kind, count in kinds.items() if int(count)}
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        "p50": _ms(percentiles["50"]),
        "p90": _ms(percentiles["90"]),
        "p99": _ms(percentiles["99"]),
        "errors": sum(error_kinds.values()),
        "error_kinds": error_kinds,
    }


def _is_ours(pid: str, name: str) -> bool:
    """Whether a process is part of the benchmark: gunicorn, wrk, Redis, our PostgreSQL."""
    if pid == str(os.getpid()) or name in {"wrk", "redis-server"}:
        return True
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            command = cmdline.read()
    except OSError:
        return False
    if name == "postgres":  # the server's own processes, or a backend of our database
        return SCRATCH.encode() in command or b"(" not in command
    return b"gunicorn" in command


def cpu_seconds_of_others() -> float:
    """CPU time used so far by the processes that are not part of the benchmark."""
    ticks = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                data = stat.read()
        except OSError:  # gone meanwhile
            continue
        name = data[data.index("(") + 1 : data.rindex(")")]
        if not _is_ours(entry.name, name):
            fields = data[data.rindex(")") + 2 :].split()
            ticks += int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


class Churn(threading.Thread):
    """Renews the public version every `interval` seconds, as moderation decisions do."""

    def __init__(self, cache: redis.Redis, interval: float):
        super().__init__(daemon=True)
        self.cache, self.interval = cache, interval
        self.stopped = threading.Event()
        self.renewals = 0

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            self.cache.set(VERSION_KEY, pickle.dumps(uuid.uuid4().hex))
            self.renewals += 1

    def stop(self) -> int:
        self.stopped.set()
        self.join()
        return self.renewals


def measure(page: Page, base: str, cache: redis.Redis, options) -> None:
    cache.flushdb()  # nothing cached: no page, no counter, a new public version
    cold_ms, size = fetch(base + page.path)
    page.cold_ms.append(cold_ms)
    page.size = size
    arguments = {"connections": options.connections, "close": options.connection_close}
    run_wrk(base + page.path, seconds=WARM_UP_SECONDS, **arguments)
    others = cpu_seconds_of_others()
    churn = Churn(cache, options.churn) if options.churn else None
    if churn is not None:
        churn.start()
    run = run_wrk(base + page.path, seconds=options.duration, **arguments)
    if churn is not None:
        run["renewals"] = churn.stop()
    # Share of one CPU the other processes took during the run.
    run["others"] = (cpu_seconds_of_others() - others) / options.duration
    page.runs.append(run)


# ------------------------------------------------------------------ report


def machine() -> str:
    model = "unknown CPU"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.machine()}, {os.cpu_count()} CPUs ({model}), {memory:.0f} GiB, "
        f"Python {platform.python_version()}"
    )


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def size_text(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.2f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.0f} kB"
    return f"{size} B"


def print_table(pages: list[Page], options) -> None:
    hello = pages[0].requests_per_second
    keep = "one connection per request" if options.connection_close else "keep-alive"
    keep += ", worker recycling " + ("on" if options.worker_recycling else "off")
    print(
        f"\n`wrk -t2 -c{options.connections} -d{options.duration}s --latency`, "
        f"`Accept-Encoding: {ACCEPT_ENCODING}`, {keep}; {options.rounds} round(s) after a "
        f"{WARM_UP_SECONDS} s warm-up each: mean req/s, worst latency percentiles. "
        "Cold: the first request after the cache was flushed (fastest of the rounds). "
        "Others' CPU: the most any run saw other processes take, in share of one CPU."
    )
    if options.churn:
        renewals = sum(run["renewals"] for page in pages for run in page.runs)
        print(
            f"Churn: the public version renewed every {options.churn:g} s during the "
            f"measured runs ({renewals} times in all), as a moderation decision does."
        )
    print()
    print(
        "| Page | Size | Cold | Req/s | Ratio to hello | p50 | p90 | p99 | p99 of each run "
        "| Others' CPU |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for page in pages:
        kinds = ", ".join(
            f"{count} {kind}" for run in page.runs for kind, count in run["error_kinds"].items()
        )
        errors = f" (errors: {kinds})" if page.errors else ""
        print(
            f"| {page.name} `{page.path}`{errors} | {size_text(page.size)} "
            f"| {min(page.cold_ms):,.0f} ms | {page.requests_per_second:,.0f} "
            f"| {page.requests_per_second / hello:.2f} | {page.worst('p50'):.1f} ms "
            f"| {page.worst('p90'):.1f} ms | {page.worst('p99'):.1f} ms "
            f"| {page.each('p99')} ms "
            f"| {page.worst('others'):.0%} |"
        )
    runs = ", ".join(f"{run['rps']:,.0f}" for run in pages[0].runs)
    print(f"\n/hello/ runs: {runs} req/s.")


def missed_targets(pages: list[Page], *, same_size: Page) -> list[str]:
    """The public pages' misses (the two « hello » are the references)."""
    hello = pages[0].requests_per_second
    missed = []
    for page in pages[1:]:
        if page is same_size:
            continue
        ratio = page.requests_per_second / hello
        if ratio < TARGET_RATIO:
            missed.append(f"{page.path}: {ratio:.2f} of /hello/'s throughput (target 0.5)")
        if page.worst("p99") >= TARGET_P99_MS:
            missed.append(f"{page.path}: p99 {page.worst('p99'):.1f} ms (target < 100 ms)")
        if page.errors:
            missed.append(f"{page.path}: {page.errors} errors")
    return missed


# ------------------------------------------------------------------ main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signatories", type=int, default=50_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connection-close", action="store_true")
    parser.add_argument(
        "--worker-recycling",
        action="store_true",
        help="keep gunicorn's max_requests (config/deploy/gunicorn.conf.py)",
    )
    parser.add_argument(
        "--churn",
        type=float,
        default=0,
        metavar="SECONDS",
        help="renew the public version this often during each run (0: never)",
    )
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-db", type=int, default=13, help="flushed before and after")
    options = parser.parse_args()
    if not (1 <= options.duration <= 60 and 1 <= options.connections <= 256):
        parser.error("--duration must be 1..60 seconds and --connections 1..256")
    if not 1 <= options.rounds <= 5:
        parser.error("--rounds must be 1..5")
    if options.churn and not 0.5 <= options.churn <= options.duration:
        parser.error("--churn must be 0 (off) or 0.5 seconds up to --duration")
    if shutil.which("wrk") is None:
        print("wrk is not installed: `apt-get install wrk` (Debian), then run this again.")
        return 1

    print(f"Machine: {machine()}; load average before: {load_average()}")
    cache = redis.Redis(host="127.0.0.1", port=6379, db=options.redis_db)
    cache.flushdb()
    admin = psycopg2.connect(options.postgres, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SHOW server_version")
        print(f"PostgreSQL {cursor.fetchone()[0]}")
        cursor.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {SCRATCH}")
    url = options.postgres.rsplit("/", 1)[0] + f"/{SCRATCH}"
    static_root = tempfile.mkdtemp(prefix="coorace-load-static-")
    log_path = Path(static_root).with_suffix(".gunicorn.log")
    env = server_env(
        url,
        f"redis://127.0.0.1:6379/{options.redis_db}",
        static_root,
        recycle=options.worker_recycling,
    )
    server = None
    try:
        prepare_database(url, env, options.signatories)
        pages, counts = pick_pages(url)
        print(
            f"{counts['pledges']:,} signatories ({counts['approved']:,} approved), "
            f"{counts['signatures']:,} signed commitments."
        )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with open(log_path, "w") as log:
            server = start_server(env, port, log)
            workers = subprocess.run(
                ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
            ).stdout.split()
            print(f"gunicorn: {len(workers)} workers on {base}; measuring…", flush=True)
            # The ceiling for a response as large as the CSV export as served: measured
            # after it, once its size is known.
            csv = pages[-1]
            same_size = Page("« hello », as large as the CSV", "")
            pages.append(same_size)
            for round_number in range(options.rounds):
                for page in pages if round_number % 2 == 0 else pages[::-1]:
                    if page is same_size:
                        page.path = f"/hello/{csv.size}/"
                    measure(page, base, cache, options)
                    print(
                        f"  {page.path}: {page.runs[-1]['rps']:,.0f} req/s; other processes "
                        f"used {page.runs[-1]['others']:.0%} of a CPU meanwhile",
                        flush=True,
                    )
    except BaseException:
        print(f"Failed; gunicorn's log: {log_path}", file=sys.stderr)
        raise
    finally:
        if server is not None:
            stop_server(server)
        cache.flushdb()
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
        admin.close()
        shutil.rmtree(static_root, ignore_errors=True)

    log = log_path.read_text()
    boots = log.count("Booting worker")
    if any(page.errors for page in pages):
        server_errors = len(re.findall(r'" 5\d\d ', log))
        print(f"gunicorn's log, kept: {log_path} ({server_errors} responses 5xx in it).")
    else:
        log_path.unlink()
    print_table(pages, options)
    print(f"gunicorn workers started: {boots} (the first {len(workers)}, then recycled ones).")
    print(f"Load average after: {load_average()}")
    # The targets are for the steady state; under churn the figures are for information.
    missed = [] if options.churn else missed_targets(pages, same_size=same_size)
    for target in missed:
        print(f"Target missed: {target}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
