"""Time the demo data on a fresh PostgreSQL database: seed_demo, the bulk seeder, the purge.

Usage: .venv/bin/python benchmarks/seed_demo.py [--signatories 50000] [--services 1000]
       [--postgres URL]

Creates a scratch database (coorace_seed_bench) on the server, migrates it, imports the
communes and loads the charter (not timed), then times, each in its own process as a
developer would run them: `manage.py seed_demo --signatories <services>` (through the
signing and moderation services), `benchmarks/bulk_seed.py --signatories <signatories>`
(the same rows, in bulk), and `manage.py seed_demo --purge` of both. Prints a markdown
table; drops the scratch database at the end, even after a failure.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = "coorace_seed_bench"
TABLES = {
    "auth_user": "accounts",
    "candidates_candidate": "candidates",
    "pledges_signature": "pledges",
    "pledges_signedcommitment": "signatures",
    "pledges_signatureevent": "events",
    "pledges_certificate": "certificates",
    "pledges_auditentry": "audit entries",
    "account_emailaddress": "e-mail addresses",
}


def run(*command: str, database_url: str) -> float:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_DEBUG": "1"}
    started = time.perf_counter()
    subprocess.run([sys.executable, *command], cwd=ROOT, env=env, check=True)
    return time.perf_counter() - started


def manage(*args: str, database_url: str, quiet: bool = True) -> float:
    verbosity = ["--verbosity", "0"] if quiet else []
    return run("manage.py", *args, *verbosity, database_url=database_url)


def row_counts(url: str) -> dict[str, int]:
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        counts = {}
        for table in TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")  # the names above, not input
            counts[table] = cursor.fetchone()[0]
    connection.close()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signatories", type=int, default=50_000, help="for the bulk seeder")
    parser.add_argument("--services", type=int, default=1_000, help="for seed_demo")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    options = parser.parse_args()

    admin = psycopg2.connect(options.postgres, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {SCRATCH}")
        cursor.execute(f"CREATE DATABASE {SCRATCH}")
    url = options.postgres.rsplit("/", 1)[0] + f"/{SCRATCH}"
    try:
        manage("migrate", "--noinput", database_url=url)
        manage("import_communes", database_url=url)
        manage("load_charter", database_url=url)
        timings = []  # (what, rows before, rows after, seconds)
        for what, command in (
            (
                "`seed_demo` (services)",
                ["manage.py", "seed_demo", "--signatories", str(options.services)],
            ),
            (
                "`bulk_seed.py` (bulk)",
                ["benchmarks/bulk_seed.py", "--signatories", str(options.signatories)],
            ),
        ):
            before = row_counts(url)
            seconds = run(*command, "--seed", str(options.seed), database_url=url)
            timings.append((what, before, row_counts(url), seconds))
        purge_seconds = manage("seed_demo", "--purge", database_url=url, quiet=False)
        left = row_counts(url)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {SCRATCH}")
        admin.close()

    out = sys.stdout
    out.write(f"\nPostgreSQL, fresh database, `--seed {options.seed}`, one run each.\n\n")
    out.write("| Seeder | Signatories | Signed commitments | All rows | Seconds | Rows/s |\n")
    out.write("|---|---:|---:|---:|---:|---:|\n")
    for what, before, after, seconds in timings:
        added = {table: after[table] - before[table] for table in TABLES}
        rows = sum(added.values())
        out.write(
            f"| {what} | {added['pledges_signature']:,} | "
            f"{added['pledges_signedcommitment']:,} | {rows:,} | {seconds:.1f} "
            f"| {rows / seconds:,.0f} |\n"
        )
    first = timings[0][1]
    leftover = sum(left[table] - first[table] for table in TABLES)
    out.write(f"\n`seed_demo --purge`: {purge_seconds:.1f} s; rows left over: {leftover}.\n")


if __name__ == "__main__":
    main()
