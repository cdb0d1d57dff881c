"""Response time and queries of the staff « Tableau de bord » (moderation and campaign) at volume.

Usage: .venv/bin/python benchmarks/dashboard.py [--signatories 50000]
       [--postgres URL] [--repeat 5]

A scratch PostgreSQL database (`coorace_bench_dashboard`) is migrated, given the communes and
the charter, and seeded with `benchmarks/bulk_seed.py --signatories N --seed 2020` (N counts
candidates). An official roster is then written in bulk so that the coverage figures have
something to count: three official lists per commune of 1,000 inhabitants or more that has
a list on the site (the first tied to that site list), two per commune of 3,500 or more
without one. With production settings (DJANGO_DEBUG=0) and the Django test client logged in
as a member of « Modération », the dashboard is requested once to warm up (its queries
counted) and `--repeat` times more: unfiltered, filtered by the région with the most
signatures, and each CSV table. Relays are written in bulk too (`seed_relays`): one per
région, one per département, the rest of 20 communes each (550 in all, as Coorace's member
structures), a twentieth of the official lists invited by a relay drawn at random, and a
tenth of the signatures attributed to the relay of their région, so that the relays'
summary on the dashboard and the « Relais » page (every relay) count at volume; the first
région's relay's « Espace relais » is timed too (its first and last page, a filter by
answer). The database is then vacuumed and analysed, as autovacuum leaves production. Prints
a markdown table (median and slowest, queries) and exits with status 1 if a response is
slower than 1,000 ms or not a 200. The scratch database is dropped at the end, even after a
failure, unless `--keep` is given; `--reuse` measures a kept database again without
seeding it (to compare a change of code on the same data).
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
SCRATCH = "coorace_bench_dashboard"
LIMIT_MS = 1000
DASHBOARD = "/admin/pledges/signature/tableau-de-bord/"
RELAYS = "/admin/pledges/signature/tableau-de-bord/relais/"


def seed_roster() -> int:
    """Official lists in bulk (see the docstring); returns how many."""
    from django.db.models import Q
    from django.utils import timezone

    from candidates.models import OfficialList, RosterImport
    from communes.models import Commune
    from pledges.models import ElectoralList

    now = timezone.now()
    roster_import = RosterImport.objects.create(
        tour=1, kind="listes", file_name="bench.txt", file_sha256="0" * 64,
        encoding="latin-1", started_at=now, finished_at=now,
    )  # fmt: skip
    site_lists = {}
    for pk, commune_id in ElectoralList.objects.filter(secteur__isnull=True).values_list(
        "pk", "commune_id"
    ):
        site_lists.setdefault(commune_id, pk)
    communes = Commune.objects.filter(
        Q(pk__in=list(site_lists)) | Q(population__gte=3500)
    ).values_list("pk", "insee_code")
    rows, ties = [], []
    for pk, code in communes:
        for number in range(1, 4 if pk in site_lists else 3):
            name = f"Liste {number} de {code}"
            rows.append(
                OfficialList(
                    tour=1,
                    row_key=f"{code}|{number}",
                    commune_id=pk,
                    panel_number=number,
                    name=name,
                    name_key=name.lower().replace(" ", ""),
                    nuance="LDIV",
                    head_first_name="Camille",
                    head_last_name=f"Tête{number}",
                    head_key=f"camilletete{number}",
                    candidate_count=1,
                    first_import=roster_import,
                    last_import=roster_import,
                )
            )
            if number == 1 and pk in site_lists:
                ties.append((site_lists[pk], len(rows) - 1))
    created = OfficialList.objects.bulk_create(rows, batch_size=2000)
    tied = []
    for list_pk, index in ties:
        tied.append(ElectoralList(pk=list_pk, official_list_id=created[index].pk))
    ElectoralList.objects.bulk_update(tied, ["official_list"], batch_size=2000)
    return len(created)


def seed_relays() -> int:
    """550 relays (see the docstring), their invitations and attributed signatures."""
    import random

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from candidates.models import OfficialList
    from communes.models import Commune, Departement, Region
    from pledges.models import Campaign, ListInvitation, Relay, Signature

    now = timezone.now()
    rng = random.Random(2020)
    account = get_user_model().objects.create_user("bench-relais", "bench-relais@x.test", "!")
    relays = []

    def relay(name):
        made = Relay.objects.create(
            name=name, contact_name="Contact", contact_email="c@x.test", created_at=now
        )
        relays.append(made)
        return made

    by_region = {}
    for region in Region.objects.all():
        by_region[region] = relay(f"Fédération {region.name}")
        by_region[region].regions.add(region)
    for departement in Departement.objects.all():
        relay(f"Relais {departement.code}").departements.add(departement)
    with_lists = list(
        Commune.objects.filter(official_lists__isnull=False).distinct().values_list("pk", flat=True)
    )
    for number in range(550 - len(relays)):
        relay(f"Structure {number:03d}").communes.add(*rng.sample(with_lists, 20))
    campaign = Campaign.objects.current()
    list_ids = list(OfficialList.objects.values_list("pk", flat=True))
    invitations = [
        ListInvitation(
            campaign=campaign,
            official_list_id=pk,
            at=now.date(),
            channel="letter",
            recorded_at=now,
            relay=rng.choice(relays),
            invited_by=account,
        )
        for pk in rng.sample(list_ids, len(list_ids) // 20)
    ]
    ListInvitation.objects.bulk_create(invitations, batch_size=2000)
    relays[0].accounts.add(account)
    for region, made in by_region.items():
        ids = Signature.objects.filter(candidate__commune__departement__region=region).values_list(
            "pk", flat=True
        )
        Signature.objects.filter(pk__in=[pk for pk in ids if pk % 10 == 0]).update(relay=made)
    return len(relays)


def measure(repeat: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from pledges.models import Relay, Signature
    from pledges.relays.services import territory_lists
    from pledges.relays.views import PAGE_SIZE

    moderator = get_user_model().objects.filter(username="bench-moderatrice").first()
    moderator = moderator or get_user_model().objects.create_user(
        "bench-moderatrice", "bench-moderatrice@coorace.test", "!", is_staff=True
    )
    moderator.groups.add(Group.objects.get(name="Modération"))
    client = Client()
    client.force_login(moderator)
    region = (
        Signature.objects.values("candidate__commune__departement__region_id")
        .annotate(n=Count("pk"))
        .order_by("-n")[0]["candidate__commune__departement__region_id"]
    )
    relay = Relay.objects.filter(accounts__isnull=False).get()
    relay_client = Client()
    relay_client.force_login(relay.accounts.get())
    relay_pages = max(1, -(-territory_lists(relay).count() // PAGE_SIZE))
    cases = [
        ("Dashboard", client, DASHBOARD, {}),
        (f"Dashboard, région {region}", client, DASHBOARD, {"region": region}),
        *(
            (f"CSV « {table} »", client, DASHBOARD, {"format": "csv", "table": table})
            for table in ("jours", "engagements", "regions", "departements", "couverture", "relais")
        ),
        ("Relais (every relay, its page of the dashboard)", client, RELAYS, {}),
        (f"Relais, région {region}", client, RELAYS, {"region": region}),
        (f"Espace relais ({relay.name}), page 1", relay_client, "/relais/", {}),
        (
            f"Espace relais, page {relay_pages}",
            relay_client,
            "/relais/",
            {"page": relay_pages},
        ),
        ("Espace relais, « n’a pas répondu »", relay_client, "/relais/", {"reponse": "no_answer"}),
    ]
    results = {"signatures": Signature.objects.count(), "vendor": connection.vendor, "rows": []}
    for name, client, path, query in cases:
        queries, times, statuses = [], [], set()

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            statuses.add(client.get(path, query, secure=True).status_code)
        for _ in range(repeat):
            started = time.perf_counter()
            statuses.add(client.get(path, query, secure=True).status_code)
            times.append((time.perf_counter() - started) * 1000)
        results["rows"].append(
            {
                "name": name,
                "median": statistics.median(times),
                "max": max(times),
                "queries": len(queries),
                "ok": statuses == {200},
            }
        )
    return results


def prepare_and_measure(signatories: int, repeat: int, reuse: bool) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    quiet = {"verbosity": 0, "stdout": open(os.devnull, "w")}  # noqa: SIM115
    if reuse:
        call_command("migrate", **quiet)  # a migration added since the kept run
        call_command("collectstatic", interactive=False, **quiet)
        results = measure(repeat)
        results["official_lists"] = official_lists()
        sys.stdout.write(json.dumps(results) + "\n")
        return
    for command in ("migrate", "import_communes", "load_charter"):
        call_command(command, **quiet)
    call_command("collectstatic", interactive=False, **quiet)
    started = time.perf_counter()
    seed = [sys.executable, str(ROOT / "benchmarks" / "bulk_seed.py"),
            "--signatories", str(signatories), "--seed", "2020"]  # fmt: skip
    subprocess.run(seed, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=sys.stderr)
    lists = seed_roster()
    relays = seed_relays()
    sys.stderr.write(
        f"  seeded {signatories:,}, {lists:,} official lists and {relays} relays "
        f"in {time.perf_counter() - started:.0f} s\n"
    )
    with connection.cursor() as cursor:
        # What autovacuum gives production after a bulk load (benchmarks/load.py does the
        # same): fresh statistics, and the visibility map that index-only scans read.
        cursor.execute("VACUUM (ANALYZE)")
    results = measure(repeat)
    results["official_lists"] = lists
    sys.stdout.write(json.dumps(results) + "\n")


def official_lists() -> int:
    from candidates.models import OfficialList

    return OfficialList.objects.count()


def run(database_url: str, signatories: int, repeat: int, scratch: str, reuse: bool) -> dict:
    env = {
        "DJANGO_STATIC_ROOT": f"{scratch}/static",
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "dashboard-benchmark",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "CACHE_URL": "locmem://dashboard-bench",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    argv = [sys.executable, __file__, "--child", str(signatories), "--repeat", str(repeat)]
    if reuse:
        argv.append("--reuse")
    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True)
    sys.stderr.write(done.stderr)
    done.check_returncode()
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(result: dict) -> str:
    lines = [
        f"| Dashboard ({result['vendor']}, {result['signatures']:,} signatures, "
        f"{result['official_lists']:,} official lists) | median | slowest | queries |",
        "|---|---|---|---|",
    ]
    for r in result["rows"]:
        flag = "" if r["ok"] and r["max"] <= LIMIT_MS else " ✗"
        lines.append(
            f"| {r['name']} | {r['median']:.0f} ms | {r['max']:.0f} ms{flag} | {r['queries']} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signatories", type=int, default=50_000)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--keep", action="store_true", help="keep the scratch database (to measure it again)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="measure the database a --keep run left, unseeded"
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child is not None:
        sys.path.insert(0, str(ROOT))
        prepare_and_measure(options.child, options.repeat, options.reuse)
        return 0

    import psycopg2

    admin = psycopg2.connect(options.postgres, dbname="postgres")
    admin.autocommit = True
    if not options.reuse:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {SCRATCH}")
    try:
        url = options.postgres.rsplit("/", 1)[0] + f"/{SCRATCH}"
        with tempfile.TemporaryDirectory(prefix="coorace-bench-dashboard-") as scratch:
            result = run(url, options.signatories, options.repeat, scratch, options.reuse)
    finally:
        if not options.keep:
            with admin.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
        admin.close()
    sys.stdout.write(table(result) + "\n")
    slow = [r["name"] for r in result["rows"] if not r["ok"] or r["max"] > LIMIT_MS]
    for name in slow:
        sys.stderr.write(f"{name} is over {LIMIT_MS} ms or did not answer 200\n")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
