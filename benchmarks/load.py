"""The public pages under load, served as production serves them, against static files.

Usage: .venv/bin/python benchmarks/load.py [--signatories 50000] [--duration 10]
       [--connections 64] [--rounds 1] [--keep-database] [--postgres URL] [--redis-db 13]
       [--database coorace_bench_load] [--template DATABASE] [--redis-port 6379] [--mixed …]

wrk → nginx with the shipped configuration → gunicorn (config/deploy/gunicorn.conf.py,
production settings) → PostgreSQL and Redis:

1. A scratch PostgreSQL database, coorace_bench_load: migrated, the communes imported, the
   charter loaded, --signatories demo signatories seeded (benchmarks/bulk_seed.py when it is
   there, else `manage.py seed_demo`; `--seed 2020 --commitments-mean 10`), vacuumed and
   analysed; the static files collected into a temporary folder. --keep-database keeps it
   after the run and reuses it next time (when it holds as many signatories). --template
   copies a database seeded before instead (`CREATE DATABASE … TEMPLATE`, seconds): a
   fresh one for each run, without seeding again (--keep-database keeps the seeded one).
2. gunicorn with config/deploy/gunicorn.conf.py (two workers per core, plus one; its
   production worker recycling) on a free port of 127.0.0.1, DJANGO_DEBUG=0, the Redis
   cache on database --redis-db (flushed before and after).
3. Debian's nginx in a temporary prefix, on 127.0.0.1, wired as config/deploy/nginx.conf
   wires it and including the same files: config/deploy/nginx/http.conf, cache.conf in the
   public location, compress.conf and brotli.conf (when Debian's module is installed) in
   the internal compressing server; `worker_processes auto` and an access log, as Debian's
   own nginx.conf. Two additions of the benchmark's own: requests carrying
   `X-Bench-Miss: 1` bypass the cache (as a signed-in visitor's do), and /same-size/ serves
   static files.
4. For each page (home, Paris, its département, one of its signatories, the commune
   search API, the CSV export), with the `Accept-Encoding` browsers send
   (`gzip, deflate, br, zstd`):
   - cold: the Redis cache flushed, one request through nginx with X-Bench-Miss (a full
     render, counters included);
   - the page fetched once more into the cache (nginx stores it compressed), and its body
     as served written to /same-size/ as a file of exactly as many bytes
     (application/octet-stream: nginx sends it as it is, with sendfile);
   - `wrk -t2 -c<connections> -d<duration>s --latency` after a 2-second warm-up, on the
     cached page and on its same-size static file (in turns: the file first every other
     round);
   - once every page is measured so, the same on each page with X-Bench-Miss: every
     request rendered by gunicorn (last, because a page slower to render than a run is
     long keeps gunicorn busy after its run with the requests wrk gave up on).
   Pages and static files share the machine and the same wrk: the ratio of their
   throughputs is what the proxy and its cache cost over serving a file.
5. Prints a markdown table; exits with status 1 if a target is missed: each cached page at
   least 0.8 of its static file's throughput, p99 under 50 ms, no error. The figures when
   every request misses the cache are reported, not judged.

With --mixed, instead of step 4, the mixed run of benchmarks/mixed_load.py: voters
browsing, candidates signing, moderators approving and the job queue sending e-mails to an
SMTP sink, all at once (see that module; --mixed-seconds, --sign-rate, --approve-rate,
--browse-connections, --browse-rate, --drain-seconds).

Stops wrk, nginx and gunicorn, and drops the database (unless --keep-database), even after
a failure. Only 127.0.0.1 is contacted. Needs Debian's nginx and wrk (`apt-get install nginx
wrk`), a local Redis and PostgreSQL; says what is missing and exits with status 1 without
them. About four minutes per round on two cores, plus a minute of seeding.
"""

import argparse
import http.client
import os
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
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import mixed_load
import psycopg2
import redis

ROOT = Path(__file__).resolve().parent.parent
SNIPPETS = ROOT / "config" / "deploy" / "nginx"
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so")
SCRATCH = "coorace_bench_load"
VENV_BIN = Path(sys.executable).parent
WARM_UP_SECONDS = 2
START_TIMEOUT = 60
TARGET_RATIO = 0.8
TARGET_P99_MS = 50.0
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
# What Firefox and Chrome send.
ACCEPT_ENCODING = "gzip, deflate, br, zstd"
MISS = {"X-Bench-Miss": "1"}


@dataclass
class Page:
    name: str
    path: str
    size: int = 0  # body bytes as served (compressed when the page is)
    encoding: str = ""
    cold_ms: list[float] = field(default_factory=list)
    cached: list[dict] = field(default_factory=list)
    static: list[dict] = field(default_factory=list)
    missed: list[dict] = field(default_factory=list)

    @property
    def static_path(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.path.lower()).strip("-")
        return f"/same-size/{slug or 'home'}"

    @property
    def ratio(self) -> float:
        return mean_rps(self.cached) / mean_rps(self.static)


def mean_rps(runs: list[dict]) -> float:
    return statistics.mean(run["rps"] for run in runs)


def worst(runs: list[dict], name: str) -> float:
    return max(run[name] for run in runs)


def errors(runs: list[dict]) -> int:
    return sum(run["errors"] for run in runs)


# ------------------------------------------------------------------ set-up


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(database_url: str, cache_url: str, static_root: str) -> dict[str, str]:
    """Production settings, reachable over plain HTTP on 127.0.0.1 (nginx without TLS)."""
    return {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_STATIC_ROOT": static_root,
        "DJANGO_LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url,
        "CACHE_URL": cache_url,
        "SITE_URL": "http://127.0.0.1",
    }


def run(*command: str, env: dict[str, str]) -> str:
    return subprocess.run(
        command, cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def manage(*args: str, env: dict[str, str]) -> str:
    return run(sys.executable, "manage.py", *args, env=env)


def signatories_in(url: str) -> int:
    with closing(psycopg2.connect(url)) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pledges_signature")
        return cursor.fetchone()[0]


def prepare_database(url: str, env: dict[str, str], signatories: int) -> None:
    started = time.perf_counter()
    manage("migrate", "--noinput", env=env)
    manage("import_communes", env=env)
    manage("load_charter", env=env)
    seed = ("--signatories", str(signatories), "--seed", "2020", "--commitments-mean", "10")
    if (ROOT / "benchmarks" / "bulk_seed.py").exists():
        print(f"Seeding {signatories:,} demo signatories (benchmarks/bulk_seed.py)…", flush=True)
        seeded = run(sys.executable, "benchmarks/bulk_seed.py", *seed, env=env)
    else:
        print(f"Seeding {signatories:,} demo signatories (seed_demo)…", flush=True)
        seeded = manage("seed_demo", *seed, env=env)
    print(*seeded.strip().splitlines()[-2:], sep="\n")
    # Otherwise autovacuum analyses the new rows, and a checkpoint writes them, while the
    # first pages are measured.
    with closing(psycopg2.connect(url)) as connection:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
            cursor.execute("CHECKPOINT")
    print(f"Database ready in {time.perf_counter() - started:.0f} s.")


def pick_pages(url: str) -> tuple[list[Page], dict[str, int]]:
    """Paris (75056), its département, one of its signatories; the counts of the data set."""
    with closing(psycopg2.connect(url)) as connection, connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT signature.id FROM pledges_signature signature
            JOIN candidates_candidate candidate ON candidate.id = signature.candidate_id
            JOIN communes_commune commune ON commune.id = candidate.commune_id
            WHERE signature.status = 'approved' AND commune.insee_code = '75056'
            ORDER BY signature.id
            """
        )
        paris = [row[0] for row in cursor.fetchall()]
        if not paris:
            raise RuntimeError("no approved signatory in Paris (75056): seed more")
        counts = {}
        for name, sql in {
            "signatures": "SELECT count(*) FROM pledges_signature",
            "approved": "SELECT count(*) FROM pledges_signature WHERE status = 'approved'",
            "commitments": "SELECT count(*) FROM pledges_signedcommitment",
        }.items():
            cursor.execute(sql)
            counts[name] = cursor.fetchone()[0]
    pages = [
        Page("Home", "/"),
        Page(f"Commune: Paris, {len(paris):,} signatories", "/communes/75056/"),
        Page("Département 75", "/departements/75/"),
        Page("Signatory page", f"/signataires/{paris[0]}/"),
        Page("Commune search API", "/api/communes/?q=saint"),
        Page("Open data CSV export", "/donnees/signataires.csv"),
    ]
    return pages, counts


# ------------------------------------------------------------------ the servers


def wait_for(port: int, path: str, process: subprocess.Popen, name: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with status {process.returncode}")
        try:
            if fetch(port, path)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{name} did not answer within {START_TIMEOUT} s")


def start_gunicorn(env: dict[str, str], port: int, log) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-c", "config/deploy/gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_for(port, "/", server, "gunicorn")
    return server


def nginx_configuration(prefix: Path, *, app_port: int, port: int) -> str:
    """config/deploy/nginx.conf's wiring on 127.0.0.1, with the benchmark's two additions."""
    brotli = BROTLI_MODULE.exists()
    compressor_port = free_port()
    return f"""
{f"load_module {BROTLI_MODULE};" if brotli else ""}
worker_processes auto;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    sendfile on;
    tcp_nopush on;
    include /etc/nginx/mime.types;
    access_log {prefix}/access.log combined buffer=64k;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {SNIPPETS}/http.conf;
    proxy_cache_path {prefix}/cache levels=1:2 keys_zone=coorace:20m max_size=1g
                     inactive=10m use_temp_path=off;
    upstream coorace_app {{
        server 127.0.0.1:{app_port};
        keepalive 16;
        keepalive_timeout 1s;
    }}
    upstream coorace_compressor {{ server 127.0.0.1:{compressor_port}; keepalive 16; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            include {SNIPPETS}/cache.conf;
            # The benchmark's: every request that says so misses the cache.
            proxy_cache_bypass $http_x_bench_miss;
            proxy_no_cache $http_x_bench_miss;
        }}
        # The benchmark's: files as large as each page as served, sent as they are.
        location /same-size/ {{
            alias {prefix}/same-size/;
            default_type application/octet-stream;
            types {{ }}
        }}
    }}
    server {{
        listen 127.0.0.1:{compressor_port};
        include {SNIPPETS}/compress.conf;
        {f"include {SNIPPETS}/brotli.conf;" if brotli else ""}
    }}
}}
"""


def start_nginx(prefix: Path, *, app_port: int, port: int) -> subprocess.Popen:
    (prefix / "same-size").mkdir()
    conf = prefix / "nginx.conf"
    conf.write_text(nginx_configuration(prefix, app_port=app_port, port=port))
    command = ["nginx", "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")]
    subprocess.run([*command, "-t"], check=True, capture_output=True)
    server = subprocess.Popen(command, start_new_session=True)
    wait_for(port, "/", server, "nginx")
    return server


def stop(process: subprocess.Popen | None) -> None:
    """SIGTERM: gunicorn's graceful shutdown, nginx's fast one; then SIGKILL if need be."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# ------------------------------------------------------------------ measuring


def fetch(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """One request as a browser makes it: (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request(
            "GET", path, headers={"Accept-Encoding": ACCEPT_ENCODING, **(headers or {})}
        )
        reply = connection.getresponse()
        return reply.status, dict(reply.headers), reply.read()
    finally:
        connection.close()


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS_MS[unit]


def run_wrk(
    url: str, *, seconds: int, connections: int, headers: dict | None = None, script=None
) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script is not None:  # Lua that picks each request's path
        command += ["-s", str(script)]
    for name, value in {"Accept-Encoding": ACCEPT_ENCODING, **(headers or {})}.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 30
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
        "requests": int(re.search(r"(\d+) requests in", output)[1]),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        "p50": _ms(percentiles["50"]),
        "p99": _ms(percentiles["99"]),
        "errors": sum(error_kinds.values()),
        "error_kinds": error_kinds,
    }


def load(url: str, options, headers: dict | None = None) -> dict:
    arguments = {"connections": options.connections, "headers": headers}
    run_wrk(url, seconds=WARM_UP_SECONDS, **arguments)
    return run_wrk(url, seconds=options.duration, **arguments)


def cache_status(port: int, path: str) -> str:
    return fetch(port, path)[1].get("X-Cache-Status", "")


def measure(page: Page, port: int, prefix: Path, cache: redis.Redis, options) -> None:
    base = f"http://127.0.0.1:{port}"
    cache.flushdb()  # no counter cached: the cold request renders everything
    started = time.perf_counter()
    status, _, _ = fetch(port, page.path, MISS)
    page.cold_ms.append((time.perf_counter() - started) * 1000)
    if status != 200:
        raise RuntimeError(f"{page.path}: HTTP {status}")
    # Into the cache, fresh: a MISS stores it; a copy left by the previous round is STALE,
    # and the next answers are the old copy until the background update lands.
    deadline = time.monotonic() + START_TIMEOUT
    while (headers := fetch(port, page.path)[1]).get("X-Cache-Status") != "HIT":
        if time.monotonic() > deadline:
            raise RuntimeError(f"{page.path}: not cached ({headers.get('X-Cache-Status')})")
        time.sleep(0.2)
    _, headers, body = fetch(port, page.path)
    page.size, page.encoding = len(body), headers.get("Content-Encoding", "")
    (prefix / page.static_path.lstrip("/")).write_bytes(body)

    # Cached and static one after the other, in turns (slow drifts of the machine's load
    # then weigh on both), then the misses.
    pair = [(page.cached, page.path), (page.static, page.static_path)]
    for runs, path in pair if len(page.cached) % 2 == 0 else pair[::-1]:
        runs.append(load(base + path, options))
    # The cached run stayed within the page's minute, or nginx served it stale meanwhile:
    # either way from the cache.
    if cache_status(port, page.path) not in {"HIT", "STALE", "UPDATING"}:
        raise RuntimeError(f"{page.path}: no longer answered from the cache")


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


def versions() -> str:
    nginx = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip()
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    return f"{nginx.removeprefix('nginx version: ')}, {wrk.split(' [')[0].strip()}"


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def size_text(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.2f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.0f} kB"
    return f"{size} B"


def error_text(runs: list[dict]) -> str:
    kinds = ", ".join(f"{n} {kind}" for run in runs for kind, n in run["error_kinds"].items())
    return f" (errors: {kinds})" if kinds else ""


def miss_latency(page: Page) -> str:
    """wrk's percentiles of the misses, or how many runs had none completed in time."""
    empty = sum(1 for run in page.missed if not run["requests"])
    if empty:
        return f"none answered in {empty} run(s) of {len(page.missed)}"
    return f"{worst(page.missed, 'p50'):,.0f} / {worst(page.missed, 'p99'):,.0f} ms"


def print_table(pages: list[Page], options) -> None:
    print(
        f"\n`wrk -t2 -c{options.connections} -d{options.duration}s --latency`, "
        f"`Accept-Encoding: {ACCEPT_ENCODING}`, after a {WARM_UP_SECONDS} s warm-up; "
        f"{options.rounds} round(s): mean req/s, worst p50/p99. Size: the body as served "
        "(and its encoding); the static file has as many bytes. Cold: one request with "
        "the Redis cache flushed, rendered by gunicorn (fastest of the rounds). Miss: "
        "every request bypasses nginx's cache and is rendered.\n"
    )
    print(
        "| Page | Size | Cold | Cached req/s | Static req/s | Ratio | Cached p50 / p99 "
        "| Static p99 | Miss req/s | Miss p50 / p99 |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for page in pages:
        print(
            f"| {page.name} `{page.path}`{error_text(page.cached + page.static)} "
            f"| {size_text(page.size)} {page.encoding or 'identity'} "
            f"| {min(page.cold_ms):,.0f} ms "
            f"| {mean_rps(page.cached):,.0f} | {mean_rps(page.static):,.0f} "
            f"| {page.ratio:.2f} "
            f"| {worst(page.cached, 'p50'):.1f} / {worst(page.cached, 'p99'):.1f} ms "
            f"| {worst(page.static, 'p99'):.1f} ms "
            f"| {mean_rps(page.missed):,.0f}{error_text(page.missed)} | {miss_latency(page)} |"
        )


def missed_targets(pages: list[Page]) -> list[str]:
    missed = []
    for page in pages:
        if page.ratio < TARGET_RATIO:
            missed.append(f"{page.path}: {page.ratio:.2f} of its static file (target 0.8)")
        if worst(page.cached, "p99") >= TARGET_P99_MS:
            missed.append(f"{page.path}: p99 {worst(page.cached, 'p99'):.1f} ms (target < 50)")
        if errors(page.cached):
            missed.append(f"{page.path}: {errors(page.cached)} errors once cached")
    return missed


# ------------------------------------------------------------------ main


def measure_pages(pages: list[Page], port: int, prefix: Path, cache, options) -> None:
    # The misses last: a page slower to render than a run is long leaves gunicorn busy
    # with the requests wrk gave up on, for a while after its run.
    rounds = [pages if n % 2 == 0 else pages[::-1] for n in range(options.rounds)]
    for order in rounds:
        for page in order:
            measure(page, port, prefix, cache, options)
            print(
                f"  {page.path}: cached {page.cached[-1]['rps']:,.0f}, static "
                f"{page.static[-1]['rps']:,.0f} req/s",
                flush=True,
            )
    for order in rounds:
        for page in order:
            page.missed.append(load(f"http://127.0.0.1:{port}{page.path}", options, MISS))
            print(f"  {page.path}: miss {page.missed[-1]['rps']:,.0f} req/s", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signatories", type=int, default=50_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per run")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default=SCRATCH, help="the scratch database's name")
    parser.add_argument(
        "--template", help="a database seeded before, copied as the scratch one (no seeding)"
    )
    parser.add_argument("--redis-port", type=int, default=6379)
    parser.add_argument("--redis-db", type=int, default=13, help="flushed before and after")
    mixed = parser.add_argument_group("the mixed run (benchmarks/mixed_load.py)")
    mixed.add_argument("--mixed", action="store_true", help="the mixed run instead")
    mixed.add_argument("--mixed-seconds", type=int, default=60)
    mixed.add_argument("--sign-rate", type=float, default=30.0, help="signatures a second")
    mixed.add_argument("--approve-rate", type=float, default=0.5, help="approvals a second")
    mixed.add_argument("--drain-seconds", type=int, default=120)
    mixed.add_argument(
        "--browse-connections", type=int, help="wrk's (default --connections; 0: no browsing)"
    )
    mixed.add_argument(
        "--browse-rate", type=float, default=0, help="pages a second (0: as fast as served)"
    )
    options = parser.parse_args()
    # The cached run and its warm-up stay within the page's minute of max-age.
    if not (1 <= options.duration <= 40 and 1 <= options.connections <= 512):
        parser.error("--duration must be 1..40 seconds and --connections 1..512")
    if not 1 <= options.rounds <= 5:
        parser.error("--rounds must be 1..5")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", options.database):
        parser.error("--database: lower-case letters, digits and _")
    if options.template is not None and (
        not re.fullmatch(r"[a-z_][a-z0-9_]*", options.template)
        or options.template == options.database
    ):
        parser.error("--template: lower-case letters, digits and _, not --database")
    if not (5 <= options.mixed_seconds <= 600 and options.sign_rate > 0 < options.approve_rate):
        parser.error("--mixed-seconds must be 5..600, the rates positive")
    if options.browse_connections is None:
        options.browse_connections = options.connections
    missing = [tool for tool in ("nginx", "wrk") if shutil.which(tool) is None]
    if missing:
        print(f"Missing: {', '.join(missing)}. `apt-get install {' '.join(missing)}` (Debian).")
        return 1

    scratch = options.database
    print(f"Machine: {machine()}; {versions()}; load average before: {load_average()}")
    cache = redis.Redis(host="127.0.0.1", port=options.redis_port, db=options.redis_db)
    cache.flushdb()
    admin = psycopg2.connect(options.postgres, dbname="postgres")
    admin.autocommit = True
    url = options.postgres.rsplit("/", 1)[0] + f"/{scratch}"
    with admin.cursor() as cursor:
        cursor.execute("SHOW server_version")
        print(f"PostgreSQL {cursor.fetchone()[0]}, Redis {cache.info()['redis_version']}")
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [scratch])
        reuse = options.keep_database and cursor.fetchone() is not None
    if options.template:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {scratch} TEMPLATE {options.template}")
        print(f"{scratch}: a fresh copy of {options.template}.")
        reuse = True
    elif reuse and signatories_in(url) < options.signatories:
        reuse = False
    if not reuse:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {scratch}")
    work = Path(tempfile.mkdtemp(prefix="coorace-load-"))
    work.chmod(0o755)  # nginx's workers (nobody, when run as root) read the static files
    static_root, prefix = work / "static", work / "nginx"
    prefix.mkdir()
    cache_url = f"redis://127.0.0.1:{options.redis_port}/{options.redis_db}"
    env = server_env(url, cache_url, str(static_root))
    log_path = work / "gunicorn.log"
    gunicorn = nginx = worker = sink = None
    result = None
    try:
        if reuse:
            print(f"Reusing {scratch} ({signatories_in(url):,} signatories).")
        else:
            prepare_database(url, env, options.signatories)
        manage("collectstatic", "--noinput", env=env)
        pages, counts = pick_pages(url)
        print(
            f"{counts['signatures']:,} signatures ({counts['approved']:,} approved), "
            f"{counts['commitments']:,} signed commitments."
        )
        if options.mixed:
            sink = mixed_load.Sink(free_port())
            env.update(mixed_load.mail_env(sink.port))
            env["DJANGO_MEDIA_ROOT"] = str(work / "media")
        app_port, port = free_port(), free_port()
        with open(log_path, "w") as log:
            gunicorn = start_gunicorn(env, app_port, log)
            nginx = start_nginx(prefix, app_port=app_port, port=port)
            workers = len(
                subprocess.run(
                    ["pgrep", "-P", str(gunicorn.pid)], capture_output=True, text=True
                ).stdout.split()
            )
            brotli = "with Brotli" if BROTLI_MODULE.exists() else "gzip only"
            print(f"gunicorn: {workers} workers; nginx ({brotli}) on :{port}; measuring…")
            if options.mixed:
                worker = mixed_load.start_worker(env, work)
                result = mixed_load.run(
                    port=port,
                    url=url,
                    env=env,
                    options=options,
                    pages=[page.path for page in pages if not page.path.startswith("/donnees/")],
                    sink=sink,
                    folder=work,
                    run_wrk=run_wrk,
                    gunicorn_log=log_path,
                    servers={
                        "gunicorn": gunicorn.pid,
                        "nginx": nginx.pid,
                        "job worker": worker.pid,
                        "SMTP sink": sink.process.pid,
                    },
                )
            else:
                measure_pages(pages, port, prefix, cache, options)
    except BaseException:
        print(f"Failed; logs kept in {work}", file=sys.stderr)
        raise
    finally:
        stop(nginx)
        stop(gunicorn)
        stop(worker)
        stop(sink and sink.process)
        cache.flushdb()
        if not options.keep_database:
            with admin.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")
        admin.close()

    if options.mixed:
        missed = mixed_load.report(result, options)
        print(f"Logs in {work}." if missed else "", end="")
        if not missed:
            shutil.rmtree(work, ignore_errors=True)
    else:
        failures = any(errors(page.cached + page.static + page.missed) for page in pages)
        if failures:
            server_errors = len(re.findall(r'" 5\d\d ', log_path.read_text()))
            print(f"Logs kept in {work} ({server_errors} responses 5xx in gunicorn's log).")
        else:
            shutil.rmtree(work, ignore_errors=True)
        print_table(pages, options)
        missed = missed_targets(pages)
    print(f"\nLoad average after: {load_average()}")
    for target in missed:
        print(f"Target missed: {target}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
