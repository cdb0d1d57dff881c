"""Time `manage.py import_elus` on a generated RNE file of national size (PostgreSQL).

Usage: .venv/bin/python benchmarks/import_elus.py [--councillors N] [--roster-rows 900000]
           [--postgres postgres://postgres@127.0.0.1:5432/postgres] [--keep FILE]

A scratch database (coorace_bench_elus) is created, migrated and given the communes
(import_communes); then an official roster: the candidatures file of
benchmarks/import_candidatures.py (--roster-rows rows, 0 for none) imported by
`import_candidatures --tour 1`, so that the comparison after the import has candidacies to
tie the councillors to.

The RNE file (conseillers municipaux) is written in the shape the tests use
(tests/candidates/official/elected_files.py: the RNE's column names, dd/mm/yyyy dates),
semicolon-separated in UTF-8 as the RNE's current editions are: every commune of the
database gets its council (7 seats under 100 inhabitants, 11 under 500, 15 under 1,500, then
the CGCT's sizes up to 69 for Paris, Lyon, Marseille: about 500,000 councillors over 35,000
communes), or the first --councillors of them. Where the roster has lists, the councillors
are the candidates of the first list (three quarters of the seats, its head the mayor) and
of the next ones; elsewhere names are drawn with a fixed seed. Ten lines are awkward on
purpose (five in a commune that does not exist, five with an unreadable birth date).

Each run in a new process (Django start-up and the comparison after the commit included):
1. the first import (everything created, then matched: pledges.outcomes.matching),
2. the same file again (the diff: nothing to change, nothing to match).
It prints a table: councillors, seconds, peak RSS of the process, what the import reported,
and what the comparison found.
"""

import argparse
import datetime
import os
import platform
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.import_candidatures import (  # noqa: E402
    FIRST_NAMES,
    LAST_NAMES,
    council_size,
    generate,
    manage,
    timed_manage,
)
from tests.candidates.official.elected_files import elu, rne_file_lines  # noqa: E402

DATABASE = "coorace_bench_elus"
SMALL_COUNCILS = ((100, 7), (500, 11))  # CGCT L2121-2 below 1,000 inhabitants
BIG_CITIES = {"75056": 163, "13055": 101, "69123": 73}  # conseillers municipaux (d'arr. apart)
ADJOINTS = 4
MANDATES = ("23/05/2020", "04/07/2020")  # first round councils met in May, second in July


def seats_of(insee_code: str, population: int) -> int:
    if insee_code in BIG_CITIES:
        return BIG_CITIES[insee_code]
    for ceiling, seats in SMALL_COUNCILS:
        if population < ceiling:
            return seats
    return council_size(population)


def communes(url: str) -> list[tuple[str, str, str, int, int]]:
    """(INSEE code, département code, name, population, pk) of every commune of the database."""
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT insee_code, departement_id, name, COALESCE(population, 0), id "
            "FROM communes_commune ORDER BY insee_code"
        )
        return cursor.fetchall()


def roster_lists(url: str) -> dict[int, list[list[tuple[str, str, str]]]]:
    """Commune pk → its first-round lists (by panel), each its candidates (last name, first
    name, sex) by number."""
    lists = defaultdict(lambda: defaultdict(list))
    with psycopg2.connect(url) as connection, connection.cursor("roster") as cursor:
        cursor.itersize = 50_000
        cursor.execute(
            "SELECT commune_id, panel_number, last_name, first_name, sex "
            "FROM candidates_officialcandidate WHERE tour = 1 AND gone_at IS NULL "
            "ORDER BY commune_id, panel_number, number"
        )
        for commune_id, panel, last_name, first_name, sex in cursor:
            lists[commune_id][panel].append((last_name, first_name, sex))
    return {pk: [panels[p] for p in sorted(panels)] for pk, panels in lists.items()}


def council(lists, seats: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """The councillors of a commune: from its lists if the roster has some, else drawn."""
    if not lists:
        return [
            (rng.choice(LAST_NAMES), rng.choice(FIRST_NAMES), "F" if n % 2 else "M")
            for n in range(seats)
        ]
    majority = seats - seats // 4
    first, others = lists[0], [list(reversed(candidates)) for candidates in lists[1:]]
    chosen = first[:majority]
    while len(chosen) < seats and any(others):  # the opposition, in turn, heads first
        for candidates in others:
            if candidates and len(chosen) < seats:
                chosen.append(candidates.pop())
    chosen += first[majority : majority + seats - len(chosen)]  # a single list: all its own
    return chosen


def birth_date(rng: random.Random) -> str:
    day = datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 62))
    return day.strftime("%d/%m/%Y")


def write_file(path: Path, url: str, councillors: int | None, *, seed: int = 2020) -> int:
    rng = random.Random(seed)
    roster = roster_lists(url)
    written = 0

    def rows():
        nonlocal written
        for insee_code, dep, name, population, pk in communes(url):
            mandate = MANDATES[0] if pk not in roster or len(roster[pk]) == 1 else MANDATES[1]
            seats = seats_of(insee_code, population)
            for number, (last_name, first_name, sex) in enumerate(
                council(roster.get(pk), seats, rng)
            ):
                function = "Maire" if number == 0 else ""
                if 0 < number <= ADJOINTS:
                    function = f"{number}{'er' if number == 1 else 'e'} adjoint au maire"
                yield elu(
                    insee_code,
                    dep,
                    last_name,
                    first_name,
                    sex=sex or "F",
                    born=birth_date(rng),
                    mandate=mandate,
                    function=function,
                    commune_name=name,
                )
                written += 1
            if councillors and written >= councillors - 10:
                break
        for index in range(5):
            yield elu("99999", "99", "NULLEPART", "Personne", born=birth_date(rng))
            yield elu("01004", "01", "DATÉ", f"Mal{index}", born="31/02/19xx")
            written += 2

    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.writelines(rne_file_lines(rows(), delimiter=";"))
    return written


def reported(output: str) -> str:
    found = re.search(r"Élu·es : (\d+) ajouté·es, (\d+) modifié·es, (\d+) disparu", output)
    unplaced = re.search(r"Lignes écartées : (\d+)", output)
    return (
        f"{int(found[1]):,} added, {int(found[2]):,} updated, {int(found[3]):,} gone; "
        f"{unplaced[1] if unplaced else 0} set aside"
    )


def matched(url: str) -> str:
    """What the comparison wrote: councillors by roster_match, official lists by outcome."""
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT roster_match, COUNT(*) FROM candidates_electedcouncillor GROUP BY 1 ORDER BY 1"
        )
        councillors = ", ".join(f"{match or '—'} {count:,}" for match, count in cursor)
        cursor.execute(
            "SELECT outcome, COUNT(*) FROM candidates_officiallist GROUP BY 1 ORDER BY 1"
        )
        lists = ", ".join(f"{outcome or 'blank'} {count:,}" for outcome, count in cursor)
    return f"councillors: {councillors}; official lists: {lists}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--councillors", type=int, help="Stop after this many councillors (default: all)."
    )
    parser.add_argument(
        "--roster-rows",
        type=int,
        default=900_000,
        help="Rows of the official roster imported first (0: none).",
    )
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep", type=Path, help="Keep the generated RNE file at this path.")
    options = parser.parse_args()

    admin = psycopg2.connect(options.postgres, dbname="postgres", connect_timeout=3)
    admin.autocommit = True
    url = options.postgres.rsplit("/", 1)[0] + f"/{DATABASE}"
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        cursor.execute(f"CREATE DATABASE {DATABASE}")
    try:
        with tempfile.TemporaryDirectory() as folder:
            manage("migrate", "--noinput", "--verbosity", "0", database_url=url)
            manage("import_communes", "--verbosity", "0", database_url=url)
            roster_seconds = 0.0
            if options.roster_rows:
                roster = Path(folder) / "livre-des-listes-et-candidats.txt"
                generate(roster, options.roster_rows)
                roster_seconds, _rss, _output = timed_manage(
                    roster, url, "import_candidatures", str(roster), "--tour", "1"
                )
            path = options.keep or Path(folder) / "elus-municipaux-cm.csv"
            started = time.perf_counter()
            written = write_file(path, url, options.councillors)
            print(
                f"Roster: {options.roster_rows:,} rows imported in {roster_seconds:.1f} s. "
                f"RNE file: {written:,} lines ({path.stat().st_size / 1e6:.0f} MB) written in "
                f"{time.perf_counter() - started:.1f} s."
            )
            load = os.getloadavg()
            results = []
            for label in ("First import (then matched)", "Same file again (diff)"):
                results.append((label, *timed_manage(path, url, "import_elus", str(path))))
                results[-1] += (matched(url),)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        admin.close()

    after = os.getloadavg()
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; load average (1/5/15 min) {load[0]:.2f} / "
        f"{load[1]:.2f} / {load[2]:.2f} before the imports, {after[0]:.2f} / {after[1]:.2f} / "
        f"{after[2]:.2f} after."
    )
    print("PostgreSQL, each run in a new process (Django start-up included).\n")
    print("| Run | Lines | Seconds | Peak RSS | Reported | Matched |")
    print("|-----|------:|--------:|---------:|----------|---------|")
    for label, elapsed, rss, output, found in results:
        print(
            f"| {label} | {written:,} | {elapsed:.1f} s | {rss:,} MiB | {reported(output)} "
            f"| {found} |"
        )


if __name__ == "__main__":
    main()
