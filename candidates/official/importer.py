"""Import the Ministry of the Interior's files of candidatures (`manage.py import_candidatures`).

The files (data.gouv.fr, « Élections municipales 2020 - Listes des candidats ») are
tab-separated text, in ISO-8859-1 as published (UTF-8, with or without a BOM, is accepted
too), with a preamble line and a blank line before the header row, and an extra tab at the end
of every line. Columns are found by their header names (accents, case and « N° »/« Numéro »
do not matter), so that the list file and the plurinominal file, and a later year's column
order, read the same way.

The contract, as for the communes' import:

- A file that is not one of these files (no header, missing columns, empty, binary or UTF-16)
  stops the import with the file, the line number and the reason, and writes nothing.
- A row that cannot be placed (unknown commune or secteur, unreadable panel number, columns
  shifted in a way that cannot be repaired with certainty, a duplicate, a truncated last line)
  is not imported but listed in the report with its line number; the counts say how many.
  A row shifted by one column is repaired when exactly one reading of it is valid (an empty
  cell too many, or one missing), and the report lists the repair.
- Everything is written in one transaction. Each list and candidate keeps a key made of its
  place in the file (`row_key`: place code, panel, number), so that the same file again
  changes nothing and a newer file of the same round updates what changed, adds what is new
  and sets `gone_at` on what it no longer holds (of the same kind of file).
- `last_import` is the import that last wrote the row (created, changed or marked gone), not
  the last one that read it: a second run of the same file writes nothing but its RosterImport.

The file is read three times, line by line (memory bounded by the number of lists, not of
candidates): once for its SHA-256 and its encoding, once to check every row and build the
lists, once to write the candidates. The candidates already in the database for the round
are held as one dict (row_key → pk, a 64-bit hash of their fields, gone or not) to diff.
On PostgreSQL new candidates are written with COPY; elsewhere with bulk_create.
"""

import codecs
import hashlib
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.official.models import (
    OfficialCandidate,
    OfficialList,
    RosterImport,
    RosterKind,
    Tour,
    person_key,
)
from candidates.official.signals import roster_imported
from communes.models import SECTOR_CITIES, Commune, Secteur
from communes.search import normalize_name

BATCH_SIZE = 5000
COPY_BATCH_SIZE = 50_000
HEADER_SEARCH_LINES = 10
REPORT_MAX_LINES = 10_000
_MASK64 = (1 << 64) - 1

# Letter codes the Ministry uses for the overseas départements and collectivités.
OVERSEAS_LETTER_CODES = {
    "ZA": "971",  # Guadeloupe
    "ZB": "972",  # Martinique
    "ZC": "973",  # Guyane
    "ZD": "974",  # La Réunion
    "ZM": "976",  # Mayotte
    "ZS": "975",  # Saint-Pierre-et-Miquelon
    "ZP": "987",  # Polynésie française
    "ZN": "988",  # Nouvelle-Calédonie
    # ZX (Saint-Martin, Saint-Barthélemy) and ZW (Wallis-et-Futuna) elect no municipal
    # council: their rows, if any, are reported as unknown communes.
}
# The city's code in the département, when a row gives only « SR01 ».
SECTOR_CITY_IN_DEPARTEMENT = {"75": "056", "13": "055", "69": "123"}
# A municipal arrondissement's INSEE code is this base plus its number (75101, 13201, 69381).
ARRONDISSEMENT_BASE = {"75056": 75100, "13055": 13200, "69123": 69380}

_COMMUNE_CODE = re.compile(r"(?P<base>[0-9]{1,3})?(?:(?P<kind>SR|AR)(?P<number>[0-9]{1,2}))?")
_DEPARTEMENT_CODE = re.compile(r"[0-9]{1,3}|2[AB]|Z[A-Z]")
_TOUR_IN_PREAMBLE = (
    (1, re.compile(r"\b(?:1er|premier|1)\s*tour\b|\btour\s*(?:n°\s*)?1\b", re.IGNORECASE)),
    (2, re.compile(r"\b(?:2nd|2nde|2e|2ème|second|2)\s*tour\b|\btour\s*(?:n°\s*)?2\b", re.I)),
)


class RosterFileError(Exception):
    """A file that cannot be imported: which file, which line and why."""

    def __init__(self, path: Path, line: int | None, reason: str):
        self.path, self.line, self.reason = path, line, reason
        where = _("%(path)s, ligne %(line)s") % {"path": path, "line": line} if line else path
        super().__init__(f"{where} : {reason}")


# --- Columns ----------------------------------------------------------------------------------

_STOPWORDS = {"du", "de", "la", "le", "des", "d", "l"}
_NUMBER_WORDS = {"n", "no", "num", "numero"}


def column_key(text: str) -> str:
    """A header cell without accents, case, articles, and « N° » read as « numero »."""
    text = unicodedata.normalize("NFKD", text.replace("°", " ").replace("º", " "))
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    words = ("numero" if word in _NUMBER_WORDS else word for word in re.findall(r"[a-z0-9]+", text))
    return " ".join(word for word in words if word not in _STOPWORDS)


# field → the header names it may have (as column_key writes them).
_ALIASES = {
    "dep_code": ("code departement",),
    "dep_name": ("libelle departement",),
    "commune_code": ("code commune",),
    "commune_name": ("libelle commune",),
    "list_panel": ("numero panneau liste",),
    "individual_panel": ("numero panneau candidat",),
    "short_name": ("libelle abrege liste",),
    "name": ("libelle etendu liste",),
    "nuance": ("nuance liste", "code nuance liste", "nuance"),
    "number": ("numero candidat", "numero ordre candidat", "ordre candidat"),
    "sex": ("sexe candidat", "sexe"),
    "last_name": ("nom candidat", "nom"),
    "first_name": ("prenom candidat", "prenom"),
    "nationality": ("nationalite", "nationalite candidat"),
    "communautaire": ("candidat au conseil communautaire", "candidat conseil communautaire"),
}
_FIELD_OF_KEY = {alias: name for name, aliases in _ALIASES.items() for alias in aliases}
_REQUIRED = {
    RosterKind.LISTS: (
        "dep_code",
        "commune_code",
        "list_panel",
        "name",
        "number",
        "last_name",
        "first_name",
    ),
    RosterKind.INDIVIDUALS: (
        "dep_code",
        "commune_code",
        "individual_panel",
        "last_name",
        "first_name",
    ),
}
_LABELS = {
    "dep_code": "Code du département",
    "commune_code": "Code commune",
    "list_panel": "N° Panneau Liste",
    "individual_panel": "N° Panneau Candidat",
    "name": "Libellé Etendu Liste",
    "number": "N° candidat",
    "last_name": "Nom candidat",
    "first_name": "Prénom candidat",
}

# What a cell of each column looks like, to choose the one valid reading of a shifted row.
_NAME = re.compile(r"[^\d]*[^\W\d_][^\d]*")
_PLAUSIBLE = {
    "dep_code": _DEPARTEMENT_CODE,
    "commune_code": re.compile(r"(?=\w)(?:[0-9]{1,3})?(?:(?:SR|AR)[0-9]{1,2})?", re.IGNORECASE),
    "dep_name": re.compile(r".*[^\W\d_].*"),
    "commune_name": re.compile(r".*[^\W\d_].*"),
    "list_panel": re.compile(r"[0-9]{1,3}"),
    "individual_panel": re.compile(r"[0-9]{1,3}"),
    "short_name": re.compile(r".*"),
    "name": re.compile(r".+"),
    "nuance": re.compile(r"[A-Z]{0,6}", re.IGNORECASE),
    "number": re.compile(r"[0-9]{1,3}"),
    "sex": re.compile(r"[MFH]", re.IGNORECASE),
    "last_name": _NAME,
    "first_name": _NAME,
    "nationality": re.compile(r"[^\W\d_]{0,12}"),
    "communautaire": re.compile(r"|O|N|OUI|NON", re.IGNORECASE),
}
# Columns whose cell may be empty: where a missing cell may be put back.
_MAY_BE_EMPTY = {"dep_name", "commune_name", "short_name", "nuance", "nationality", "communautaire"}


@dataclass(frozen=True)
class Layout:
    """Where each column is, as the header row says."""

    kind: str
    header_line: int
    width: int  # named header cells (the empty trailing one not counted)
    trailing_tab: bool
    index: dict[str, int]
    preamble: str

    def plausible(self, cells: list[str]) -> bool:
        if len(cells) != self.width:
            return False
        for name, position in self.index.items():
            pattern = _PLAUSIBLE.get(name)
            if pattern is not None and not pattern.fullmatch(cells[position].strip()):
                return False
        return True

    def position(self, name: str) -> int:
        """Where a row read by _read_rows holds the column: its stripped cells, then an empty
        one that stands for every column the file does not have."""
        return self.index.get(name, self.width)

    def cell(self, cells: list[str], name: str) -> str:
        return cells[self.position(name)]


def _layout(path: Path, line_number: int, text: str, preamble: list[str], kind: str | None):
    cells = text.split("\t")
    trailing_tab = len(cells) > 1 and cells[-1].strip() == ""
    while cells and cells[-1].strip() == "":
        cells.pop()
    index = {}
    for position, cell in enumerate(cells):
        name = _FIELD_OF_KEY.get(column_key(cell))
        if name is None:
            continue
        if name in index:
            raise RosterFileError(
                path,
                line_number,
                _("la colonne « %(column)s » figure deux fois dans l’en-tête")
                % {"column": cell.strip()},
            )
        index[name] = position
    lists = "list_panel" in index or "name" in index
    found = RosterKind.LISTS if lists else RosterKind.INDIVIDUALS
    if kind and kind != found:
        raise RosterFileError(
            path,
            line_number,
            _("ce fichier est le « %(found)s », pas le « %(kind)s » demandé (--kind)")
            % {"found": RosterKind(found).label, "kind": RosterKind(kind).label},
        )
    missing = [_LABELS[name] for name in _REQUIRED[found] if name not in index]
    if missing:
        raise RosterFileError(
            path,
            line_number,
            _("colonne(s) manquante(s) dans l’en-tête : %(columns)s")
            % {"columns": ", ".join(f"« {label} »" for label in missing)},
        )
    return Layout(
        kind=found,
        header_line=line_number,
        width=len(cells),
        trailing_tab=trailing_tab,
        index=index,
        preamble=" ".join(preamble),
    )


def _is_header(text: str) -> bool:
    keys = {column_key(cell) for cell in text.split("\t")}
    return "code departement" in keys and "code commune" in keys


# --- Reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileFacts:
    sha256: str
    encoding: str
    size: int
    lines: int


def _file_facts(path: Path) -> FileFacts:
    """The SHA-256 and the encoding: UTF-8 if every byte decodes so, else cp1252 if the file
    uses its characters (’ œ …), else Latin-1 (the published ISO-8859-1)."""
    digest = hashlib.sha256()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8 = True
    has_c1 = False
    is_cp1252 = True
    size = 0
    line = 1
    try:
        handle = path.open("rb")
    except OSError as error:
        raise RosterFileError(
            path, None, _("fichier illisible (%(error)s)") % {"error": error.strerror or error}
        ) from None
    with handle:
        first = True
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            if first and chunk[:2] in (b"\xff\xfe", b"\xfe\xff"):
                raise RosterFileError(
                    path,
                    1,
                    _("fichier en UTF-16 : enregistrez-le en UTF-8 ou en Latin-1 (ISO-8859-1)"),
                )
            first = False
            nul = chunk.find(b"\x00")
            if nul >= 0:
                raise RosterFileError(
                    path,
                    line + chunk.count(b"\n", 0, nul),
                    _(
                        "octet nul : ce n’est pas un fichier texte du ministère (binaire, "
                        "compressé ou UTF-16 ?)"
                    ),
                )
            line += chunk.count(b"\n")
            digest.update(chunk)
            size += len(chunk)
            if is_utf8:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError:
                    is_utf8 = False
            if not has_c1 and re.search(rb"[\x80-\x9f]", chunk):
                has_c1 = True
            if has_c1 and is_cp1252:
                try:
                    chunk.decode("cp1252")
                except UnicodeDecodeError:
                    is_cp1252 = False
    if is_utf8:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            is_utf8 = False
    if is_utf8:
        with path.open("rb") as handle:
            encoding = "utf-8-sig" if handle.read(3) == b"\xef\xbb\xbf" else "utf-8"
    else:
        encoding = "cp1252" if has_c1 and is_cp1252 else "latin-1"
    return FileFacts(sha256=digest.hexdigest(), encoding=encoding, size=size, lines=line)


@dataclass
class Line:
    number: int
    text: str
    complete: bool  # ended by a line break (a last line without one may be truncated)
    end_offset: int


def _lines(path: Path, encoding: str) -> Iterator[Line]:
    """The file's lines, decoded, without their line ending, one at a time."""
    offset = 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            offset += len(raw)
            complete = raw.endswith(b"\n")
            text = raw.decode(encoding).rstrip("\r\n")
            if number == 1:
                text = text.lstrip("\ufeff")
            yield Line(number, text, complete, offset)


# --- Placing rows -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    commune_id: int
    secteur_id: int | None
    key: str  # the commune's INSEE code, or its secteur's code (« 75056-01 »)


class Places:
    """Maps (Code du département, Code commune) to a commune and secteur, once per pair."""

    def __init__(self):
        self.communes = dict(Commune.objects.values_list("insee_code", "pk"))
        self.secteurs = {}  # (city INSEE code, number) → (pk, code)
        self.arrondissements = {}  # (city INSEE code, arrondissement number) → (pk, code)
        for pk, code, city, number, arrondissements in Secteur.objects.values_list(
            "pk", "code", "commune__insee_code", "number", "arrondissement_codes"
        ):
            self.secteurs[city, number] = (pk, code)
            base = ARRONDISSEMENT_BASE.get(city)
            for arrondissement in arrondissements.split():
                if base is not None and arrondissement.isdigit():
                    self.arrondissements[city, int(arrondissement) - base] = (pk, code)
        self._cache: dict[tuple[str, str], Place | str] = {}

    def place(self, dep_code: str, commune_code: str) -> Place | str:
        """The place, or why there is none (a French reason for the report)."""
        key = (dep_code, commune_code)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._place(dep_code.upper(), commune_code.upper())
        return found

    def _place(self, dep: str, code: str) -> Place | str:
        given = _("« %(dep)s » / « %(code)s »") % {"dep": dep, "code": code}
        if not _DEPARTEMENT_CODE.fullmatch(dep):
            return _("code du département illisible %(given)s") % {"given": given}
        dep = OVERSEAS_LETTER_CODES.get(dep, dep)
        if dep.isdigit() and len(dep) == 1:
            dep = dep.zfill(2)
        match = _COMMUNE_CODE.fullmatch(code.replace(" ", ""))
        if not code or match is None:
            return _("code commune illisible %(given)s") % {"given": given}
        base = match["base"] or (SECTOR_CITY_IN_DEPARTEMENT.get(dep) if match["kind"] else None)
        if base is None:
            return _("code commune illisible %(given)s") % {"given": given}
        if len(dep) == 3:  # 971 + « 101 » (the file's) or « 01 » → 97101
            insee = dep[:2] + base if len(base) == 3 else dep + base.zfill(2)
        else:
            insee = dep + base.zfill(3)
        commune_id = self.communes.get(insee)
        if commune_id is None:
            return _("commune inconnue %(insee)s (%(given)s)") % {"insee": insee, "given": given}
        if not match["kind"]:
            return Place(commune_id, None, insee)
        number = int(match["number"])
        table = self.secteurs if match["kind"] == "SR" else self.arrondissements
        secteur = table.get((insee, number))
        if insee not in SECTOR_CITIES or secteur is None:
            return _(
                "secteur inconnu %(kind)s%(number)02d dans la commune %(insee)s (%(given)s)"
            ) % {"kind": match["kind"], "number": number, "insee": insee, "given": given}
        return Place(commune_id, secteur[0], secteur[1])


@dataclass
class Row:
    line: int
    place: Place
    panel: int
    number: int | None
    cells: list[str]


@dataclass
class Problem:
    line: int
    reason: str
    text: str

    def __str__(self):
        text = self.text.replace("\t", " ⇥ ")
        if len(text) > 160:
            text = text[:159] + "…"
        return _("ligne %(line)s : %(reason)s — %(text)s") % {
            "line": self.line,
            "reason": self.reason,
            "text": text,
        }


def _repairs(layout: Layout, cells: list[str]) -> list[tuple[list[str], str]]:
    """The valid readings of a row one cell too long or too short, and what was done."""
    readings = {}
    if len(cells) == layout.width + 1:
        for position, cell in enumerate(cells):
            if cell.strip() == "":
                candidate = cells[:position] + cells[position + 1 :]
                if layout.plausible(candidate):
                    readings.setdefault(
                        tuple(candidate),
                        _(
                            "colonnes décalées d’une case : cellule vide en trop en colonne "
                            "%(column)s, retirée"
                        )
                        % {"column": position + 1},
                    )
    elif len(cells) == layout.width - 1:
        names = {position: name for name, position in layout.index.items()}
        for position in range(layout.width):
            if names.get(position, "") in _MAY_BE_EMPTY or position not in names:
                candidate = [*cells[:position], "", *cells[position:]]
                if layout.plausible(candidate):
                    readings.setdefault(
                        tuple(candidate),
                        _(
                            "colonnes décalées d’une case : cellule manquante en colonne "
                            "%(column)s, ajoutée vide"
                        )
                        % {"column": position + 1},
                    )
    return [(list(reading), note) for reading, note in readings.items()]


def _read_rows(
    path: Path, encoding: str, layout: Layout, places: Places, *, notes: list[Problem] | None
) -> Iterator[Row | Problem]:
    """Each data row, placed, or the problem that keeps it out. `notes` collects repairs.

    A row's cells come stripped, followed by one empty cell (Layout.position). This loop runs
    twice per import over up to a million lines: it keeps to local names.
    """
    lists = layout.kind == RosterKind.LISTS
    position = layout.position
    width = layout.width
    trailing_tab = layout.trailing_tab
    dep_at, commune_at = position("dep_code"), position("commune_code")
    panel_at = position("list_panel" if lists else "individual_panel")
    number_at = position("number")
    last_at, first_at = position("last_name"), position("first_name")
    place_of = places.place
    for line in _lines(path, encoding):
        if line.number <= layout.header_line:
            continue
        text = line.text
        cells = text.split("\t")
        if trailing_tab and cells[-1] == "" and len(cells) > 1:
            cells.pop()
        elif trailing_tab and not line.complete and text.strip():
            yield Problem(line.number, _("ligne tronquée (fin du fichier sans fin de ligne)"), text)
            continue
        if len(cells) != width:
            if not text.strip():
                continue
            if len(cells) > width and not any(cell.strip() for cell in cells[width:]):
                del cells[width:]
        if len(cells) != width:
            if not line.complete and len(cells) < width:
                yield Problem(line.number, _("ligne tronquée (fin du fichier)"), text)
                continue
            readings = _repairs(layout, cells)
            if len(readings) != 1:
                reason = (
                    _("colonnes décalées, réparation incertaine (%(count)s lectures possibles)")
                    % {"count": len(readings)}
                    if readings
                    else _("%(found)s colonnes au lieu de %(expected)s, aucune lecture sûre")
                    % {"found": len(cells), "expected": width}
                )
                yield Problem(line.number, reason, text)
                continue
            cells, note = readings[0]
            if notes is not None:
                notes.append(Problem(line.number, note, text))
        cells = [cell.strip() for cell in cells]
        cells.append("")
        place = place_of(cells[dep_at], cells[commune_at])
        if place.__class__ is str:
            if any(cells):
                yield Problem(line.number, place, text)
            continue
        panel = cells[panel_at]
        if not panel.isdigit() or not 0 < int(panel) < 32768:
            yield Problem(
                line.number, _("n° de panneau illisible « %(panel)s »") % {"panel": panel}, text
            )
            continue
        number = None
        if lists:
            number = cells[number_at]
            if not number.isdigit() or not 0 < int(number) < 32768:
                yield Problem(
                    line.number,
                    _("n° de candidat·e illisible « %(number)s »") % {"number": number},
                    text,
                )
                continue
            number = int(number)
        if not cells[last_at] or not cells[first_at]:
            yield Problem(line.number, _("nom ou prénom manquant"), text)
            continue
        yield Row(line.number, place, int(panel), number, cells)


# --- The import -------------------------------------------------------------------------------

Progress = Callable[[str, int, int], None]  # (phase, bytes done, bytes in all)


@dataclass
class ListDraft:
    commune_id: int
    secteur_id: int | None
    panel: int
    values: tuple[str, str, str] = ("", "", "")  # short name, name, nuance
    head: tuple[str, str] = ("", "")
    count: int = 0
    numbers: int = 0  # bitmask of the candidate numbers seen
    first_line: int = 0
    has_head: bool = False

    def fields(self) -> tuple:
        short_name, name, nuance = self.values
        return (
            self.commune_id,
            self.secteur_id,
            self.panel,
            short_name,
            name,
            normalize_name(name),
            normalize_name(short_name),
            nuance,
            self.head[0],
            self.head[1],
            person_key(*self.head) if self.has_head else "",
            self.count,
        )


_LIST_FIELDS = (
    "commune_id",
    "secteur_id",
    "panel_number",
    "short_name",
    "name",
    "name_key",
    "short_name_key",
    "nuance",
    "head_first_name",
    "head_last_name",
    "head_key",
    "candidate_count",
)
_CANDIDATE_FIELDS = (
    "commune_id",
    "secteur_id",
    "official_list_id",
    "panel_number",
    "number",
    "sex",
    "last_name",
    "first_name",
    "name_key",
    "nationality",
    "communautaire",
)


def _fit(model, name: str, value: str) -> str:
    return value[: model._meta.get_field(name).max_length]


def _communautaire(value: str) -> bool | None:
    value = value.upper()
    return True if value in ("O", "OUI") else False if value in ("N", "NON") else None


@dataclass
class Importer:
    path: Path
    tour: int
    kind: str | None = None
    progress: Progress | None = None
    batch_size: int = BATCH_SIZE
    problems: list[Problem] = field(default_factory=list)
    repairs: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def _progress(self, phase: str, done: int) -> None:
        if self.progress:
            self.progress(phase, done, self.facts.size)

    # Reading: everything that can stop the import happens before anything is written.

    def read(self) -> None:
        self.facts = _file_facts(self.path)
        self.layout = self._find_header()
        self._check_tour()
        self.places = Places()
        self.lists: dict[str, ListDraft] = {}
        self.seen_individuals: dict[str, int] = {}  # place key → bitmask of panel numbers
        self.skip: set[int] = set()
        self.rows_read = 0
        self.placed = 0
        self.commune_ids: set[int] = set()
        for row in _read_rows(
            self.path, self.facts.encoding, self.layout, self.places, notes=self.repairs
        ):
            self.rows_read += 1
            if isinstance(row, Problem):
                self.problems.append(row)
                self.skip.add(row.line)
            elif not self._take(row):
                self.skip.add(row.line)
            else:
                self.placed += 1
                self.commune_ids.add(row.place.commune_id)
            if self.rows_read % 20000 == 0:
                self._progress(_("Vérification"), self._offset_estimate(row.line))
        self._progress(_("Vérification"), self.facts.size)
        if not self.rows_read:
            raise RosterFileError(
                self.path, self.layout.header_line, _("aucune candidature après l’en-tête")
            )
        if not self.placed:
            raise RosterFileError(
                self.path,
                None,
                _("aucune des %(count)s lignes n’a pu être placée (première : %(first)s)")
                % {"count": self.rows_read, "first": self.problems[0]},
            )
        for draft in self.lists.values():
            if not draft.has_head:
                self.notes.append(
                    _(
                        "ligne %(line)s : la liste n° %(panel)s n’a pas de "
                        "candidat·e n° 1 (tête de liste)"
                    )
                    % {"line": draft.first_line, "panel": draft.panel}
                )

    def _offset_estimate(self, line: int) -> int:
        # Rows are of similar length: the share of lines read is the share of bytes read.
        return min(self.facts.size, line * self.facts.size // max(self.facts.lines, 1))

    def _find_header(self) -> Layout:
        preamble = []
        for line in _lines(self.path, self.facts.encoding):
            if _is_header(line.text):
                return _layout(self.path, line.number, line.text, preamble, self.kind)
            if line.number >= HEADER_SEARCH_LINES:
                raise RosterFileError(
                    self.path,
                    line.number,
                    _(
                        "en-tête introuvable : aucune des %(count)s premières lignes ne contient "
                        "les colonnes « Code du département » et « Code commune » (est-ce bien "
                        "un fichier des candidatures du ministère de l’Intérieur ?)"
                    )
                    % {"count": HEADER_SEARCH_LINES},
                )
            if line.text.strip():
                preamble.append(line.text.strip())
        if not preamble:
            raise RosterFileError(self.path, None, _("fichier vide"))
        raise RosterFileError(
            self.path,
            None,
            _(
                "en-tête introuvable : pas de ligne avec les colonnes « Code du département » "
                "et « Code commune »"
            ),
        )

    def _check_tour(self) -> None:
        said = {tour for tour, pattern in _TOUR_IN_PREAMBLE if pattern.search(self.layout.preamble)}
        if len(said) == 1 and self.tour not in said:
            raise RosterFileError(
                self.path,
                1,
                _(
                    "le préambule « %(preamble)s » annonce le tour %(said)s, pas le tour "
                    "%(tour)s demandé (--tour)"
                )
                % {"preamble": self.layout.preamble, "said": said.pop(), "tour": self.tour},
            )

    def _take(self, row: Row) -> bool:
        """Count the row in its list (or its commune); False for a duplicate."""
        layout = self.layout
        if layout.kind == RosterKind.INDIVIDUALS:
            seen = self.seen_individuals.get(row.place.key, 0)
            if seen >> row.panel & 1:
                self.problems.append(
                    Problem(
                        row.line,
                        _(
                            "candidat·e en double (même commune, même n° de panneau qu’une ligne "
                            "précédente)"
                        ),
                        "\t".join(row.cells[:-1]),
                    )
                )
                return False
            self.seen_individuals[row.place.key] = seen | 1 << row.panel
            return True
        key = f"{row.place.key}|{row.panel}"
        draft = self.lists.get(key)
        if draft is None:
            draft = self.lists[key] = ListDraft(
                row.place.commune_id, row.place.secteur_id, row.panel, first_line=row.line
            )
        if draft.numbers >> row.number & 1:
            self.problems.append(
                Problem(
                    row.line,
                    _("candidat·e en double (même liste, même n° qu’une ligne précédente)"),
                    "\t".join(row.cells[:-1]),
                )
            )
            return False
        draft.numbers |= 1 << row.number
        draft.count += 1
        if row.number == 1 or draft.count == 1:
            draft.values = (
                _fit(OfficialList, "short_name", layout.cell(row.cells, "short_name")),
                _fit(OfficialList, "name", layout.cell(row.cells, "name")),
                _fit(OfficialList, "nuance", layout.cell(row.cells, "nuance")),
            )
        if row.number == 1:
            draft.has_head = True
            draft.head = (
                _fit(OfficialList, "head_first_name", layout.cell(row.cells, "first_name")),
                _fit(OfficialList, "head_last_name", layout.cell(row.cells, "last_name")),
            )
        return True

    # Writing: one transaction.

    def write(self, *, dry_run: bool = False) -> RosterImport:
        started_at = timezone.now()
        with transaction.atomic():
            self.now = timezone.now()
            self.roster_import = RosterImport.objects.create(
                tour=self.tour,
                kind=self.layout.kind,
                file_name=_fit(RosterImport, "file_name", str(self.path)),
                file_sha256=self.facts.sha256,
                encoding=self.facts.encoding,
                started_at=started_at,
                finished_at=started_at,
                rows_read=self.rows_read,
                unplaced=len(self.problems),
            )
            list_pks = self._write_lists() if self.layout.kind == RosterKind.LISTS else {}
            self._write_candidates(list_pks)
            self._set_votes_by_list()
            if self.tour == Tour.SECOND:
                from candidates.official.rounds import link_rounds

                link_rounds(roster_import=self.roster_import)
            self.roster_import.report = self.report()
            self.roster_import.finished_at = timezone.now()
            self.roster_import.save()
            if dry_run:
                transaction.set_rollback(True)
            else:
                roster_import = self.roster_import
                transaction.on_commit(
                    lambda: roster_imported.send(sender=RosterImport, roster_import=roster_import)
                )
        if dry_run:
            self.roster_import.pk = None
        return self.roster_import

    def _write_lists(self) -> dict[str, int]:
        counts = self.roster_import
        existing = {
            row_key: (pk, tuple(values), gone_at)
            for pk, row_key, gone_at, *values in OfficialList.objects.filter(
                tour=self.tour
            ).values_list("pk", "row_key", "gone_at", *_LIST_FIELDS)
        }
        new, changed = [], []
        for row_key, draft in self.lists.items():
            fields = draft.fields()
            values = dict(zip(_LIST_FIELDS, fields, strict=True))
            before = existing.pop(row_key, None)
            if before is None:
                new.append(
                    OfficialList(
                        tour=self.tour,
                        row_key=row_key,
                        first_import=counts,
                        last_import=counts,
                        **values,
                    )
                )
            elif before[1] != fields or before[2] is not None:
                changed.append(
                    OfficialList(pk=before[0], last_import=counts, gone_at=None, **values)
                )
        OfficialList.objects.bulk_create(new, batch_size=self.batch_size)
        OfficialList.objects.bulk_update(
            changed, [*_LIST_FIELDS, "last_import", "gone_at"], batch_size=self.batch_size
        )
        gone = [pk for pk, _values, gone_at in existing.values() if gone_at is None]
        for start in range(0, len(gone), self.batch_size):
            OfficialList.objects.filter(pk__in=gone[start : start + self.batch_size]).update(
                gone_at=self.now, last_import=counts
            )
        counts.lists_added, counts.lists_updated, counts.lists_gone = (
            len(new),
            len(changed),
            len(gone),
        )
        return dict(OfficialList.objects.filter(tour=self.tour).values_list("row_key", "pk"))

    def _existing_candidates(self) -> dict[str, int]:
        """row_key → pk << 65 | gone << 64 | 64-bit hash of the fields, for the round's file."""
        existing = {}
        rows = OfficialCandidate.objects.filter(tour=self.tour, kind=self.layout.kind)
        for pk, row_key, gone_at, *values in rows.values_list(
            "pk", "row_key", "gone_at", *_CANDIDATE_FIELDS
        ).iterator(chunk_size=20000):
            existing[row_key] = (
                pk << 65 | (gone_at is not None) << 64 | hash(tuple(values)) & _MASK64
            )
        return existing

    def _write_candidates(self, list_pks: dict[str, int]) -> None:
        counts = self.roster_import
        layout = self.layout
        lists = layout.kind == RosterKind.LISTS
        existing = self._existing_candidates()
        new, changed = [], []
        added = updated = 0
        touched = set()  # lists whose candidates were added or changed
        fit = {
            name: OfficialCandidate._meta.get_field(name).max_length
            for name in ("sex", "last_name", "first_name", "nationality")
        }
        last_at, first_at = layout.position("last_name"), layout.position("first_name")
        sex_at, nationality_at = layout.position("sex"), layout.position("nationality")
        communautaire_at = layout.position("communautaire")
        fit_last, fit_first = fit["last_name"], fit["first_name"]
        fit_sex, fit_nationality = fit["sex"], fit["nationality"]
        skip = self.skip
        insert_batch = self._insert_batch
        read = 0
        for row in _read_rows(self.path, self.facts.encoding, layout, self.places, notes=None):
            read += 1
            if read % 20000 == 0:
                self._progress(_("Écriture"), self._offset_estimate(row.line))
            if row.__class__ is Problem or row.line in skip:
                continue
            cells = row.cells
            place = row.place
            if lists:
                list_key = f"{place.key}|{row.panel}"
                row_key = f"L|{list_key}|{row.number}"
                list_pk = list_pks[list_key]
            else:
                row_key = f"P|{place.key}|{row.panel}"
                list_pk = None
            last_name = cells[last_at][:fit_last]
            first_name = cells[first_at][:fit_first]
            fields = (
                place.commune_id,
                place.secteur_id,
                list_pk,
                row.panel,
                row.number,
                cells[sex_at].upper()[:fit_sex],
                last_name,
                first_name,
                person_key(first_name, last_name),
                cells[nationality_at][:fit_nationality],
                _communautaire(cells[communautaire_at]) if lists else None,
            )
            before = existing.pop(row_key, None)
            if before is None:
                touched.add(list_pk)
                new.append((row_key, fields))
                if len(new) >= insert_batch:
                    added += self._insert(new)
            elif before & _MASK64 != hash(fields) & _MASK64 or before >> 64 & 1:
                touched.add(list_pk)
                changed.append(
                    OfficialCandidate(
                        pk=before >> 65,
                        last_import=counts,
                        gone_at=None,
                        **dict(zip(_CANDIDATE_FIELDS, fields, strict=True)),
                    )
                )
                if len(changed) >= self.batch_size:
                    updated += self._update(changed)
        added += self._insert(new)
        updated += self._update(changed)
        gone = [packed >> 65 for packed in existing.values() if not packed >> 64 & 1]
        del existing
        for start in range(0, len(gone), self.batch_size):
            OfficialCandidate.objects.filter(pk__in=gone[start : start + self.batch_size]).update(
                gone_at=self.now, last_import=counts
            )
        # A list's last_import is also the last import that changed its candidates (round 2's
        # link_rounds looks again at the lists of that import).
        touched.discard(None)
        touched = sorted(touched)
        for start in range(0, len(touched), self.batch_size):
            OfficialList.objects.filter(pk__in=touched[start : start + self.batch_size]).exclude(
                last_import=counts
            ).update(last_import=counts)
        self._progress(_("Écriture"), self.facts.size)
        counts.candidates_added, counts.candidates_updated = added, updated
        counts.candidates_gone = len(gone)

    @property
    def _insert_batch(self) -> int:
        return COPY_BATCH_SIZE if connection.vendor == "postgresql" else self.batch_size

    def _insert(self, rows: list[tuple[str, tuple]]) -> int:
        count = len(rows)
        if not rows:
            return 0
        common = {
            "tour": self.tour,
            "kind": self.layout.kind,
            "last_import_id": self.roster_import.pk,
        }
        if connection.vendor == "postgresql":
            self._copy(rows, common)
        else:
            OfficialCandidate.objects.bulk_create(
                [
                    OfficialCandidate(
                        row_key=row_key,
                        **common,
                        **dict(zip(_CANDIDATE_FIELDS, fields, strict=True)),
                    )
                    for row_key, fields in rows
                ],
                batch_size=self.batch_size,
            )
        rows.clear()
        return count

    def _copy(self, rows: list[tuple[str, tuple]], common: dict) -> None:
        """COPY FROM STDIN (PostgreSQL): some ten times faster than INSERT for 900,000 rows.

        The text format: tab-separated, \\N for NULL, backslashes doubled (a cell of the file
        holds no tab or line break: the file is split on them)."""
        columns = ["tour", "kind", "last_import_id", "row_key", *_CANDIDATE_FIELDS]
        prefix = f"{common['tour']}\t{common['kind']}\t{common['last_import_id']}\t"
        null, true, false = "\\N", "t", "f"
        lines = []
        for row_key, fields in rows:
            commune, secteur, official_list, panel, number, sex, last, first, key, nat, com = fields
            line = "\t".join(
                (
                    row_key,
                    str(commune),
                    null if secteur is None else str(secteur),
                    null if official_list is None else str(official_list),
                    str(panel),
                    null if number is None else str(number),
                    sex,
                    last,
                    first,
                    key,
                    nat,
                    null if com is None else true if com else false,
                )
            )
            if "\\" in row_key or "\\" in last or "\\" in first or "\\" in sex or "\\" in nat:
                line = _copy_escaped(row_key, fields)
            lines.append(prefix + line)
        lines.append("")
        buffer = io.StringIO("\n".join(lines))
        table = connection.ops.quote_name(OfficialCandidate._meta.db_table)
        quoted = ", ".join(connection.ops.quote_name(name) for name in columns)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY {table} ({quoted}) FROM STDIN", buffer)

    def _update(self, changed: list[OfficialCandidate]) -> int:
        count = len(changed)
        if changed:
            OfficialCandidate.objects.bulk_update(
                changed,
                [*_CANDIDATE_FIELDS, "last_import", "gone_at"],
                batch_size=min(self.batch_size, 1000),
            )
            changed.clear()
        return count

    def _set_votes_by_list(self) -> None:
        votes_by_list = self.layout.kind == RosterKind.LISTS
        ids = sorted(self.commune_ids)
        for start in range(0, len(ids), self.batch_size):
            Commune.objects.filter(pk__in=ids[start : start + self.batch_size]).exclude(
                votes_by_list=votes_by_list
            ).update(votes_by_list=votes_by_list)

    def report(self) -> str:
        lines = []
        if self.problems:
            lines.append(_("Lignes non placées (%(count)s) :") % {"count": len(self.problems)})
            lines += [str(problem) for problem in self.problems[:REPORT_MAX_LINES]]
            if len(self.problems) > REPORT_MAX_LINES:
                lines.append(
                    _("… et %(count)s autres.") % {"count": len(self.problems) - REPORT_MAX_LINES}
                )
        if self.repairs:
            lines.append(_("Lignes réparées (%(count)s) :") % {"count": len(self.repairs)})
            lines += [str(repair) for repair in self.repairs[:REPORT_MAX_LINES]]
        if self.notes:
            lines.append(_("Remarques (%(count)s) :") % {"count": len(self.notes)})
            lines += self.notes[:REPORT_MAX_LINES]
        return "\n".join(lines)


def _copy_escaped(row_key: str, fields: tuple) -> str:
    """A COPY line whose text has a backslash: every value escaped."""

    def text(value) -> str:
        if value is None:
            return "\\N"
        if isinstance(value, bool):
            return "t" if value else "f"
        return str(value).replace("\\", "\\\\")

    return "\t".join(text(value) for value in (row_key, *fields))


def import_candidatures(
    *,
    path: Path,
    tour: int,
    kind: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> tuple[RosterImport, Importer]:
    """Read, check, then write the file in one transaction (rolled back for a dry run).

    Raises RosterFileError when the file cannot be imported; nothing is written then.
    Returns the RosterImport (pk None for a dry run) and the importer (its problems,
    repairs and notes).
    """
    if tour not in Tour.values:
        raise ValueError(f"tour must be one of {Tour.values}")
    importer = Importer(
        path=Path(path), tour=tour, kind=kind, progress=progress, batch_size=batch_size
    )
    importer.read()
    return importer.write(dry_run=dry_run), importer
