"""Files in the Ministry's exact published format, written for the tests.

The 2020 municipal files (« Livre des listes et candidats », « Livre des candidats scrutin
plurinominal ») are tab-separated text in ISO-8859-1 (Latin-1), with:

- a preamble line (the file's title) and a blank line before the header row;
- every line ending with an extra tab, i.e. an empty trailing column;
- Windows line endings (CRLF), as the Ministry's files are produced on Windows. The importer
  accepts LF as well; pass ``newline="\\n"`` to write one.

Rows are dicts keyed by column name (missing columns are empty) or tuples in the file's column
order; a tuple may be longer or shorter than the header (a shifted row), and a ``str`` row is
written as-is (the line's content, without its ending) for anything else awkward.
"""

from collections.abc import Iterable, Iterator, Sequence

LIST_COLUMNS = (
    "Code du département",
    "Libellé du département",
    "Code commune",
    "Libellé commune",
    "N° Panneau Liste",
    "Libellé abrégé liste",
    "Libellé Etendu Liste",
    "Nuance Liste",
    "N° candidat",
    "Sexe candidat",
    "Nom candidat",
    "Prénom candidat",
    "Nationalité",
    "Candidat au conseil communautaire",
)

INDIVIDUAL_COLUMNS = (
    "Code du département",
    "Libellé du département",
    "Code commune",
    "Libellé commune",
    "N° Panneau Candidat",
    "Nom candidat",
    "Prénom candidat",
    "Sexe candidat",
    "Nationalité",
)

LIST_PREAMBLE = "Elections municipales 2020 - 1er tour - Livre des listes et candidats"
INDIVIDUAL_PREAMBLE = (
    "Elections municipales 2020 - 1er tour - Livre des candidats scrutin plurinominal"
)

Row = dict | Sequence | str


def _line(row: Row, columns: Sequence[str]) -> str:
    if isinstance(row, str):
        return row
    if isinstance(row, dict):
        unknown = set(row) - set(columns)
        if unknown:
            raise ValueError(f"Unknown columns: {sorted(unknown)}")
        cells = [str(row.get(column, "")) for column in columns]
    else:
        cells = ["" if cell is None else str(cell) for cell in row]
    # The extra tab: an empty trailing column on every line.
    return "\t".join(cells) + "\t"


def file_lines(
    rows: Iterable[Row],
    columns: Sequence[str] = LIST_COLUMNS,
    *,
    preamble: bool | str = LIST_PREAMBLE,
    newline: str = "\r\n",
    header: Sequence[str] | None = None,
) -> Iterator[str]:
    """The file's lines, with their ending, one at a time (benchmarks/ writes 900,000)."""
    if preamble:
        yield (preamble if isinstance(preamble, str) else "") + newline
        yield newline
    columns = header or columns
    yield "\t".join(columns) + "\t" + newline
    for row in rows:
        yield _line(row, columns) + newline


def _file_bytes(
    rows: Iterable[Row],
    columns: Sequence[str],
    *,
    preamble: bool | str,
    encoding: str,
    newline: str,
    header: Sequence[str] | None,
) -> bytes:
    lines = file_lines(rows, columns, preamble=preamble, newline=newline, header=header)
    return "".join(lines).encode(encoding)


def list_file_bytes(
    rows: Iterable[Row],
    *,
    preamble: bool | str = True,
    encoding: str = "latin-1",
    newline: str = "\r\n",
    header: Sequence[str] | None = None,
) -> bytes:
    """A « Livre des listes et candidats » file. ``header`` replaces the header row (e.g.
    reordered or re-accented columns); dict rows are then keyed by its names."""
    return _file_bytes(
        rows,
        LIST_COLUMNS,
        preamble=LIST_PREAMBLE if preamble is True else preamble,
        encoding=encoding,
        newline=newline,
        header=header,
    )


def individual_file_bytes(
    rows: Iterable[Row],
    *,
    preamble: bool | str = True,
    encoding: str = "latin-1",
    newline: str = "\r\n",
    header: Sequence[str] | None = None,
) -> bytes:
    """A « Livre des candidats scrutin plurinominal » file (communes under 1,000)."""
    return _file_bytes(
        rows,
        INDIVIDUAL_COLUMNS,
        preamble=INDIVIDUAL_PREAMBLE if preamble is True else preamble,
        encoding=encoding,
        newline=newline,
        header=header,
    )


def list_row(
    commune_code_in_file: str,
    dep_code: str,
    panel: int,
    number: int,
    last: str,
    first: str,
    *,
    dep_name: str = "",
    commune_name: str = "",
    short_name: str = "",
    name: str = "",
    nuance: str = "",
    sex: str = "",
    nationality: str = "FRA",
    communautaire: str = "O",
) -> tuple:
    """One row of the list file, in column order. ``commune_code_in_file`` is the « Code
    commune » cell as the Ministry writes it (« 004 », « 056SR01 »); the list's names default
    to « Liste <panel> »."""
    return (
        dep_code,
        dep_name or f"Département {dep_code}",
        commune_code_in_file,
        commune_name or f"Commune {dep_code}{commune_code_in_file}",
        panel,
        short_name or f"L{panel}",
        name or f"Liste {panel}",
        nuance,
        number,
        sex or ("F" if number % 2 else "M"),
        last,
        first,
        nationality,
        communautaire,
    )


def individual_row(
    commune_code_in_file: str,
    dep_code: str,
    panel: int,
    last: str,
    first: str,
    *,
    dep_name: str = "",
    commune_name: str = "",
    sex: str = "F",
    nationality: str = "FRA",
) -> tuple:
    """One row of the plurinominal file, in column order."""
    return (
        dep_code,
        dep_name or f"Département {dep_code}",
        commune_code_in_file,
        commune_name or f"Commune {dep_code}{commune_code_in_file}",
        panel,
        last,
        first,
        sex,
        nationality,
    )
