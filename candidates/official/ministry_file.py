"""The Ministry of the Interior's files of candidatures: how to read them.

The files (data.gouv.fr, « Élections municipales 2020 - Listes des candidats ») are
tab-separated text, in ISO-8859-1 as published (UTF-8, with or without a BOM, and cp1252 are
accepted too), with a preamble line and a blank line before the header row, and an extra tab
at the end of every line. Columns are found by their header names (accents, case, articles and
« N° »/« Numéro » do not matter), so that the list file, the plurinominal file and another
year's column order read the same way.

`read_rows` yields every data row placed in its commune (and secteur), or the Problem that
keeps it out: unknown commune or secteur, unreadable panel number, columns shifted in a way
that cannot be repaired with certainty, a truncated last line. A row shifted by one column is
repaired when exactly one reading of it is valid (an empty cell too many, or one missing).
A file that is not one of these files raises RosterFileError (file, line, reason).
Nothing here writes; candidates.official.importer does.
"""

import codecs
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from candidates.official.models import RosterKind
from communes.models import SECTOR_CITIES, Commune, Secteur

HEADER_SEARCH_LINES = 10

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

# « 004 », « 056SR01 », « SR01 », « 056AR03 », or the whole INSEE code « 01004 », « 2A004 ».
_COMMUNE_CODE = re.compile(
    r"(?P<base>[0-9]{1,3}|(?:[0-9]{2}|2[AB])[0-9]{3})?(?:(?P<kind>SR|AR)(?P<number>[0-9]{1,2}))?"
)
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
    "commune_code": re.compile(r"(?=\w)" + _COMMUNE_CODE.pattern, re.IGNORECASE),
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


def duplicate_column(path: Path, line_number: int, cell: str) -> RosterFileError:
    return RosterFileError(
        path,
        line_number,
        _("la colonne « %(column)s » figure deux fois dans l’en-tête") % {"column": cell.strip()},
    )


def check_required(path: Path, line_number: int, missing: list[str]) -> None:
    """Stop on a header without the columns whose labels are `missing`."""
    if missing:
        raise RosterFileError(
            path,
            line_number,
            _("colonne(s) manquante(s) dans l’en-tête : %(columns)s")
            % {"columns": ", ".join(f"« {label} »" for label in missing)},
        )


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
            raise duplicate_column(path, line_number, cell)
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
    check_required(path, line_number, [_LABELS[n] for n in _REQUIRED[found] if n not in index])
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


def find_layout(path: Path, encoding: str, kind: str | None) -> Layout:
    """The header row, found by its column names after the preamble; else RosterFileError."""
    preamble = []
    for line in read_lines(path, encoding):
        if _is_header(line.text):
            return _layout(path, line.number, line.text, preamble, kind)
        if line.number >= HEADER_SEARCH_LINES:
            raise RosterFileError(
                path,
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
        raise RosterFileError(path, None, _("fichier vide"))
    raise RosterFileError(
        path,
        None,
        _(
            "en-tête introuvable : pas de ligne avec les colonnes « Code du département » "
            "et « Code commune »"
        ),
    )


def tours_announced(preamble: str) -> set[int]:
    """The round(s) the preamble names (« 1er tour », « Tour 2 » …)."""
    return {tour for tour, pattern in _TOUR_IN_PREAMBLE if pattern.search(preamble)}


# --- Reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileFacts:
    sha256: str
    encoding: str
    size: int
    lines: int


def file_facts(path: Path) -> FileFacts:
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


@dataclass(slots=True)
class Line:
    number: int
    text: str
    complete: bool  # ended by a line break (a last line without one may be truncated)
    end_offset: int


def read_lines(path: Path, encoding: str) -> Iterator[Line]:
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
        if len(base) == 5:  # the whole INSEE code, which must be in the département
            if not base.startswith(dep):
                return _("code commune hors du département %(given)s") % {"given": given}
            insee = base
        elif len(dep) == 3:  # 971 + « 101 » (the file's) or « 01 » → 97101
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


@dataclass(slots=True)
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


def read_rows(
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
    for line in read_lines(path, encoding):
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
