"""The open data: one record per public signatory, and nothing private.

COLUMNS is the whole contract. The CSV file, the JSON file, the per-commune API and the
/donnees/ page that documents them are all generated from it, so a field becomes public
only by being added here: never an e-mail address, a phone number, a consent, a staff note
or the status of a signature that is not public. Records are built from
`pledges.directory.queries.export_rows(public_pledges(...))`.
"""

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.site import absolute_url
from pledges.directory.queries import ExportRow

LICENCE_NAME = "Licence Ouverte / Open Licence 2.0 (Etalab)"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
# A spreadsheet reads a cell starting with these as a formula: the CSV defuses them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _date(value: datetime | None) -> str | None:
    return timezone.localdate(value).isoformat() if value else None


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    example: str
    value: Callable[[ExportRow], object]


COLUMNS = [
    Column(
        "id",
        _("Identifiant de la signature, stable : il ne change jamais et n’est pas réutilisé."),
        "1234",
        lambda row: row.pk,
    ),
    Column("prenom", _("Prénom."), "Camille", lambda row: row.first_name),
    Column("nom", _("Nom."), "Martin", lambda row: row.last_name),
    Column(
        "liste",
        _("Nom de la liste (peut être vide)."),
        "Ensemble pour Saint-Étienne",
        lambda row: row.list_name,
    ),
    Column(
        "role",
        _("« Tête de liste » ou « Candidat·e »."),
        "Tête de liste",
        lambda row: row.role,
    ),
    Column(
        "etiquette",
        _("Étiquette politique déclarée (peut être vide)."),
        "Sans étiquette",
        lambda row: row.political_label,
    ),
    Column(
        "commune_code_insee",
        _("Code INSEE de la commune (Code officiel géographique 2020)."),
        "42218",
        lambda row: row.commune_insee_code,
    ),
    Column(
        "commune_nom",
        _("Nom de la commune."),
        "Saint-Étienne",
        lambda row: row.commune_name,
    ),
    Column(
        "departement_code",
        _("Code INSEE du département (pour les collectivités d’outre-mer, celui de la COM)."),
        "42",
        lambda row: row.departement_code,
    ),
    Column(
        "region_code",
        _("Code INSEE de la région (pour les collectivités d’outre-mer, celui de la COM)."),
        "84",
        lambda row: row.region_code,
    ),
    Column(
        "date_validation",
        _("Date à laquelle Coorace a validé la signature (AAAA-MM-JJ, heure de Paris)."),
        "2020-02-14",
        lambda row: _date(row.approved_at),
    ),
    Column(
        "engagements_signes",
        _(
            "Codes des engagements signés à ce jour : numéro de la proposition, point, "
            "position de l’engagement. Séparés par des espaces dans le CSV, une liste en JSON."
        ),
        "1.1 1.2 3.2",
        lambda row: row.active_codes,
    ),
    Column(
        "engagements_retires",
        _("Codes des engagements signés puis retirés (même format)."),
        "2.1",
        lambda row: row.withdrawn_codes,
    ),
    Column(
        "date_retrait_signature",
        _(
            "Si la personne a retiré toute sa signature, la date du retrait (ses engagements "
            "sont alors tous dans engagements_retires) ; vide sinon."
        ),
        "",
        lambda row: _date(row.withdrawn_at) if row.is_withdrawn else None,
    ),
    Column(
        "url",
        _("Adresse de la page publique de la personne sur ce site."),
        "https://…/signataires/1234/",
        lambda row: absolute_url(reverse("pledges:signatory", kwargs={"pk": row.pk})),
    ),
]
COLUMN_NAMES = [column.name for column in COLUMNS]


def record(row: ExportRow) -> dict:
    """One signatory as JSON-ready values (lists of codes, dates as text or None)."""
    return {column.name: column.value(row) for column in COLUMNS}


def records(rows: Iterable[ExportRow]) -> list[dict]:
    return [record(row) for row in rows]


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(value)
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_text(rows: Iterable[ExportRow]) -> str:
    """The CSV file: UTF-8, comma-separated, one header row, RFC 4180 quoting."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMN_NAMES)
    for row in rows:
        writer.writerow([_csv_cell(value) for value in record(row).values()])
    return buffer.getvalue()
