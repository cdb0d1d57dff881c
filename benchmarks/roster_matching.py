"""Time the comparison of every signature with the official roster after an import.

Usage: .venv/bin/python benchmarks/roster_matching.py [--signatories 50000]
           [--postgres postgres://postgres@127.0.0.1:5432/postgres] [--sqlite]

A scratch database (PostgreSQL `coorace_bench_matching`, or with --sqlite a file in a
temporary directory) is migrated, given the communes and the charter, and seeded with
`benchmarks/bulk_seed.py --signatories N --seed 2020`. Then a roster is written in bulk as
the importer leaves one, for every commune that elects a council (about 35,000): each
site list gets its official list (nine in ten under its own name, some under another name
but the same head, one in twenty none), with its head, colistiers and ten more
candidates; every commune of 1,000 inhabitants or more three other lists of thirteen;
every smaller one five candidates standing alone, the site's individuals among them. Every
commune's `votes_by_list` is set, and every match reset to « pas encore comparée ».

Measured: `pledges.roster.matching.rematch_communes` over all those communes (what the
receiver runs after a national import), then once more (nothing to change). Prints the
rows, seconds, queries and matches. The scratch database is dropped at the end.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = "coorace_bench_matching"
FIRST = ["Hélène", "François", "Zoé", "Noël", "Chloé", "Jérôme", "Léa", "Loïc", "Inès", "Marc"]
LAST = ["Dupré", "Lefèvre", "Garçon", "Nguyên", "Roux", "Bernard", "Petit", "Faure", "Morel"]


def build_roster(rng: random.Random) -> dict:
    """Official lists and candidates for every electing commune, in bulk."""
    from django.db import transaction
    from django.utils import timezone

    from candidates.models import Candidate, OfficialCandidate, OfficialList, RosterImport
    from candidates.official.models import person_key
    from communes.models import SECTOR_CITIES, Commune, Secteur
    from pledges.models import ElectoralList, ListMembership
    from pledges.models.lists import list_name_key

    now = timezone.now()
    imported = RosterImport.objects.create(
        tour=1, kind="listes", file_name="bench", file_sha256="0" * 64, encoding="latin-1",
        started_at=now, finished_at=now,
    )  # fmt: skip
    lists, members = [], []  # (OfficialList, [(first, last), …])
    panels: dict[tuple, int] = {}

    def official_list(commune_id, secteur_id, name, head, colistiers):
        place = (commune_id, secteur_id)
        panels[place] = panels.get(place, 0) + 1
        number = panels[place]
        lists.append(
            OfficialList(
                tour=1, row_key=f"{commune_id}|{secteur_id}|{number}", commune_id=commune_id,
                secteur_id=secteur_id, panel_number=number, name=name.upper(),
                name_key=list_name_key(name), short_name="", short_name_key="", nuance="LDIV",
                head_first_name=head[0], head_last_name=head[1], head_key=person_key(*head),
                candidate_count=1 + len(colistiers), first_import=imported, last_import=imported,
            )
        )  # fmt: skip
        members.append([head, *colistiers])

    def people(count):
        return [
            (rng.choice(FIRST), f"{rng.choice(LAST)}{rng.randrange(10**6)}") for _ in range(count)
        ]

    colistiers: dict[int, list] = {}
    for list_id, first, last in ListMembership.objects.filter(
        status__in=ListMembership.ACTIVE
    ).values_list("electoral_list_id", "candidate__first_name", "candidate__last_name"):
        colistiers.setdefault(list_id, []).append((first, last))
    for electoral_list in ElectoralList.objects.select_related("head"):
        chance = rng.random()
        if chance < 0.05:
            continue
        head = electoral_list.head
        head_name = (head.first_name, head.last_name) if head else people(1)[0]
        name = electoral_list.name if chance < 0.95 else f"Autre nom {electoral_list.pk}"
        official_list(
            electoral_list.commune_id, electoral_list.secteur_id, name, head_name,
            colistiers.get(electoral_list.pk, []) + people(10),
        )  # fmt: skip
    communes = list(Commune.objects.electing().values_list("pk", "population", "insee_code"))
    secteurs = {}
    for secteur_id, commune_id in Secteur.objects.values_list("pk", "commune_id"):
        secteurs.setdefault(commune_id, []).append(secteur_id)
    by_list = {
        pk
        for pk, population, code in communes
        if code in SECTOR_CITIES or (population or 0) >= 1000
    }
    for pk in by_list:
        for secteur_id in secteurs.get(pk, [None]):
            for _ in range(3):
                official_list(
                    pk, secteur_id, f"Liste {rng.randrange(10**9)}", people(1)[0], people(12)
                )
    individuals: dict[int, list] = {}
    for commune_id, first, last in Candidate.objects.filter(role="individual").values_list(
        "commune_id", "first_name", "last_name"
    ):
        individuals.setdefault(commune_id, []).append((first, last))
    with transaction.atomic():
        OfficialList.objects.bulk_create(lists, batch_size=2000)
        rows = []
        for official, names in zip(lists, members, strict=True):
            for number, (first, last) in enumerate(names, start=1):
                rows.append(
                    OfficialCandidate(
                        tour=1, kind="listes", row_key=f"L|{official.row_key}|{number}",
                        commune_id=official.commune_id, secteur_id=official.secteur_id,
                        official_list_id=official.pk, panel_number=official.panel_number,
                        number=number, first_name=first, last_name=last,
                        name_key=person_key(first, last), last_import=imported,
                    )
                )  # fmt: skip
        for pk, _population, _code in communes:
            if pk in by_list:
                continue
            for panel, (first, last) in enumerate(individuals.get(pk, []) + people(5), start=1):
                rows.append(
                    OfficialCandidate(
                        tour=1, kind="plurinominal", row_key=f"P|{pk}|{panel}", commune_id=pk,
                        panel_number=panel, first_name=first, last_name=last,
                        name_key=person_key(first, last), last_import=imported,
                    )
                )  # fmt: skip
        OfficialCandidate.objects.bulk_create(rows, batch_size=5000)
        Commune.objects.filter(pk__in=by_list).update(votes_by_list=True)
        Commune.objects.electing().exclude(pk__in=by_list).update(votes_by_list=False)
        ElectoralList.objects.update(official_list=None, roster_match="", panel_number=None)
        Candidate.objects.update(official_candidate=None, roster_match="")
    return {
        "communes": len(communes),
        "official_lists": len(lists),
        "official_candidates": len(rows),
        "site_lists": ElectoralList.objects.count(),
        "site_candidates": Candidate.objects.count(),
    }


def prepare_and_measure(signatories: int) -> None:
    """Run inside the child process, whose DATABASE_URL names the scratch database."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from communes.models import Commune
    from pledges.roster.matching import rematch_communes

    quiet = {"verbosity": 0, "stdout": open(os.devnull, "w")}  # noqa: SIM115
    for command in ("migrate", "import_communes", "load_charter"):
        call_command(command, **quiet)
    seed = [sys.executable, str(ROOT / "benchmarks" / "bulk_seed.py"),
            "--signatories", str(signatories), "--seed", "2020"]  # fmt: skip
    subprocess.run(seed, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=sys.stderr)
    started = time.perf_counter()
    facts = build_roster(random.Random(2020))
    facts["roster_seconds"] = round(time.perf_counter() - started, 1)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    ids = list(Commune.objects.electing().values_list("pk", flat=True))
    runs = []
    for label in ("first comparison", "again, nothing to change"):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = rematch_communes(ids)
            seconds = time.perf_counter() - started
        slowest = defaultdict(float)
        for query in queries.captured_queries:
            slowest[" ".join(query["sql"].split()[:4])[:60]] += float(query["time"])
        runs.append(
            {
                "slowest": sorted(slowest.items(), key=lambda item: -item[1])[:4],
                "label": label,
                "seconds": round(seconds, 1),
                "queries": len(queries),
                "changed": result.changed,
                "lists": dict(result.lists),
                "candidates": dict(result.candidates),
            }
        )
    facts.update(vendor=connection.vendor, signatories=signatories, runs=runs)
    sys.stdout.write(json.dumps(facts) + "\n")


def run(database_url: str, signatories: int) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "CACHE_URL": "locmem://roster-matching-bench",
    }
    argv = [sys.executable, __file__, "--child", str(signatories)]
    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True)
    sys.stderr.write(done.stderr[-4000:])
    done.check_returncode()
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signatories", type=int, default=50_000)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child is not None:
        sys.path.insert(0, str(ROOT))
        prepare_and_measure(options.child)
        return 0
    if options.sqlite:
        with tempfile.TemporaryDirectory(prefix="coorace-bench-matching-") as scratch:
            facts = run(f"sqlite:///{scratch}/matching.sqlite3", options.signatories)
    else:
        import psycopg2

        admin = psycopg2.connect(options.postgres, dbname="postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {SCRATCH}")
        try:
            facts = run(options.postgres.rsplit("/", 1)[0] + f"/{SCRATCH}", options.signatories)
        finally:
            with admin.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
            admin.close()
    sys.stdout.write(
        f"{facts['vendor']}: {facts['signatories']:,} signatories, {facts['site_lists']:,} "
        f"site lists, {facts['site_candidates']:,} candidates; roster of "
        f"{facts['official_lists']:,} lists and {facts['official_candidates']:,} candidates in "
        f"{facts['communes']:,} communes (written in {facts['roster_seconds']} s)\n"
    )
    sys.stdout.write("| run | seconds | queries | rows changed | lists | candidates |\n")
    sys.stdout.write("|---|---|---|---|---|---|\n")
    for r in facts["runs"]:
        sys.stdout.write(
            f"| {r['label']} | {r['seconds']} | {r['queries']:,} | {r['changed']:,} | "
            f"{r['lists']} | {r['candidates']} |\n"
        )
    for r in facts["runs"]:
        sys.stderr.write(f"{r['label']}, seconds by kind of query: {r['slowest']}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
