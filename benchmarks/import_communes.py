"""Time `manage.py import_communes` (35,051 communes, 2020 vintage) on SQLite and PostgreSQL.

Usage: .venv/bin/python benchmarks/import_communes.py [--runs 3] [--postgres URL]

Each run starts from an empty, migrated database in a separate process, then times a
first import (everything created) and a second one (nothing to change). Prints a table
of medians. PostgreSQL is skipped, with a message, if the server does not answer.
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, database_url: str) -> float:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_DEBUG": "1"}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", *args, "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return time.perf_counter() - started


def run_once(database_url: str) -> tuple[float, float]:
    manage("migrate", "--noinput", database_url=database_url)
    return (
        manage("import_communes", database_url=database_url),
        manage("import_communes", database_url=database_url),
    )


def sqlite_run() -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as folder:
        return run_once(f"sqlite:///{folder}/bench.sqlite3")


def postgres_run(url: str) -> tuple[float, float]:
    admin = psycopg2.connect(url, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("DROP DATABASE IF EXISTS coorace_bench")
        cursor.execute("CREATE DATABASE coorace_bench")
    try:
        return run_once(url.rsplit("/", 1)[0] + "/coorace_bench")
    finally:
        with admin.cursor() as cursor:
            cursor.execute("DROP DATABASE IF EXISTS coorace_bench")
        admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    options = parser.parse_args()

    backends = {"SQLite": sqlite_run}
    try:
        psycopg2.connect(options.postgres, dbname="postgres", connect_timeout=3).close()
        backends["PostgreSQL"] = lambda: postgres_run(options.postgres)
    except psycopg2.OperationalError as error:
        print(f"PostgreSQL skipped: {str(error).strip()}")

    machine = f"{platform.machine()}, {os.cpu_count()} CPUs"
    print(f"Machine: {machine}, Python {platform.python_version()}")
    print(f"Median of {options.runs} runs, each in a new process (includes Django start-up).\n")
    print("| Database   | First import (35,051 communes) | Second run (no change) |")
    print("|------------|-------------------------------:|-----------------------:|")
    for name, run in backends.items():
        results = [run() for _ in range(options.runs)]
        first = statistics.median(result[0] for result in results)
        second = statistics.median(result[1] for result in results)
        print(f"| {name:<10} | {first:>28.2f} s | {second:>20.2f} s |")


if __name__ == "__main__":
    main()
