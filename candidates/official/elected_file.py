"""The Répertoire national des élus (RNE), conseillers municipaux: how to read its file.

The file (data.gouv.fr, « Répertoire national des élus », the conseillers municipaux file) is
delimited text with a header row: tab-separated in some editions, semicolon-separated in
others (the header row says which), in UTF-8 (with or without a BOM) or cp1252/Latin-1
(candidates.official.ministry_file.file_facts tells). Columns are found by their header
names as for the candidatures (ministry_file.column_key: accents, case and articles do not
matter): « Code du département », « Code de la commune », « Nom de l'élu », « Prénom de
l'élu », « Code sexe », « Date de naissance », « Date de début du mandat », « Libellé de la
fonction » (blank for a conseiller·e municipal·e, « Maire », « Adjoint au maire »…).
« Code de la commune » is the whole INSEE code or its part within the département; Corsica
(2A/2B) and the overseas letter codes are placed as in the candidatures (ministry_file.Places).

`read_rows` yields every data row placed in its commune, or the Problem that keeps it out
(unknown commune, unreadable date, wrong number of columns, missing name). A file that is not
this file raises RosterFileError (file, line, reason). Nothing here writes;
candidates.official.elected_importer does.
"""

import csv
import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from candidates.official.ministry_file import (
    Place,
    Places,
    Problem,
    RosterFileError,
    check_required,
    column_key,
    duplicate_column,
    read_lines,
)

HEADER_SEARCH_LINES = 10
DELIMITERS = ("\t", ";")
DELIMITER_NAMES = {"\t": "tabulation", ";": "point-virgule"}
MAYOR = "maire"

# field → the header names it may have (as column_key writes them).
_ALIASES = {
    "dep_code": ("code departement",),
    "dep_name": ("libelle departement",),
    "commune_code": ("code commune",),
    "commune_name": ("libelle commune",),
    "last_name": ("nom elu", "nom"),
    "first_name": ("prenom elu", "prenom"),
    "sex": ("code sexe", "sexe"),
    "birth_date": ("date naissance",),
    "mandate_start": ("date debut mandat",),
    "function": ("libelle fonction", "fonction"),
}
_FIELD_OF_KEY = {alias: name for name, aliases in _ALIASES.items() for alias in aliases}
_LABELS = {
    "dep_code": "Code du département",
    "commune_code": "Code de la commune",
    "last_name": "Nom de l'élu",
    "first_name": "Prénom de l'élu",
    "birth_date": "Date de naissance",
}
_REQUIRED = tuple(_LABELS)
_DATE = re.compile(r"(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})")
_ISO_DATE = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})")


def split(text: str, delimiter: str) -> list[str]:
    """One line's cells (a semicolon file may quote a cell holding the delimiter)."""
    if '"' not in text:
        return text.split(delimiter)
    return next(csv.reader([text], delimiter=delimiter), [])


@dataclass(frozen=True)
class Layout:
    header_line: int
    delimiter: str
    width: int  # named header cells (an empty trailing one not counted)
    index: dict[str, int]

    def cell(self, cells: list[str], name: str) -> str:
        position = self.index.get(name)
        return "" if position is None else cells[position]


def _is_header(keys: set[str]) -> bool:
    return "code departement" in keys and "code commune" in keys


def _header_of(text: str) -> tuple[str, list[str]] | None:
    """The delimiter and cells of a header row, or None: the delimiter that splits the line
    into cells naming both code columns (the one giving more cells if both do)."""
    found = None
    for delimiter in DELIMITERS:
        cells = split(text, delimiter)
        is_header = _is_header({column_key(cell) for cell in cells})
        if is_header and (found is None or len(cells) > len(found[1])):
            found = (delimiter, cells)
    return found


def _layout(path: Path, line_number: int, delimiter: str, cells: list[str]) -> Layout:
    while cells and cells[-1].strip() == "":
        cells = cells[:-1]
    index, primary = {}, set()
    for position, cell in enumerate(cells):
        key = column_key(cell)
        name = _FIELD_OF_KEY.get(key)
        if name is None:
            continue
        is_primary = key == _ALIASES[name][0]  # « Nom de l'élu » wins over a bare « Nom »
        if name in index and (not is_primary or name not in primary):
            if is_primary:
                index[name] = position
                primary.add(name)
            continue
        if name in index:
            raise duplicate_column(path, line_number, cell)
        index[name] = position
        if is_primary:
            primary.add(name)
    check_required(path, line_number, [_LABELS[n] for n in _REQUIRED if n not in index])
    return Layout(header_line=line_number, delimiter=delimiter, width=len(cells), index=index)


def find_layout(path: Path, encoding: str) -> Layout:
    """The header row and its delimiter, within the first lines; else RosterFileError."""
    any_text = False
    for line in read_lines(path, encoding):
        header = _header_of(line.text)
        if header is not None:
            return _layout(path, line.number, *header)
        any_text = any_text or bool(line.text.strip())
        if line.number >= HEADER_SEARCH_LINES:
            break
    if not any_text:
        raise RosterFileError(path, None, _("fichier vide"))
    raise RosterFileError(
        path,
        None,
        _(
            "en-tête introuvable : aucune des %(count)s premières lignes ne contient les "
            "colonnes « Code du département » et « Code de la commune » séparées par des "
            "tabulations ou des points-virgules (est-ce bien le fichier des conseillers "
            "municipaux du Répertoire national des élus ?)"
        )
        % {"count": HEADER_SEARCH_LINES},
    )


def parse_date(text: str) -> datetime.date | None:
    """« 03/02/1980 » (or « 1980-02-03 »); None if blank; ValueError if unreadable."""
    if not text:
        return None
    match = _DATE.fullmatch(text) or _ISO_DATE.fullmatch(text)
    if match is None:
        raise ValueError(text)
    return datetime.date(int(match["year"]), int(match["month"]), int(match["day"]))


def is_mayor(function: str) -> bool:
    return column_key(function) == MAYOR


@dataclass(slots=True)
class Row:
    line: int
    place: Place
    last_name: str
    first_name: str
    sex: str
    birth_date: datetime.date | None
    mandate_start: datetime.date | None
    function: str

    @property
    def insee_code(self) -> str:
        # A secteur's place key is « 75056-05 »: the councillor sits in the commune.
        return self.place.key.split("-")[0]


def read_rows(path: Path, encoding: str, layout: Layout, places: Places) -> Iterator[Row | Problem]:
    """Each data row, placed, or the problem that keeps it out (blank lines are skipped)."""
    delimiter, width = layout.delimiter, layout.width
    cell = layout.cell
    # Translated once, not once a line (half a million lines).
    date_labels = (
        ("birth_date", _("date de naissance")),
        ("mandate_start", _("date de début du mandat")),
    )
    for line in read_lines(path, encoding):
        if line.number <= layout.header_line or not line.text.strip():
            continue
        text = line.text
        cells = split(text, delimiter)
        while len(cells) > width and cells[-1].strip() == "":
            cells.pop()
        if len(cells) != width:
            reason = _("%(found)s colonnes au lieu de %(expected)s") % {
                "found": len(cells),
                "expected": width,
            }
            if not line.complete:
                reason = _("ligne tronquée (fin du fichier) : %(reason)s") % {"reason": reason}
            yield Problem(line.number, reason, text)
            continue
        cells = [value.strip() for value in cells]
        place = places.place(cell(cells, "dep_code"), cell(cells, "commune_code"))
        if isinstance(place, str):
            yield Problem(line.number, place, text)
            continue
        last_name, first_name = cell(cells, "last_name"), cell(cells, "first_name")
        if not last_name or not first_name:
            yield Problem(line.number, _("nom ou prénom de l’élu·e manquant"), text)
            continue
        dates = {}
        for name, label in date_labels:
            try:
                dates[name] = parse_date(cell(cells, name))
            except ValueError:
                dates[name] = Problem(
                    line.number,
                    _("%(label)s illisible « %(value)s » (attendu : jj/mm/aaaa)")
                    % {"label": label, "value": cell(cells, name)},
                    text,
                )
                break
        bad = next((value for value in dates.values() if isinstance(value, Problem)), None)
        if bad is not None:
            yield bad
            continue
        yield Row(
            line=line.number,
            place=place,
            last_name=last_name,
            first_name=first_name,
            sex=cell(cells, "sex")[:1].upper(),
            birth_date=dates["birth_date"],
            mandate_start=dates["mandate_start"],
            function=cell(cells, "function"),
        )
