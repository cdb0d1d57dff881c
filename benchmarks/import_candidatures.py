"""Time `manage.py import_candidatures` on a generated list file of 900,000 rows (PostgreSQL).

Usage: .venv/bin/python benchmarks/import_candidatures.py [--rows 900000]
           [--postgres postgres://postgres@127.0.0.1:5432/postgres] [--keep FILE]

The file is written in the Ministry's exact format (tests/candidates/official/files.py:
Latin-1, preamble and blank line, tab-separated, extra trailing tab, CRLF) from the shipped
communes (communes/data/communes-2020.csv): every commune of 1,000 inhabitants or more (and
the secteurs of Paris, Lyon and Marseille) gets one to four lists of its council's size plus
two, in turn (more lists at each new turn), until the rows are there; names are drawn with a
fixed seed from some sixty first names and ninety last names with accents. Twenty rows are
awkward on purpose (ten in a commune that does not exist, ten shifted by an empty cell).

A scratch database (coorace_bench_roster) is created, migrated and given the communes; then,
each in a new process (Django start-up included):
1. the first import (everything created, COPY),
2. the same file again (nothing to change),
3. a newer file of the same round: 1 % of the candidates renamed, one list in 200 gone.
It prints a table: rows, seconds, peak RSS of the process, and what the import reported; then
the memory taken by the dict of existing candidates the second run diffs against.
"""

import argparse
import csv
import os
import platform
import random
import re
import secrets
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.candidates.official.files import file_lines, list_row  # noqa: E402

DATABASE = "coorace_bench_roster"
SECRET_KEY = secrets.token_urlsafe(50)
FIRST_NAMES = [
    "Hélène",
    "François",
    "Zoé",
    "Noël",
    "Chloé",
    "Jérôme",
    "Léa",
    "Gaëlle",
    "Mathéo",
    "Inès",
    "Benoît",
    "Maëlle",
    "Loïc",
    "Anaïs",
    "Stéphane",
    "Céline",
    "Rémi",
    "Agnès",
    "Théo",
    "Clémence",
    "Joël",
    "Françoise",
    "Jean-Noël",
    "Marie-Hélène",
    "Aurélien",
    "Camille",
    "Nicolas",
    "Julie",
    "Thomas",
    "Sophie",
    "Pierre",
    "Isabelle",
    "Laurent",
    "Nathalie",
    "Philippe",
    "Sandrine",
    "Michel",
    "Valérie",
    "Olivier",
    "Catherine",
    "Frédéric",
    "Émilie",
    "Sébastien",
    "Élodie",
    "Mickaël",
    "Hervé",
    "Gérard",
    "Danièle",
    "Raphaël",
    "Héloïse",
    "Josée",
    "André",
    "Eugénie",
    "Cécile",
    "Timothée",
    "Amélie",
    "Ségolène",
    "Bérénice",
]
LAST_NAMES = [
    "MARTIN",
    "BERNARD",
    "DUBOIS",
    "THOMAS",
    "ROBERT",
    "RICHARD",
    "PETIT",
    "DURAND",
    "LEROY",
    "MOREAU",
    "SIMON",
    "LAURENT",
    "LEFÈVRE",
    "MICHEL",
    "GARCIA",
    "DAVID",
    "BERTRAND",
    "ROUX",
    "VINCENT",
    "FOURNIER",
    "MOREL",
    "GIRARD",
    "ANDRÉ",
    "MERCIER",
    "DUPONT",
    "LAMBERT",
    "BONNET",
    "FRANÇOIS",
    "MARTINEZ",
    "LEGRAND",
    "GARNIER",
    "FAURE",
    "ROUSSEAU",
    "BLANC",
    "GUÉRIN",
    "MULLER",
    "HENRY",
    "ROUSSEL",
    "NICOLAS",
    "PERRIN",
    "MORIN",
    "MATHIEU",
    "CLÉMENT",
    "GAUTHIER",
    "DUMONT",
    "LOPEZ",
    "FONTAINE",
    "CHEVALIER",
    "ROBIN",
    "MASSON",
    "SANCHEZ",
    "GÉRARD",
    "NGUYEN",
    "BOYER",
    "DENIS",
    "LEMAIRE",
    "DUVAL",
    "JOLY",
    "GAUTIER",
    "ROGER",
    "ROCHE",
    "ROY",
    "NOËL",
    "MEYER",
    "LUCAS",
    "MEUNIER",
    "JEAN",
    "PÉREZ",
    "MARCHAND",
    "DUFOUR",
    "BLANCHARD",
    "MARIE",
    "BARBIER",
    "BRUN",
    "DUMAS",
    "BRUNET",
    "SCHMITT",
    "LEROUX",
    "COLIN",
    "FERNANDEZ",
    "PIERRE",
    "RENARD",
    "ARNAUD",
    "GIRAUD",
    "PRÉVOST",
    "LE GOFF",
    "LE GALL",
    "CAILLÉ",
    "BÉNÉZECH",
    "D'ALMEIDA",
    "DE LA FONTAINE",
    "SAINT-ÉLOI",
]
COUNCIL_SIZES = (  # population from which a council has this many seats (CGCT L2121-2)
    (1000, 15),
    (2000, 19),
    (3500, 23),
    (5000, 27),
    (10000, 29),
    (20000, 33),
    (30000, 35),
    (40000, 39),
    (50000, 43),
    (60000, 45),
    (80000, 49),
    (100000, 53),
    (150000, 55),
    (200000, 59),
    (250000, 61),
    (300000, 65),
)
NUANCES = ("LDVG", "LDVD", "LDIV", "LUG", "LUD", "LREM", "LECO", "LSOC", "LLR", "LRN", "LEXG")
LETTER_CODES = {"971": "ZA", "972": "ZB", "973": "ZC", "974": "ZD", "976": "ZM", "975": "ZS"}
SECTORS = {"75056": [1, *range(5, 21)], "13055": range(1, 9), "69123": range(1, 10)}


def council_size(population: int) -> int:
    return max((size for floor, size in COUNCIL_SIZES if population >= floor), default=15)


def latin1(name: str) -> str:
    """The few letters of names not in Latin-1 (« œ », « Ÿ »), as a Latin-1 file writes them."""
    return name.replace("œ", "oe").replace("Œ", "OE").replace("Ÿ", "Y")


def places():
    """(département code in the file, « Code commune », commune name, seats), in turn."""
    with (ROOT / "communes/data/communes-2020.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            population = int(row["population"] or 0)
            if population < 1000 or row["departement_code"] in ("987", "988"):
                continue
            dep = row["departement_code"]
            code = row["insee_code"]
            if code in SECTORS:
                for number in SECTORS[code]:
                    yield dep, f"{code[2:]}SR{number:02d}", latin1(row["name"]), 35
                continue
            file_dep = LETTER_CODES.get(dep, dep)
            commune_code = code[2:] if len(dep) == 3 else code[len(dep) :]
            yield file_dep, commune_code, latin1(row["name"]), council_size(population)


def generate(path: Path, rows: int, *, seed: int = 2020) -> None:
    rng = random.Random(seed)

    def candidates():
        written = 0
        panels = {}  # the last panel number given in each place (a second turn adds lists)
        while True:
            for dep, code, name, seats in places():
                last = panels.get((dep, code), 0)
                panels[dep, code] = last + rng.randint(1, 4)
                for panel in range(last + 1, panels[dep, code] + 1):
                    list_name = f"{rng.choice(('Agir', 'Vivre', 'Ensemble'))} pour {name}"
                    nuance = rng.choice(NUANCES)
                    for number in range(1, seats + 3):
                        yield list_row(
                            code,
                            dep,
                            panel,
                            number,
                            rng.choice(LAST_NAMES),
                            rng.choice(FIRST_NAMES),
                            commune_name=name,
                            short_name=latin1(list_name[:30].upper()),
                            name=list_name,
                            nuance=nuance,
                            sex="F" if number % 2 else "M",
                            communautaire="O" if number <= seats // 3 else "N",
                        )
                        written += 1
                        if written == rows - 20:
                            return

    def awkward():
        for index in range(10):
            yield list_row("999", "01", index + 1, 1, "NULLEPART", "Personne")
            shifted = list(
                list_row("004", "01", 90, index + 1, "DÉCALÉ", "Ligne", name="Liste décalée")
            )
            shifted.insert(4, "")
            yield shifted

    def all_rows():
        yield from candidates()
        yield from awkward()

    with path.open("w", encoding="latin-1", newline="") as handle:
        handle.writelines(file_lines(all_rows()))


def newer(source: Path, target: Path, *, seed: int = 2026) -> None:
    """The same file with 1 % of the names changed and one list in 200 left out."""
    rng = random.Random(seed)
    with (
        source.open(encoding="latin-1", newline="") as lines,
        target.open("w", encoding="latin-1", newline="") as out,
    ):
        for number, line in enumerate(lines):
            cells = line.split("\t")
            if number > 3 and len(cells) > 12:
                if zlib.crc32(f"{cells[0]}{cells[2]}|{cells[4]}".encode()) % 200 == 0:
                    continue
                if rng.random() < 0.01:
                    cells[10] = cells[10] + "-" + rng.choice(LAST_NAMES)
                    line = "\t".join(cells)
            out.write(line)


def production_settings(database_url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": SECRET_KEY,
    }


def manage(*args: str, database_url: str) -> str:
    env = {**os.environ, **production_settings(database_url)}
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"manage.py {args[0]} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def timed_manage(path: Path, database_url: str, *args: str) -> tuple[float, int, str]:
    """Seconds, peak RSS (MiB, the child's own: os.wait4) and output of `manage.py *args`
    in a new process, its stdout kept in path.out (benchmarks/import_elus.py uses it too)."""
    env = {**os.environ, **production_settings(database_url)}
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: stdout to a file, then exec manage.py
        with open(f"{path}.out", "w") as out:
            os.dup2(out.fileno(), 1)
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "manage.py", *args], env)
    _pid, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - started
    output = Path(f"{path}.out").read_text()
    if status:
        raise SystemExit(f"manage.py {args[0]} failed ({status}):\n{output}")
    return elapsed, usage.ru_maxrss // 1024, output


def timed_import(path: Path, database_url: str) -> tuple[float, int, str]:
    """Seconds, peak RSS (MiB) and output of one import_candidatures of the file."""
    return timed_manage(path, database_url, "import_candidatures", str(path), "--tour", "1")


COPY_COLUMNS = (
    "tour, kind, last_import_id, row_key, commune_id, secteur_id, official_list_id, "
    "panel_number, number, sex, last_name, first_name, name_key, nationality, communautaire"
)


def postgresql_alone(url: str, folder: str) -> float:
    """Seconds PostgreSQL itself takes to COPY the imported candidates back in and commit
    (their 9 indexes, the deferred checks of their 4 foreign keys): the floor of the import."""
    dump = Path(folder) / "candidates.copy"
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor, dump.open("w") as out:
            cursor.copy_expert(
                f"COPY (SELECT {COPY_COLUMNS} FROM candidates_officialcandidate) TO STDOUT", out
            )
            cursor.execute("TRUNCATE candidates_officialcandidate CASCADE")
        connection.commit()
        started = time.perf_counter()
        with connection.cursor() as cursor, dump.open() as source:
            cursor.copy_expert(
                f"COPY candidates_officialcandidate ({COPY_COLUMNS}) FROM STDIN", source
            )
        connection.commit()
        return time.perf_counter() - started
    finally:
        connection.close()


def reported(output: str) -> str:
    added = re.search(r"Candidat·es : (\d+) ajouté·es, (\d+) modifié·es, (\d+) disparu", output)
    unplaced = re.search(r"Lignes non placées : (\d+)", output)
    repaired = re.search(r"Lignes réparées \(colonnes décalées\) : (\d+)", output)
    return (
        f"{int(added[1]):,} added, {int(added[2]):,} updated, {int(added[3]):,} gone; "
        f"{unplaced[1] if unplaced else 0} unplaced, {repaired[1] if repaired else 0} repaired"
    )


DICT_SIZE = """
import tracemalloc
from pathlib import Path
from candidates.official.importer import Importer
importer = Importer(path=Path({path!r}), tour=1)
importer.read()
tracemalloc.start()
existing = importer._existing_candidates()
size, _peak = tracemalloc.get_traced_memory()
print(len(existing), size)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=900_000)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep", type=Path, help="Keep the generated file at this path.")
    options = parser.parse_args()

    admin = psycopg2.connect(options.postgres, dbname="postgres", connect_timeout=3)
    admin.autocommit = True
    url = options.postgres.rsplit("/", 1)[0] + f"/{DATABASE}"
    with tempfile.TemporaryDirectory() as folder:
        path = options.keep or Path(folder) / "livre-des-listes-et-candidats.txt"
        started = time.perf_counter()
        generate(path, options.rows)
        newer_path = Path(folder) / "livre-des-listes-et-candidats-v2.txt"
        newer(path, newer_path)
        print(
            f"Generated {options.rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) in "
            f"{time.perf_counter() - started:.1f} s."
        )
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
            cursor.execute(f"CREATE DATABASE {DATABASE}")
        try:
            manage("migrate", "--noinput", "--verbosity", "0", database_url=url)
            manage("import_communes", "--verbosity", "0", database_url=url)
            runs = [
                ("First import", path),
                ("Same file again", path),
                ("Newer file (1 % renamed, 0.5 % of lists gone)", newer_path),
            ]
            load = os.getloadavg()
            results = [(label, *timed_import(file, url)) for label, file in runs]
            output = manage("shell", "-c", DICT_SIZE.format(path=str(path)), database_url=url)
            floor = postgresql_alone(url, folder)
            entries, size = map(int, output.split("\n")[-2].split())
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
    print("| Run | Rows | Seconds | Peak RSS | Reported |")
    print("|-----|-----:|--------:|---------:|----------|")
    for label, elapsed, rss, output in results:
        print(
            f"| {label} | {options.rows:,} | {elapsed:.1f} s | {rss:,} MiB | {reported(output)} |"
        )
    print(
        f"\nPostgreSQL alone, the same {entries:,} candidates by one COPY and its commit (no "
        f"Python): {floor:.1f} s."
    )
    print(
        f"Dict of existing candidates diffed against: {entries:,} entries, "
        f"{size / 2**20:.0f} MiB ({size / max(entries, 1):.0f} bytes each)."
    )


if __name__ == "__main__":
    main()
