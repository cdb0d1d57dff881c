"""Response times of the moderation queue (the admin's signatures changelist) at volume.

Usage: .venv/bin/python benchmarks/moderation_queue.py [--pg-signatories 50000]
       [--sqlite-signatories 5000] [--postgres URL] [--only postgresql|sqlite] [--repeat 5]

For each database: a scratch one (PostgreSQL `coorace_bench_queue`, an SQLite file in a
temporary directory) is migrated, given the communes and the charter, and seeded with
`benchmarks/bulk_seed.py --signatories N --seed 2020` (or `manage.py seed_demo` where
bulk_seed.py is absent). Then, with production settings (DJANGO_DEBUG=0) and the Django
test client logged in as a moderator, each page of the queue is requested once to warm up
and `--repeat` times more: unfiltered, with each filter, with a search, page 2, a
signature's detail page, « Valider et passer à la suivante » within a filtered list, and
the lists' changelist.
Prints a markdown table (median and slowest response, queries) and exits with status 1 if
any response is slower than 500 ms or not the expected status. The scratch databases are
dropped at the end, even after a failure.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = "coorace_bench_queue"
LIMIT_MS = 500
CHANGELIST = "/admin/pledges/signature/"
LISTS = "/admin/pledges/electorallist/"


# ---------------------------------------------------------------- in the measuring process


def cases() -> list[tuple[str, str, str, dict]]:
    """(name, method, path, data) of each request, picked from the seeded data."""
    from django.db.models import Count

    from pledges.models import Signature

    signatures = Signature.objects.all()
    region = (
        signatures.values("candidate__commune__departement__region_id")
        .annotate(n=Count("pk"))
        .order_by("-n")[0]["candidate__commune__departement__region_id"]
    )
    departement = (
        signatures.values("candidate__commune__departement_id")
        .annotate(n=Count("pk"))
        .order_by("-n")[0]["candidate__commune__departement_id"]
    )
    first = signatures.order_by("pk").first()
    # « Valider et passer à la suivante » needs a pending signature per run: in the
    # département with the most of them.
    waiting = signatures.filter(status=Signature.Status.PENDING)
    most_pending = (
        waiting.values("candidate__commune__departement_id")
        .annotate(n=Count("pk"))
        .order_by("-n")[0]["candidate__commune__departement_id"]
    )
    pending = waiting.filter(candidate__commune__departement_id=most_pending).order_by(
        "submitted_at", "pk"
    )
    approve = f"{CHANGELIST}{{}}/decider/valider/?_changelist_filters=departement%3D{most_pending}"
    filters = f"_changelist_filters=departement%3D{departement}"
    return [
        ("Unfiltered", "GET", CHANGELIST, {}),
        ("Page 2", "GET", f"{CHANGELIST}?p=2", {}),
        ("Status: pending", "GET", f"{CHANGELIST}?status__exact=pending", {}),
        (f"Région {region}", "GET", f"{CHANGELIST}?region={region}", {}),
        (f"Département {departement}", "GET", f"{CHANGELIST}?departement={departement}", {}),
        ("Role: head of list", "GET", f"{CHANGELIST}?candidate__role__exact=head_of_list", {}),
        ("Waiting: overdue", "GET", f"{CHANGELIST}?attente=retard", {}),
        ("Possible duplicate (either)", "GET", f"{CHANGELIST}?doublon=oui", {}),
        ("Same person twice", "GET", f"{CHANGELIST}?doublon=personne", {}),
        ("Same list claimed twice", "GET", f"{CHANGELIST}?doublon=liste", {}),
        ("Search « martin »", "GET", f"{CHANGELIST}?q=martin", {}),
        ("Search, département, page 2", "GET",
         f"{CHANGELIST}?q=a&departement={departement}&p=2", {}),
        ("Detail page", "GET", f"{CHANGELIST}{first.pk}/change/?{filters}", {}),
        ("Lists", "GET", LISTS, {}),
        ("Lists to review", "GET", f"{LISTS}?a_verifier=revendication", {}),
        # One pending signature per run, approved and then the next of the filtered list.
        ("Approve and next (département)", "POST",
         [approve.format(pk) for pk in pending.values_list("pk", flat=True)],
         {"next": "1"}),
    ]  # fmt: skip


def measure(repeat: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client

    from pledges.models import Signature

    moderator = get_user_model().objects.create_user(
        "bench-moderatrice", "bench-moderatrice@coorace.test", "!", is_staff=True
    )
    moderator.groups.add(Group.objects.get(name="Modération"))
    client = Client()
    client.force_login(moderator)
    results = {"signatures": Signature.objects.count(), "vendor": connection.vendor, "rows": []}
    for name, method, path, data in cases():
        paths = path if isinstance(path, list) else [path] * (repeat + 2)
        if len(paths) < repeat + 2:
            raise RuntimeError(f"{name}: only {len(paths)} pending signatures to approve")
        expected = 302 if method == "POST" else 200
        send = client.post if method == "POST" else client.get
        times, statuses, queries = [], set(), []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        # Warm-up, whose queries are counted (the query log is reset at each request).
        with connection.execute_wrapper(count):
            statuses.add(send(paths[0], data, secure=True).status_code)
        for url in paths[1 : repeat + 1]:
            started = time.perf_counter()
            response = send(url, data, secure=True)
            times.append((time.perf_counter() - started) * 1000)
            statuses.add(response.status_code)
        results["rows"].append(
            {
                "name": name,
                "median": statistics.median(times),
                "max": max(times),
                "queries": len(queries),
                "ok": statuses == {expected},
                "statuses": sorted(statuses),
            }
        )
    return results


def prepare_and_measure(signatories: int, repeat: int) -> None:
    """Run inside the child process, whose DATABASE_URL names the scratch database."""
    import django

    django.setup()
    from django.core.management import call_command

    quiet = {"verbosity": 0, "stdout": open(os.devnull, "w")}  # noqa: SIM115
    for command in ("migrate", "import_communes", "load_charter"):
        call_command(command, **quiet)
    call_command("collectstatic", interactive=False, **quiet)  # the manifest production reads
    bulk = ROOT / "benchmarks" / "bulk_seed.py"
    started = time.perf_counter()
    if bulk.exists():
        seed = [sys.executable, str(bulk), "--signatories", str(signatories), "--seed", "2020"]
    else:
        seed = [sys.executable, str(ROOT / "manage.py"), "seed_demo",
                "--signatories", str(signatories), "--seed", "2020"]  # fmt: skip
    subprocess.run(seed, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=sys.stderr)
    sys.stderr.write(f"  seeded {signatories:,} in {time.perf_counter() - started:.0f} s\n")
    # Fresh statistics, as autovacuum gives a production database: right after a bulk load
    # PostgreSQL's estimates are those of empty tables, and the lists' joins get nested-loop
    # plans that take seconds.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    results = measure(repeat)
    results["seeder"] = bulk.name if bulk.exists() else "seed_demo"
    sys.stdout.write(json.dumps(results) + "\n")


# ---------------------------------------------------------------- the driver


def run(database_url: str, signatories: int, repeat: int, scratch: str) -> dict:
    env = {
        "DJANGO_STATIC_ROOT": f"{scratch}/static",
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "moderation-queue-benchmark",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "CACHE_URL": "locmem://moderation-queue-bench",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    argv = [sys.executable, __file__, "--child", str(signatories), "--repeat", str(repeat)]
    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True)
    sys.stderr.write(done.stderr)
    done.check_returncode()
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(results: list[dict]) -> str:
    heads = [f"{r['vendor']}, {r['signatures']:,} signatures" for r in results]
    lines = [
        "| Moderation queue | "
        + " | ".join(f"{h}: median / slowest (queries)" for h in heads)
        + " |",
        "|---" * (len(results) + 1) + "|",
    ]
    for i, row in enumerate(results[0]["rows"]):
        cells = []
        for result in results:
            r = result["rows"][i]
            flag = "" if r["ok"] and r["max"] <= LIMIT_MS else " ✗"
            cells.append(f"{r['median']:.0f} ms / {r['max']:.0f} ms ({r['queries']}){flag}")
        lines.append(f"| {row['name']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-signatories", type=int, default=50_000)
    parser.add_argument("--sqlite-signatories", type=int, default=5_000)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--only", choices=["postgresql", "sqlite"])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child is not None:
        sys.path.insert(0, str(ROOT))
        prepare_and_measure(options.child, options.repeat)
        return 0

    import psycopg2

    results = []
    if options.only != "sqlite":
        admin = psycopg2.connect(options.postgres, dbname="postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {SCRATCH}")
        try:
            url = options.postgres.rsplit("/", 1)[0] + f"/{SCRATCH}"
            with tempfile.TemporaryDirectory(prefix="coorace-bench-queue-") as scratch:
                results.append(run(url, options.pg_signatories, options.repeat, scratch))
        finally:
            with admin.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
            admin.close()
    if options.only != "postgresql":
        with tempfile.TemporaryDirectory(prefix="coorace-bench-queue-") as scratch:
            url = f"sqlite:///{scratch}/queue.sqlite3"
            results.append(run(url, options.sqlite_signatories, options.repeat, scratch))
    sys.stdout.write(table(results) + "\n")
    slow = [
        (result["vendor"], row["name"])
        for result in results
        for row in result["rows"]
        if not row["ok"] or row["max"] > LIMIT_MS
    ]
    for vendor, name in slow:
        sys.stderr.write(f"{vendor}: {name} is over {LIMIT_MS} ms or did not answer as expected\n")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
