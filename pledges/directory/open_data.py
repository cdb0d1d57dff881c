"""The open data: one record per public signatory, and nothing private.

COLUMNS is the whole contract. The CSV file, the JSON file, the per-commune API and the
/donnees/ page that documents them are all generated from it, so a field becomes public
only by being added here: never an e-mail address, a phone number, a consent, a staff note
or the status of a signature that is not public. Records are built from
`export_rows(public_pledges(...))`; the whole-directory files are streamed by chunks of
EXPORT_CHUNK signatories (`export_chunks`), so no request holds the directory in memory.
"""

import csv
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.models import Candidate
from config.site import absolute_url
from pledges.csv import neutralise
from pledges.models import ElectoralList, ListMembership, Signature, SignedCommitment
from pledges.outcomes.public import is_elected, outcome_code, yes_no

LICENCE_NAME = "Licence Ouverte / Open Licence 2.0 (Etalab)"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
# Signatories read (and written out) at a time by the streamed files.
EXPORT_CHUNK = 2000


@dataclass(frozen=True)
class ExportRow:
    """A public signatory as plain values: what the open data is built from."""

    pk: int
    first_name: str
    last_name: str
    list_name: str
    role: str
    political_label: str
    commune_insee_code: str
    commune_name: str
    departement_code: str
    region_code: str
    status: str
    approved_at: datetime | None
    withdrawn_at: datetime | None
    role_code: str
    signed_for_list: int | None  # a head's signature is their list's
    member_of: int | None  # a colistier's public list, once confirmed
    active_codes: list[str]
    withdrawn_codes: list[str]
    # After the vote (pledges.outcomes.public): blank before the results.
    list_outcome: str | None = None
    member_outcome: str | None = None
    elected_match: str = ""
    elected_id: int | None = None
    is_mayor: bool | None = None

    @property
    def is_withdrawn(self) -> bool:
        return self.status == Signature.Status.WITHDRAWN

    @property
    def elected(self) -> bool | None:
        return is_elected(self.elected_match, self.elected_id)

    @property
    def list_id(self) -> int | None:
        return self.signed_for_list or self.member_of

    @property
    def list_role(self) -> str:
        """The signer's place in their list: what the signature says, not what was typed."""
        if self.signed_for_list:
            return LIST_ROLE_HEAD
        if self.role_code == Candidate.Role.CANDIDATE:
            return LIST_ROLE_COLISTIER
        return LIST_ROLE_INDIVIDUAL


LIST_ROLE_HEAD, LIST_ROLE_COLISTIER, LIST_ROLE_INDIVIDUAL = "tete", "colistier", "individuel"


_EXPORT_FIELDS = {
    "pk": "pk",
    "first_name": "candidate__first_name",
    "last_name": "candidate__last_name",
    "list_name": "candidate__list_name",
    "role": "candidate__role",
    "political_label": "candidate__political_label",
    "commune_insee_code": "candidate__commune__insee_code",
    "commune_name": "candidate__commune__name",
    "departement_code": "candidate__commune__departement_id",
    "region_code": "candidate__commune__departement__region_id",
    "status": "status",
    "approved_at": "approved_at",
    "withdrawn_at": "withdrawn_at",
    "signed_for_list": "electoral_list_id",
    "member_of": "member_of",
    "list_outcome": "electoral_list__outcome",
    "member_outcome": "member_outcome",
    "elected_match": "candidate__elected_match",
    "elected_id": "candidate__elected_councillor_id",
    "is_mayor": "candidate__elected_councillor__is_mayor",
}


def export_rows(pledges: QuerySet[Signature]) -> list[ExportRow]:
    """The pledges (already restricted to public ones) as plain values: two queries.

    The whole directory goes through here for the exports, so no model instance is built:
    tuples from two queries, the signatures read through a subquery (no list of ids).
    """
    active, withdrawn = defaultdict(list), defaultdict(list)
    signatures = (
        SignedCommitment.objects.filter(pledge__in=pledges.order_by().values("pk"))
        .order_by("pledge_id", "commitment__proposal__number", "commitment__position")
        .values_list(
            "pledge_id",
            "commitment__proposal__number",
            "commitment__position",
            "withdrawn_at",
            "pledge__status",
        )
    )
    for pledge_id, number, position, withdrawn_at, status in signatures:
        counts = withdrawn_at is None and status != Signature.Status.WITHDRAWN
        (active if counts else withdrawn)[pledge_id].append(f"{number}.{position}")
    roles = {value: str(label) for value, label in Candidate.Role.choices}
    rows = []
    exported = pledges.annotate(
        member_of=confirmed_public_list(), member_outcome=confirmed_public_list("outcome")
    ).values_list(*_EXPORT_FIELDS.values())
    for values in exported:
        fields = dict(zip(_EXPORT_FIELDS, values, strict=True))
        fields["role_code"] = fields["role"]
        fields["role"] = roles.get(fields["role"], fields["role"])
        rows.append(
            ExportRow(
                **fields,
                active_codes=active.get(fields["pk"], []),
                withdrawn_codes=withdrawn.get(fields["pk"], []),
            )
        )
    return rows


def confirmed_public_list(field: str = "") -> Subquery:
    """For a query on signatures: the public list its candidate is a confirmed member of
    (or, with `field`, that field of the list).

    Only confirmed and public: the colistier consented to being named on the list once
    confirmed and the list approved (pledges.lists.services.JOIN_CONSENT), not before.
    """
    return Subquery(
        ListMembership.objects.filter(
            candidate=OuterRef("candidate_id"),
            status=ListMembership.Status.CONFIRMED,
            electoral_list__in=ElectoralList.objects.public().values("pk"),
        ).values(f"electoral_list__{field}" if field else "electoral_list_id")[:1]
    )


def date_text(value: datetime | None) -> str | None:
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
        _(
            "Nom de la liste ou du groupe, tel que la personne l’a indiqué (peut être vide) ; "
            "les listes elles-mêmes sont dans listes.csv."
        ),
        "Ensemble pour Saint-Étienne",
        lambda row: row.list_name,
    ),
    Column(
        "role",
        _(
            "Le rôle déclaré : « Tête de liste », « Colistier·e (candidat·e sur une liste) » "
            "ou « Candidat·e à titre individuel (moins de 1 000 habitants) »."
        ),
        "Tête de liste",
        lambda row: row.role,
    ),
    Column(
        "liste_id",
        _(
            "Identifiant de la liste (la colonne id de listes.csv) : celle pour laquelle la "
            "tête de liste signe, ou celle qu’un·e colistier·e a rejointe (adhésion "
            "confirmée, liste validée) ; vide sinon."
        ),
        "87",
        lambda row: row.list_id,
    ),
    Column(
        "role_liste",
        _(
            "La place de la signature : « tete » (la tête de liste signe au nom de la liste), "
            "« colistier » (un·e colistier·e signe à titre personnel, en plus des engagements "
            "de sa liste) ou « individuel » (un·e candidat·e signe en son nom)."
        ),
        LIST_ROLE_HEAD,
        lambda row: row.list_role,
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
        lambda row: date_text(row.approved_at),
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
        lambda row: date_text(row.withdrawn_at) if row.is_withdrawn else None,
    ),
    Column(
        "resultat_liste",
        _(
            "Après le vote, le résultat de sa liste (celle de liste_id) : majorite, "
            "opposition ou non_elue ; vide avant l’import des élu·es de la commune, et pour "
            "un·e candidat·e à titre individuel."
        ),
        "majorite",
        lambda row: outcome_code(row.list_outcome or row.member_outcome),
    ),
    Column(
        "elu",
        _(
            "Après le vote, oui si la personne est conseillère municipale d’après le "
            "Répertoire national des élus (rapprochement par commune et nom, vérifié par "
            "Coorace en cas d’homonymie), non sinon ; vide avant l’import des élu·es de la "
            "commune ou tant qu’une homonymie n’est pas tranchée."
        ),
        "oui",
        lambda row: yes_no(row.elected),
    ),
    Column(
        "maire",
        _("Si elle est élue : oui si elle est maire, non sinon ; vide sinon."),
        "non",
        lambda row: yes_no(bool(row.is_mayor)) if row.elected else None,
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


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(value)
    text = str(value)
    return neutralise(text)


def export_chunks(pledges: QuerySet[Signature], size: int | None = None) -> Iterator[list]:
    """The pledges' export rows in pk order, `size` (EXPORT_CHUNK) at a time: three queries
    a chunk.

    Each chunk is a pk range (no list of ids in the SQL); a signature that changes while
    the file is written shows in the state its chunk read.
    """
    return pk_chunks(pledges, export_rows, size or EXPORT_CHUNK)


def pk_chunks(queryset: QuerySet, read, size: int) -> Iterator[list]:
    """`read` applied to `queryset` in pk order, `size` rows at a time, each chunk a pk
    range (no list of ids in the SQL)."""
    queryset = queryset.order_by("pk")
    last = 0
    while True:
        ids = list(queryset.filter(pk__gt=last).values_list("pk", flat=True)[:size])
        if not ids:
            return
        yield read(queryset.filter(pk__gt=last, pk__lte=ids[-1]))
        if len(ids) < size:
            return
        last = ids[-1]


class Echo:
    """A file whose write() returns the line: csv.writer then formats one row at a time."""

    def write(self, line: str) -> str:
        return line


def csv_lines(chunks: Iterable[list[ExportRow]]) -> Iterator[str]:
    """The CSV file, a chunk at a time: UTF-8, comma-separated, one header row, RFC 4180."""
    writer = csv.writer(Echo())
    yield writer.writerow(COLUMN_NAMES)
    for rows in chunks:
        yield "".join(
            writer.writerow([csv_cell(value) for value in record(row).values()]) for row in rows
        )


def column_csv_lines(columns: list[Column], chunks: Iterable[list]) -> Iterator[str]:
    """A CSV file of `columns` (each named in the header row, filled by its value(row)), a
    chunk of rows at a time: UTF-8, comma-separated, one header row."""
    writer = csv.writer(Echo())
    yield writer.writerow([column.name for column in columns])
    for rows in chunks:
        yield "".join(
            writer.writerow([csv_cell(column.value(row)) for column in columns]) for row in rows
        )


def csv_download(request, lines: Iterator[str], filename: str) -> StreamingHttpResponse:
    """`lines` (a generator: nothing is read before it is consumed) streamed as the CSV
    attachment `filename`. A HEAD request gets the headers without the file being read from
    the database."""
    response = StreamingHttpResponse(
        iter(()) if request.method == "HEAD" else lines, content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def json_text(value) -> str:
    return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)


def json_pieces(head: dict, chunks: Iterable[list[ExportRow]]) -> Iterator[str]:
    """`head`'s keys, then "signataires": the records, a chunk at a time; one JSON object."""
    yield json_text(head)[:-1] + ', "signataires": ['
    separator = ""
    for rows in chunks:
        yield separator + ", ".join(json_text(record(row)) for row in rows)
        separator = ", "
    yield "]}"
