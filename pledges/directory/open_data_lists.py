"""The open data of lists: one record per public list, and nothing private.

LIST_COLUMNS is the contract, as COLUMNS is for signatories (pledges/directory/open_data.py,
whose helpers this module shares): listes.csv, listes.json, the per-commune API of lists
and the /donnees/ page that documents them are generated from it. A list is public when its
signature is (`public_lists()`); its members are counted, never named here (the list's page
names those who consented); no invitation token, staff note or pending request, ever.
"""

import csv
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from config.site import absolute_url
from pledges.directory.lists import confirmed_members_count
from pledges.directory.open_data import (
    EXPORT_CHUNK,
    Column,
    Echo,
    csv_cell,
    date_text,
    json_text,
    pk_chunks,
)
from pledges.models import ElectoralList, Signature, SignedCommitment
from pledges.outcomes.public import is_elected, outcome_code, yes_no


@dataclass(frozen=True)
class ListExportRow:
    """A public list as plain values: what its open data is built from."""

    pk: int
    name: str
    commune_insee_code: str
    commune_name: str
    secteur_number: int | None
    secteur_name: str | None
    head_first_name: str | None
    head_last_name: str | None
    political_label: str
    status: str
    approved_at: datetime | None
    withdrawn_at: datetime | None
    members: int
    active_codes: list[str]
    withdrawn_codes: list[str]
    # After the vote (pledges.outcomes.public): blank before the results.
    outcome: str = ""
    head_match: str | None = None
    head_elected_id: int | None = None
    head_is_mayor: bool | None = None

    @property
    def head_elected(self) -> bool | None:
        return is_elected(self.head_match, self.head_elected_id)

    @property
    def head_name(self) -> str:
        if self.head_last_name is None:
            return ""
        return f"{self.head_first_name} {self.head_last_name}"

    @property
    def joined(self) -> int:
        """Candidates who joined: the confirmed colistiers, and the head."""
        return self.members + (1 if self.head_last_name is not None else 0)

    @property
    def is_withdrawn(self) -> bool:
        return self.status == Signature.Status.WITHDRAWN


_LIST_FIELDS = {
    "pk": "pk",
    "name": "name",
    "commune_insee_code": "commune__insee_code",
    "commune_name": "commune__name",
    "secteur_number": "secteur__number",
    "secteur_name": "secteur__name",
    "head_first_name": "head__first_name",
    "head_last_name": "head__last_name",
    "political_label": "political_label",
    "status": "signature__status",
    "approved_at": "signature__approved_at",
    "withdrawn_at": "signature__withdrawn_at",
    "members": "members",
    "outcome": "outcome",
    "head_match": "head__elected_match",
    "head_elected_id": "head__elected_councillor_id",
    "head_is_mayor": "head__elected_councillor__is_mayor",
}


def list_export_rows(lists: QuerySet[ElectoralList]) -> list[ListExportRow]:
    """The lists (already restricted to public ones) as plain values: two queries."""
    active, withdrawn = defaultdict(list), defaultdict(list)
    signatures = (
        SignedCommitment.objects.filter(pledge__electoral_list__in=lists.order_by().values("pk"))
        .order_by("pledge_id", "commitment__proposal__number", "commitment__position")
        .values_list(
            "pledge__electoral_list_id",
            "commitment__proposal__number",
            "commitment__position",
            "withdrawn_at",
            "pledge__status",
        )
    )
    for list_id, number, position, withdrawn_at, status in signatures:
        counts = withdrawn_at is None and status != Signature.Status.WITHDRAWN
        (active if counts else withdrawn)[list_id].append(f"{number}.{position}")
    rows = []
    values = lists.annotate(members=confirmed_members_count("pk"))
    for row in values.values_list(*_LIST_FIELDS.values()):
        fields = dict(zip(_LIST_FIELDS, row, strict=True))
        rows.append(
            ListExportRow(
                **fields,
                active_codes=active.get(fields["pk"], []),
                withdrawn_codes=withdrawn.get(fields["pk"], []),
            )
        )
    return rows


LIST_COLUMNS = [
    Column(
        "id",
        _("Identifiant de la liste, stable : il ne change jamais et n’est pas réutilisé."),
        "87",
        lambda row: row.pk,
    ),
    Column("nom", _("Nom de la liste."), "Saint-Étienne d’abord", lambda row: row.name),
    Column(
        "commune_code_insee",
        _("Code INSEE de la commune (Code officiel géographique 2020)."),
        "42218",
        lambda row: row.commune_insee_code,
    ),
    Column("commune_nom", _("Nom de la commune."), "Saint-Étienne", lambda row: row.commune_name),
    Column(
        "secteur_numero",
        _(
            "À Paris, Lyon et Marseille, où les listes se présentent par secteur : le numéro "
            "du secteur ; vide ailleurs."
        ),
        "",
        lambda row: row.secteur_number,
    ),
    Column(
        "secteur_nom",
        _("Le nom du secteur (« Marseille 1er secteur ») ; vide ailleurs."),
        "",
        lambda row: row.secteur_name or "",
    ),
    Column(
        "tete_de_liste",
        _("Prénom et nom de la tête de liste (vide si la liste n’en a plus)."),
        "Camille Martin",
        lambda row: row.head_name,
    ),
    Column(
        "etiquette",
        _("Étiquette politique déclarée (peut être vide)."),
        "Sans étiquette",
        lambda row: row.political_label,
    ),
    Column(
        "engagements_signes",
        _(
            "Codes des engagements que la liste a signés à ce jour (sa tête de liste signe en "
            "son nom) : numéro de la proposition, point, position de l’engagement. Séparés "
            "par des espaces dans le CSV, une liste en JSON."
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
        "membres",
        _(
            "Nombre de candidat·es ayant rejoint la liste sur ce site : ses colistier·es "
            "confirmé·es et sa tête de liste."
        ),
        "12",
        lambda row: row.joined,
    ),
    Column(
        "date_validation",
        _("Date à laquelle Coorace a validé la signature de la liste (AAAA-MM-JJ)."),
        "2020-02-14",
        lambda row: date_text(row.approved_at),
    ),
    Column(
        "date_retrait_signature",
        _(
            "Si la liste a retiré toute sa signature, la date du retrait (ses engagements sont "
            "alors tous dans engagements_retires) ; vide sinon."
        ),
        "",
        lambda row: date_text(row.withdrawn_at) if row.is_withdrawn else None,
    ),
    Column(
        "resultat",
        _(
            "Après le vote, le résultat de la liste : majorite (la liste du ou de la maire), "
            "opposition (des élu·es au conseil municipal) ou non_elue (aucun·e élu·e) ; vide "
            "avant l’import des élu·es de la commune (Répertoire national des élus)."
        ),
        "majorite",
        lambda row: outcome_code(row.outcome),
    ),
    Column(
        "tete_de_liste_elue",
        _(
            "Après le vote, oui si la tête de liste est conseillère municipale, non sinon ; "
            "vide avant l’import des élu·es ou tant qu’une homonymie n’est pas tranchée."
        ),
        "oui",
        lambda row: yes_no(row.head_elected),
    ),
    Column(
        "tete_de_liste_maire",
        _("Si la tête de liste est élue : oui si elle est maire, non sinon ; vide sinon."),
        "oui",
        lambda row: yes_no(bool(row.head_is_mayor)) if row.head_elected else None,
    ),
    Column(
        "url",
        _("Adresse de la page publique de la liste sur ce site."),
        "https://…/listes/87/",
        lambda row: absolute_url(reverse("pledges:list", kwargs={"pk": row.pk})),
    ),
]
LIST_COLUMN_NAMES = [column.name for column in LIST_COLUMNS]


def list_record(row: ListExportRow) -> dict:
    return {column.name: column.value(row) for column in LIST_COLUMNS}


def list_records(rows: Iterable[ListExportRow]) -> list[dict]:
    return [list_record(row) for row in rows]


def list_chunks(lists: QuerySet[ElectoralList], size: int | None = None) -> Iterator[list]:
    """The lists' export rows in pk order, `size` (EXPORT_CHUNK) at a time: by pk ranges."""
    return pk_chunks(lists, list_export_rows, size or EXPORT_CHUNK)


def list_csv_lines(chunks: Iterable[list[ListExportRow]]) -> Iterator[str]:
    """listes.csv, a chunk at a time: UTF-8, comma-separated, one header row."""
    writer = csv.writer(Echo())
    yield writer.writerow(LIST_COLUMN_NAMES)
    for rows in chunks:
        yield "".join(
            writer.writerow([csv_cell(value) for value in list_record(row).values()])
            for row in rows
        )


def list_json_pieces(head: dict, chunks: Iterable[list[ListExportRow]]) -> Iterator[str]:
    """`head`'s keys, then "listes": the records, a chunk at a time; one JSON object."""
    yield json_text(head)[:-1] + ', "listes": ['
    separator = ""
    for rows in chunks:
        yield separator + ", ".join(json_text(list_record(row)) for row in rows)
        separator = ", "
    yield "]}"
