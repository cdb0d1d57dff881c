"""Files in the shape of the RNE's conseillers municipaux file, written for the tests.

The Répertoire national des élus publishes one delimited text file of conseillers
municipaux: a header row, then a line per councillor; tab-separated in some editions,
semicolon-separated in others; UTF-8 (some editions with a BOM) or Latin-1/cp1252. Dates
are dd/mm/yyyy; « Libellé de la fonction » is blank for a conseiller·e municipal·e.

Rows are dicts keyed by the short names below (missing ones are empty), or a ``str`` written
as-is (the line's content, without its ending) for anything awkward.
"""

from collections.abc import Iterable, Iterator, Sequence

RNE_COLUMNS = (
    "Code du département",
    "Libellé du département",
    "Code de la collectivité à statut particulier",
    "Libellé de la collectivité à statut particulier",
    "Code de la commune",
    "Libellé de la commune",
    "Nom de l'élu",
    "Prénom de l'élu",
    "Code sexe",
    "Date de naissance",
    "Code de la catégorie socio-professionnelle",
    "Libellé de la catégorie socio-professionnelle",
    "Date de début du mandat",
    "Libellé de la fonction",
    "Date de début de la fonction",
    "Code nationalité",
)
SHORT = {
    "dep": "Code du département",
    "dep_name": "Libellé du département",
    "commune": "Code de la commune",
    "commune_name": "Libellé de la commune",
    "last_name": "Nom de l'élu",
    "first_name": "Prénom de l'élu",
    "sex": "Code sexe",
    "born": "Date de naissance",
    "mandate": "Date de début du mandat",
    "function": "Libellé de la fonction",
    "function_start": "Date de début de la fonction",
    "nationality": "Code nationalité",
}


def elu(
    commune: str,
    dep: str,
    last_name: str,
    first_name: str,
    *,
    sex: str = "F",
    born: str = "03/02/1970",
    mandate: str = "23/05/2020",
    function: str = "",
    **more,
) -> dict:
    """One councillor's row (« Code de la commune » as given: 3 digits or the INSEE code)."""
    return {
        "dep": dep,
        "commune": commune,
        "last_name": last_name,
        "first_name": first_name,
        "sex": sex,
        "born": born,
        "mandate": mandate,
        "function": function,
        "function_start": mandate if function else "",
        "nationality": "FR",
        **more,
    }


def _line(row: dict | str, delimiter: str, columns: Sequence[str]) -> str:
    if isinstance(row, str):
        return row
    named = {SHORT[key]: value for key, value in row.items()}
    return delimiter.join(str(named.get(column, "")) for column in columns)


def rne_file_lines(
    rows: Iterable[dict | str],
    *,
    delimiter: str = "\t",
    newline: str = "\r\n",
    columns: Sequence[str] = RNE_COLUMNS,
) -> Iterator[str]:
    """The file's lines, each with its ending, one at a time (benchmarks write national
    files with it: handle.writelines(rne_file_lines(rows)))."""
    yield delimiter.join(columns) + newline
    for row in rows:
        yield _line(row, delimiter, columns) + newline


def rne_file_bytes(
    rows: Iterable[dict | str],
    *,
    delimiter: str = "\t",
    encoding: str = "utf-8",
    bom: bool = False,
    newline: str = "\r\n",
    columns: Sequence[str] = RNE_COLUMNS,
) -> bytes:
    lines = rne_file_lines(rows, delimiter=delimiter, newline=newline, columns=columns)
    data = "".join(lines).encode(encoding)
    return (b"\xef\xbb\xbf" if bom else b"") + data
