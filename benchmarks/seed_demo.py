"""Time `manage.py seed_demo --signatories 50000` (then `--purge`) on a fresh PostgreSQL database.

Usage: .venv/bin/python benchmarks/seed_demo.py [--signatories 50000] [--postgres URL]

Creates a scratch database (coorace_seed_bench) on the server, migrates it, imports the
communes and loads the charter (not timed), then times, each in its own process as a
developer would run them, the seeding and the purge of the demo data. Prints a markdown
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
    "account_emailaddress": "e-mail addresses",
}


def manage(*args: str, database_url: str, quiet: bool = True) -> float:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_DEBUG": "1"}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", *args, *(["--verbosity", "0"] if quiet else [])],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return time.perf_counter() - started


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
    parser.add_argument("--signatories", type=int, default=50_000)
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
        before = row_counts(url)
        seconds = manage(
            "seed_demo",
            "--signatories",
            str(options.signatories),
            "--seed",
            str(options.seed),
            database_url=url,
            quiet=False,
        )
        after = row_counts(url)
        purge_seconds = manage("seed_demo", "--purge", database_url=url, quiet=False)
        left = row_counts(url)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {SCRATCH}")
        admin.close()

    added = {table: after[table] - before[table] for table in TABLES}
    rows = sum(added.values())
    out = sys.stdout
    out.write(f"\nPostgreSQL, fresh database, `seed_demo --seed {options.seed}`, one run.\n\n")
    out.write("| Signatories | Signatures (commitments) rows | All rows | Seconds | Rows/s |\n")
    out.write("|---:|---:|---:|---:|---:|\n")
    out.write(
        f"| {added['pledges_signature']:,} | {added['pledges_signedcommitment']:,} | {rows:,} "
        f"| {seconds:.1f} | {rows / seconds:,.0f} |\n"
    )
    out.write("\nRows added: ")
    out.write(", ".join(f"{label} {added[table]:,}" for table, label in TABLES.items()) + ".\n")
    leftover = sum(left[table] - before[table] for table in TABLES)
    out.write(f"`seed_demo --purge`: {purge_seconds:.1f} s; rows left over after it: {leftover}.\n")


if __name__ == "__main__":
    main()
