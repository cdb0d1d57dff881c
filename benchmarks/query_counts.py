"""SQL queries run by each public page, at two numbers of signatories, on PostgreSQL.

Usage: .venv/bin/python benchmarks/query_counts.py [--small 200] [--large 5000]
       [--postgres URL]

Creates a scratch database (coorace_query_bench), migrates it, imports the communes, loads
the charter and seeds --small demo signatories (benchmarks/bulk_seed.py: the rows the
services would write, in bulk); counts the queries of each public page with
django.test.Client and CaptureQueriesContext; seeds up to --large signatories and counts
again. The cache is emptied before every request, so each count is the whole work of the
view and its counters; the last column counts a second visit at the large size, with the
counters Django's cache keeps. The commune, its département and région, and the signatory
measured are picked at the small size, so they have signatories at both.
Prints a markdown table; exits with status 1 if a count differs between the two sizes or a
page does not answer 200. Drops the scratch database at the end, even after a failure.
"""

import argparse
import io
import os
import sys
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = "coorace_query_bench"


def pages_to_measure() -> list[tuple[str, str]]:
    """(name, path) of each public page; the commune is the busiest at this point."""
    from django.db.models import Count

    from communes.models import Commune
    from pledges.models import Signature

    commune = (
        Commune.objects.filter(candidates__signatures__status=Signature.Status.APPROVED)
        .annotate(signatories=Count("candidates__signatures"))
        .select_related("departement")
        .order_by("-signatories", "insee_code")
        .first()
    )
    signatory = (
        Signature.objects.filter(status=Signature.Status.APPROVED, candidate__commune=commune)
        .select_related("candidate")
        .order_by("pk")
        .first()
    )
    code = commune.insee_code
    return [
        ("Home", "/"),
        ("Proposal", "/propositions/3/"),
        (f"Commune ({commune.name})", f"/communes/{code}/"),
        ("Région", f"/regions/{commune.departement.region_id}/"),
        ("Département", f"/departements/{commune.departement_id}/"),
        ("Département, searched", f"/departements/{commune.departement_id}/?q=saint"),
        ("Candidate (signatory page)", signatory.get_absolute_url()),
        ("Search page, a name", f"/recherche/?q={signatory.candidate.last_name}"),
        ("Search page, communes", "/recherche/?q=saint"),
        ("Commune search page", "/communes/?q=saint"),
        ("Commune search API", "/api/communes/?q=saint"),
        ("Per-commune API", f"/api/communes/{code}/signataires/"),
        ("Open data page", "/donnees/"),
        ("Open data CSV", "/donnees/signataires.csv"),
        ("Open data JSON", "/donnees/signataires.json"),
        ("Sitemap index", "/sitemap.xml"),
        ("Sitemap of signatories", "/sitemap-signataires.xml"),
        ("Sitemap of communes", "/sitemap-communes.xml"),
    ]


def count_queries(pages: list[tuple[str, str]], *, cached: bool = False) -> dict[str, int]:
    """Queries per page: with the cache emptied first, or (cached) at a second visit."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from config.cache import counters

    client = Client()
    counts = {}
    for _name, path in pages:
        counters.clear()  # no stored page, no cached counter: the whole uncached work
        if cached:
            client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code}")
        counts[path] = len(queries)
    return counts


def seed(signatories: int, *, seed: int) -> None:
    from benchmarks.bulk_seed import bulk_seed

    bulk_seed(signatories=signatories, seed=seed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--large", type=int, default=5_000)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    options = parser.parse_args()
    if not 1 <= options.small < options.large:
        parser.error("--small must be at least 1 and less than --large")

    admin = psycopg2.connect(options.postgres, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {SCRATCH}")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="1",
        DATABASE_URL=options.postgres.rsplit("/", 1)[0] + f"/{SCRATCH}",
        CACHE_URL="locmem://query-bench",
        DJANGO_ALLOWED_HOSTS="testserver",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    try:
        for command in ("migrate", "import_communes", "load_charter"):
            call_command(command, verbosity=0, stdout=io.StringIO())
        seed(options.small, seed=2020)
        pages = pages_to_measure()
        small = count_queries(pages)
        seed(options.large - options.small, seed=2021)
        large = count_queries(pages)
        stored = count_queries(pages, cached=True)
    finally:
        connections.close_all()
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
        admin.close()

    print(
        "\nSQL queries per public page, PostgreSQL, cache emptied before each request "
        "(`benchmarks/bulk_seed.py --seed 2020`, then 2021).\n"
    )
    print(
        f"| Page | Path | {options.small:,} signatories | {options.large:,} | Equal? "
        "| Second visit (counters cached) |"
    )
    print("|---|---|---:|---:|---|---:|")
    differ = 0
    for name, path in pages:
        equal = small[path] == large[path]
        differ += not equal
        print(
            f"| {name} | `{path}` | {small[path]} | {large[path]} | {'yes' if equal else 'NO'} "
            f"| {stored[path]} |"
        )
    if differ:
        print(f"\n{differ} page(s) run a number of queries that grows with the data.")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
