#!/usr/bin/env python3
"""Build the article column (INSEE's `tncc`) of the shipped reference data.

    python communes/data/build_tncc.py [SHARED_DATA_DIR]

SHARED_DATA_DIR (default ../shared/data from the project's root) holds INSEE's COG 2020
communes file (sources/communes2020.csv, column tncc) and departements.csv (with tncc).
Writes, beside this script:

- departements.csv: the shared file as it is (code,name,region_code,tncc);
- communes-tncc.csv: insee_code,name,tncc for every name of communes-2020.csv and
  communes-latest.csv. A name that INSEE's 2020 file has under the same code takes INSEE's
  tncc; a newer name (a commune renamed or created since) or a commune of a COM (absent
  from that file) takes the article its name shows (« Le », « La », « Les », « L' »,
  « Aux », « Las », « Los »), else 1 before a vowel and 0 before a consonant or an h, but
  for a renamed commune whose first word stays (« Hesdin » → « Hesdin-la-Forêt »), which
  keeps its tncc (a mute h is known, never guessed). CORRECTIONS fixes INSEE's few
  values that contradict the name.

Run once when the data changes; the site never reads SHARED_DATA_DIR. Standard library only.
"""

import csv
import re
import shutil
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = (("Le ", 2), ("La ", 3), ("Les ", 4), ("L'", 5), ("Aux ", 6), ("Las ", 7), ("Los ", 8))
# INSEE's 2020 value contradicts the name: « Le Vernet-Chaméane » has its article (2, not 0),
# « Alloinay » starts with a vowel (1, not 0); « Yaté » (New Caledonia) says « de Yaté ».
CORRECTIONS = {"63448": 2, "79136": 1, "98832": 0}


def tncc_from_name(name: str) -> int:
    for article, tncc in ARTICLES:
        if name.startswith(article):
            return tncc
    first = unicodedata.normalize("NFD", name[0])[0].lower()
    return 1 if first in "aeiouyœæ" else 0


def first_word(name: str) -> str:
    return re.split(r"[- ']", name, maxsplit=1)[0]


def main(shared: Path) -> None:
    shutil.copyfile(shared / "departements.csv", HERE / "departements.csv")
    with (shared / "sources" / "communes2020.csv").open(encoding="utf-8", newline="") as handle:
        insee = {
            row["com"]: (row["libelle"], int(row["tncc"]))
            for row in csv.DictReader(handle)
            if row["typecom"] == "COM"
        }
    rows = {}
    for vintage in ("2020", "latest"):
        with (HERE / f"communes-{vintage}.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                code, name = row["insee_code"], row["name"]
                old_name, old_tncc = insee.get(code, ("", None))
                if name == old_name:
                    tncc = old_tncc
                else:
                    tncc = tncc_from_name(name)
                    if (
                        tncc <= 1
                        and old_tncc is not None
                        and old_tncc <= 1
                        and first_word(name) == first_word(old_name)
                    ):
                        tncc = old_tncc
                rows[(code, name)] = CORRECTIONS.get(code, tncc)
    with (HERE / "communes-tncc.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["insee_code", "name", "tncc"])
        for (code, name), tncc in sorted(rows.items()):
            writer.writerow([code, name, tncc])


if __name__ == "__main__":
    root = HERE.parent.parent
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else root.parent / "shared" / "data")
