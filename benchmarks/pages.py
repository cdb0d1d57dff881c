"""Weight and cold render time of every public page at 50,000 signatories, on PostgreSQL.

Usage: .venv/bin/python benchmarks/pages.py [--signatories 50000] [--seed 2020]
           [--postgres URL] [--database coorace_bench_pages] [--runs 5] [--reuse] [--keep]

Creates a scratch database (coorace_bench_pages, or --database), migrates it, imports the
communes, loads the charter and seeds the signatories (benchmarks/bulk_seed.py, or
`manage.py seed_demo` where there is no bulk seeder), then, in a process with production
settings (DEBUG off, the per-process memory cache), requests every kind of public page
through Django's test client, the largest instance of each (the commune, région and
département with the most signatories, the signatory with the most commitments, the list
with the most members). Each page is rendered `--runs` times, each time cold: Django's
cache emptied first, so no cached counter helps; the process itself is warm (imports,
templates, a database connection), as a long-lived gunicorn worker is, and so is
PostgreSQL's buffer cache.

Prints a markdown table: bytes of the body, queries, median and slowest cold render.
Exits non-zero if an HTML or XML page weighs more than 250 kB, or if the largest commune's
page takes more than 300 ms (median). The data files (CSV, JSON) are measured, not bound.
`--reuse` keeps an already seeded scratch database; `--keep` does not drop it at the end.
"""

import argparse
import json
import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = "coorace_bench_pages"
MAX_PAGE_BYTES = 250_000
MAX_COMMUNE_MS = 300


# ------------------------------------------------------------------ the scratch database


def production_env(database_url: str, static_root: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_STATIC_ROOT": static_root,
        "DATABASE_URL": database_url,
        "CACHE_URL": "locmem://default",
        "SITE_URL": "http://127.0.0.1",
    }


def run(*command: str, env: dict[str, str]) -> str:
    return subprocess.run(
        command, cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def signatories_in(url: str) -> int:
    try:
        with closing(psycopg2.connect(url)) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pledges_signature")
            return cursor.fetchone()[0]
    except psycopg2.Error:
        return 0


def prepare(url: str, admin_url: str, options: argparse.Namespace) -> str:
    scratch = options.database
    """Create and seed the scratch database (unless --reuse finds it seeded): the seeder used."""
    if options.reuse and signatories_in(url) >= options.signatories:
        analyse(url)
        return "reused"
    with closing(psycopg2.connect(admin_url)) as admin:
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {scratch}")
            cursor.execute(f"CREATE DATABASE {scratch}")
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "1"}
    for command in (("migrate", "--noinput"), ("import_communes",), ("load_charter",)):
        run(sys.executable, "manage.py", *command, env=env)
    seed = ("--signatories", str(options.signatories), "--seed", str(options.seed))
    if (ROOT / "benchmarks" / "bulk_seed.py").exists():
        seeder = "benchmarks/bulk_seed.py"
        run(sys.executable, seeder, *seed, env=env)
    else:
        seeder = "manage.py seed_demo"
        run(sys.executable, "manage.py", "seed_demo", *seed, env=env)
    analyse(url)
    return seeder


def analyse(url: str) -> None:
    """Fresh planner statistics, and no autovacuum while the pages are measured."""
    with closing(psycopg2.connect(url)) as connection:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")


# ------------------------------------------------------------------ the measure (child)


def public_pages() -> list[tuple[str, str]]:
    """(what, path) for every public page, the largest instance of each."""
    from django.db.models import Count, Q

    from communes.models import Commune, Departement, Region
    from pledges.directory.areas import COMMUNE_PAGE_SIZE
    from pledges.directory.lists import commune_board, public_lists
    from pledges.directory.queries import communes_with_signatories, public_pledges
    from pledges.models import Campaign, Certificate, ListMembership

    campaign = Campaign.objects.current()
    largest = communes_with_signatories(campaign).order_by("-signatories").first()
    # The commune page's rows are its lists and candidates in their own name.
    rows = len(commune_board(campaign, largest).entries)
    last_page = max(1, -(-rows // COMMUNE_PAGE_SIZE))
    confirmed = ListMembership.Status.CONFIRMED
    biggest_list = (
        public_lists(campaign)
        .annotate(n=Count("memberships", filter=Q(memberships__status=confirmed)))
        .order_by("-n", "pk")
        .first()
    )
    small = communes_with_signatories(campaign).order_by("signatories", "insee_code").first()
    empty = Commune.objects.exclude(candidates__signatures__campaign=campaign).first()
    region = (
        Region.objects.filter(departements__communes__candidates__signatures__campaign=campaign)
        .annotate(n=Count("departements__communes__candidates__signatures"))
        .order_by("-n")
        .first()
    )
    departement = (
        Departement.objects.filter(communes__candidates__signatures__campaign=campaign)
        .annotate(n=Count("communes__candidates__signatures"))
        .order_by("-n")
        .first()
    )
    signatory = (
        public_pledges(campaign)
        .annotate(n=Count("signed_commitments"))
        .order_by("-n", "pk")
        .first()
    )
    certificate = Certificate.objects.order_by("pk").first()
    pages = [
        ("Home", "/"),
        *((f"Proposal {n}", f"/propositions/{n}/") for n in range(1, 11)),
        (f"Commune, largest ({largest.name}, {largest.signatories:,} signatures, {rows:,} rows), "
         "page 1",
         f"/communes/{largest.insee_code}/"),
        (f"Commune, largest, last page ({last_page})",
         f"/communes/{largest.insee_code}/?page={last_page}"),
        (f"Commune, fewest signatories ({small.name})", f"/communes/{small.insee_code}/"),
        (f"Commune without signatory ({empty.name})", f"/communes/{empty.insee_code}/"),
        ("Commune search", "/communes/?q=saint"),
        ("Commune autocomplete (JSON)", "/api/communes/?q=saint"),
        (f"Région, largest ({region.name})", f"/regions/{region.code}/"),
        ("Région, sorted by name", f"/regions/{region.code}/?tri=nom"),
        (f"Département, largest ({departement.name})", f"/departements/{departement.code}/"),
        ("Département, search", f"/departements/{departement.code}/?q=saint&tri=population"),
        ("Signatory, most commitments", signatory.get_absolute_url()),
        ("Search, a common name", "/recherche/?q=martin"),
        ("Search, a commune", "/recherche/?q=saint etienne"),
        ("Open data page", "/donnees/"),
        ("Open data, CSV (streamed)", "/donnees/signataires.csv"),
        ("Open data, JSON (streamed)", "/donnees/signataires.json"),
        ("Commune API, largest (JSON)", f"/api/communes/{largest.insee_code}/signataires/"),
        ("Lists, CSV (streamed)", "/donnees/listes.csv"),
        ("Lists, JSON (streamed)", "/donnees/listes.json"),
        ("Commune's lists API, largest (JSON)", f"/api/communes/{largest.insee_code}/listes/"),
        ("Sitemap, lists, page 1", "/sitemap-listes.xml"),
        ("Sitemap index", "/sitemap.xml"),
        ("Sitemap, signatories, page 1", "/sitemap-signataires.xml"),
        ("Sitemap, communes, page 1", "/sitemap-communes.xml"),
        ("Certificate verification form", "/verifier/"),
        ("Legal notice", "/mentions-legales/"),
        ("Privacy", "/donnees-personnelles/"),
        ("Accessibility statement", "/accessibilite/"),
    ]  # fmt: skip
    if biggest_list is not None:
        pages.append(
            (f"List, most members ({biggest_list.n + 1})", biggest_list.get_absolute_url())
        )
    if certificate is not None:
        pages.append(("Certificate verification page", certificate.get_absolute_url()))
    return pages


def measure(runs: int) -> None:
    """In the child: time every page, print one JSON line per page."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from config.cache import counters

    client = Client(HTTP_HOST="127.0.0.1")
    client.get("/")  # a warm worker: imports, templates, the database connection
    for what, path in public_pages():
        times, size, queries, kind = [], 0, 0, ""
        for _ in range(runs):
            counters.clear()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path)
                body = response.getvalue()
                times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{path}: HTTP {response.status_code}")
            size, queries = len(body), len(captured)
            kind = response["Content-Type"].split(";")[0]
        print(json.dumps({"what": what, "path": path, "bytes": size, "queries": queries,
                          "kind": kind, "median": statistics.median(times),
                          "max": max(times)}), flush=True)  # fmt: skip


# ------------------------------------------------------------------ the report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signatories", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default=SCRATCH, help="the scratch database's name")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep a seeded scratch database")
    parser.add_argument("--keep", action="store_true", help="do not drop it at the end")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", options.database):
        parser.error("--database: lower-case letters, digits and _")
    if options.measure:
        measure(options.runs)
        return

    admin_url = options.postgres.rsplit("/", 1)[0] + "/postgres"
    url = options.postgres.rsplit("/", 1)[0] + f"/{options.database}"
    try:
        seeder = prepare(url, admin_url, options)
        signatories = signatories_in(url)
        with tempfile.TemporaryDirectory() as static_root:
            env = production_env(url, static_root)
            run(sys.executable, "manage.py", "collectstatic", "--noinput", env=env)
            # The child's errors go to the terminal; its stdout is the measures.
            output = subprocess.run(
                (sys.executable, __file__, "--measure", "--runs", str(options.runs)),
                cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True,
            ).stdout  # fmt: skip
    finally:
        if not options.keep:
            with closing(psycopg2.connect(admin_url)) as admin:
                admin.autocommit = True
                with admin.cursor() as cursor:
                    cursor.execute(f"DROP DATABASE IF EXISTS {options.database}")
    rows = [json.loads(line) for line in output.splitlines() if line.startswith("{")]

    failures = []
    out = sys.stdout
    out.write(
        f"\nPostgreSQL, {signatories:,} signatories ({seeder}, --seed {options.seed}), "
        f"production settings, Django's test client; each page rendered {options.runs} times, "
        f"Django's cache emptied before each. {time.strftime('%Y-%m-%d')}, "
        f"{platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f} at the end.\n\n"
    )
    out.write("| Page | Path | Type | Bytes | Queries | Cold, median (ms) | Cold, slowest (ms) |\n")
    out.write("|---|---|---|---:|---:|---:|---:|\n")
    for row in rows:
        bounded = row["kind"] in ("text/html", "application/xml")
        mark = ""
        if bounded and row["bytes"] > MAX_PAGE_BYTES:
            failures.append(f"{row['path']} weighs {row['bytes']:,} bytes")
            mark = " ⚠"
        if row["what"].startswith("Commune, largest (") and row["median"] > MAX_COMMUNE_MS:
            failures.append(f"{row['path']} renders in {row['median']:.0f} ms")
            mark = " ⚠"
        out.write(
            f"| {row['what']}{mark} | `{row['path']}` | {row['kind']} | {row['bytes']:,} "
            f"| {row['queries']} | {row['median']:.0f} | {row['max']:.0f} |\n"
        )
    heaviest = max((r for r in rows if r["kind"] == "text/html"), key=lambda r: r["bytes"])
    out.write(
        f"\nHeaviest HTML page: {heaviest['bytes']:,} bytes ({heaviest['path']}); "
        f"bound {MAX_PAGE_BYTES:,}. Largest commune's page bound: {MAX_COMMUNE_MS} ms.\n"
    )
    if failures:
        out.write("\nOver the bounds: " + "; ".join(failures) + ".\n")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
