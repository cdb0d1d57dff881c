"""The open data of the follow-up: /donnees/suivi.csv.

One line per commitment an elected signatory signed and kept (pledges.bilans.queries:
elected lists and elected individual candidates, withdrawn commitments left out), with its
follow-up status, the date of its last approved update and how many approved updates it
has. FOLLOW_UP_COLUMNS is the contract, as the other files' columns are
(pledges/directory/open_data.py): the file and the /donnees/ page that documents it are
generated from it. Nothing private: pending and refused updates are not counted, and no
author of an update is named. Streamed a chunk of signed commitments at a time
(`pk_chunks`), a few queries a chunk whatever its size.
"""

from collections.abc import Iterable, Iterator

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.http import public_cache
from config.site import absolute_url
from pledges.bilans.queries import SIGNED_RELATED, elected_commitments, with_updates
from pledges.charter.queries import current_campaign
from pledges.directory.open_data import (
    EXPORT_CHUNK,
    Column,
    column_csv_lines,
    csv_download,
    pk_chunks,
)
from pledges.models import Campaign, FollowUpStatus, SignedCommitment

# The status as the file spells it: stable codes, in French like the other files' codes.
STATUS_CODES = {
    FollowUpStatus.NOT_STARTED: "pas_commence",
    FollowUpStatus.IN_PROGRESS: "en_cours",
    FollowUpStatus.DONE: "realise",
    FollowUpStatus.ABANDONED: "abandonne",
}
OUTCOME_CODES = {"majority": "majorite", "opposition": "opposition"}


def _list(row: SignedCommitment):
    return row.pledge.electoral_list


def _name(row: SignedCommitment) -> str:
    electoral_list = _list(row)
    return electoral_list.name if electoral_list else row.pledge.candidate.full_name


def _outcome(row: SignedCommitment) -> str:
    electoral_list = _list(row)
    if electoral_list:
        return OUTCOME_CODES.get(electoral_list.outcome, electoral_list.outcome)
    councillor = row.pledge.candidate.elected_councillor
    return "elu_maire" if councillor and councillor.is_mayor else "elu"


def _date(value) -> str | None:
    return timezone.localdate(value).isoformat() if value else None


def follow_up_url(row: SignedCommitment) -> str:
    return absolute_url(reverse("pledges:follow_up_signature", kwargs={"pk": row.pledge_id}))


FOLLOW_UP_COLUMNS = [
    Column(
        "signature_id",
        _("Identifiant de la signature (le même que dans signataires.csv)."),
        "1234",
        lambda row: row.pledge_id,
    ),
    Column(
        "commune_code_insee",
        _("Code INSEE de la commune (Code officiel géographique 2020)."),
        "42218",
        lambda row: row.pledge.candidate.commune.insee_code,
    ),
    Column(
        "commune_nom",
        _("Nom de la commune."),
        "Saint-Étienne",
        lambda row: row.pledge.candidate.commune.name,
    ),
    Column(
        "departement_code",
        _("Code du département (2A et 2B pour la Corse, 971… pour l’outre-mer)."),
        "42",
        lambda row: row.pledge.candidate.commune.departement_id,
    ),
    Column(
        "region_code",
        _("Code INSEE de la région."),
        "84",
        lambda row: row.pledge.candidate.commune.departement.region_id,
    ),
    Column(
        "type",
        _(
            "liste (la signature de la tête de liste, au nom de sa liste) ou candidat "
            "(un·e candidat·e élu·e qui a signé à titre individuel ou personnel)."
        ),
        "liste",
        lambda row: "liste" if _list(row) else "candidat",
    ),
    Column(
        "liste_id",
        _("Pour une liste, son identifiant (le même que dans listes.csv) ; vide sinon."),
        "87",
        lambda row: row.pledge.electoral_list_id,
    ),
    Column(
        "nom",
        _("Le nom de la liste, ou le prénom et le nom du ou de la candidat·e."),
        "Saint-Étienne d’abord",
        _name,
    ),
    Column(
        "resultat",
        _(
            "Le résultat de l’élection : majorite ou opposition pour une liste élue au "
            "conseil municipal ; elu ou elu_maire pour un·e candidat·e élu·e."
        ),
        "majorite",
        _outcome,
    ),
    Column(
        "engagement",
        _("Le code de l’engagement signé (« 3.1 » : proposition 3, engagement 1)."),
        "3.1",
        lambda row: row.commitment.code,
    ),
    Column(
        "statut",
        _(
            "Où en est l’engagement : pas_commence, en_cours, realise ou abandonne, selon la "
            "dernière mise à jour publiée (pas_commence tant qu’il n’y en a aucune)."
        ),
        "en_cours",
        lambda row: STATUS_CODES[row.follow_up_status],
    ),
    Column(
        "date_derniere_mise_a_jour",
        _("La date (AAAA-MM-JJ) de la dernière mise à jour publiée ; vide s’il n’y en a aucune."),
        "2021-06-14",
        lambda row: _date(row.last_update_at),
    ),
    Column(
        "nombre_mises_a_jour",
        _("Le nombre de mises à jour publiées (vérifiées par Coorace) de cet engagement."),
        "2",
        lambda row: row.approved_updates,
    ),
    Column(
        "url_suivi",
        _("L’adresse du suivi détaillé de la signature sur ce site, mise à jour par mise à jour."),
        "https://…/suivi/signatures/1234/",
        follow_up_url,
    ),
]
FOLLOW_UP_COLUMN_NAMES = [column.name for column in FOLLOW_UP_COLUMNS]


def follow_up_rows(signed) -> list[SignedCommitment]:
    """These signed commitments (a chunk) with what the file says of them: one query."""
    return list(with_updates(signed).select_related(*SIGNED_RELATED))


def follow_up_chunks(campaign: Campaign, size: int | None = None) -> Iterator[list]:
    return pk_chunks(elected_commitments(campaign), follow_up_rows, size or EXPORT_CHUNK)


def follow_up_csv_lines(chunks: Iterable[list[SignedCommitment]]) -> Iterator[str]:
    """suivi.csv, a chunk at a time: UTF-8, comma-separated, one header row."""
    return column_csv_lines(FOLLOW_UP_COLUMNS, chunks)


@public_cache
def follow_up_csv(request):
    """/donnees/suivi.csv, streamed a chunk of signed commitments at a time."""
    lines = follow_up_csv_lines(follow_up_chunks(current_campaign()))
    return csv_download(request, lines, "suivi.csv")
