"""The open data of the official roster: every official list with its answer to the campaign.

/donnees/listes-officielles.csv has one line per official list standing (both rounds, each
line saying its round), as the Ministry of the Interior publishes the candidatures
(candidates.official, Licence Ouverte), with its answer (pledges.roster.answers) and, if it
signed, the address of its signature's page. ROSTER_COLUMNS is the contract, as COLUMNS and
LIST_COLUMNS are for the other files (pledges/directory/open_data.py): the file and the
/donnees/ page that documents it are generated from it. Nothing private: the reason a list
gave for declining only if it agreed to publish it; no invitation channel, address, note or
staff name, ever. Streamed a chunk of lists at a time (`pk_chunks`).
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.models import OfficialList
from config.http import public_cache
from config.site import absolute_url
from pledges.charter.queries import current_campaign
from pledges.directory.open_data import (
    EXPORT_CHUNK,
    Column,
    column_csv_lines,
    csv_download,
    pk_chunks,
)
from pledges.models import Campaign
from pledges.outcomes.public import outcome_code, yes_no
from pledges.outcomes.queries import elected_count, has_mayor
from pledges.roster.answers import Answer, ListAnswer, answers_for

# The answer as the file spells it: stable codes, in French like the other files' codes.
ANSWER_CODES = {
    Answer.SIGNED: "a_signe",
    Answer.DECLINED: "a_decline",
    Answer.INVITED: "invitee",
    Answer.NO_ANSWER: "sans_reponse",
}


@dataclass(frozen=True)
class RosterExportRow:
    official_list: OfficialList
    answer: ListAnswer


def _date(value) -> str | None:
    if value is None:
        return None
    if hasattr(value, "tzinfo"):
        value = timezone.localdate(value)
    return value.isoformat()


ROSTER_COLUMNS = [
    Column("tour", _("Tour de scrutin : 1 ou 2."), "1", lambda row: row.official_list.tour),
    Column(
        "departement_code",
        _("Code du département (2A et 2B pour la Corse, 971… pour l’outre-mer)."),
        "42",
        lambda row: row.official_list.commune.departement_id,
    ),
    Column(
        "departement_nom",
        _("Nom du département."),
        "Loire",
        lambda row: row.official_list.commune.departement.name,
    ),
    Column(
        "commune_code_insee",
        _("Code INSEE de la commune (Code officiel géographique 2020)."),
        "42218",
        lambda row: row.official_list.commune.insee_code,
    ),
    Column(
        "commune_nom",
        _("Nom de la commune."),
        "Saint-Étienne",
        lambda row: row.official_list.commune.name,
    ),
    Column(
        "secteur_numero",
        _(
            "À Paris, Lyon et Marseille, le numéro du secteur où la liste se présente ; "
            "vide ailleurs."
        ),
        "",
        lambda row: row.official_list.secteur.number if row.official_list.secteur_id else None,
    ),
    Column(
        "secteur_nom",
        _("Le nom du secteur ; vide ailleurs."),
        "",
        lambda row: row.official_list.secteur.name if row.official_list.secteur_id else None,
    ),
    Column(
        "numero_panneau",
        _("Numéro de panneau de la liste, tel que la préfecture l’a attribué."),
        "3",
        lambda row: row.official_list.panel_number,
    ),
    Column(
        "libelle_abrege",
        _("Libellé abrégé de la liste, tel que déposé (peut être vide)."),
        "SE D’ABORD",
        lambda row: row.official_list.short_name,
    ),
    Column(
        "libelle_etendu",
        _("Libellé étendu de la liste, tel que déposé."),
        "Saint-Étienne d’abord",
        lambda row: row.official_list.name,
    ),
    Column(
        "nuance",
        _("Nuance politique attribuée à la liste par le ministère de l’Intérieur (LDVG, LUD…)."),
        "LDIV",
        lambda row: row.official_list.nuance,
    ),
    Column(
        "tete_de_liste",
        _("Prénom et nom de la tête de liste (candidat·e n° 1), tels que déposés."),
        "Camille MARTIN",
        lambda row: row.official_list.head_name,
    ),
    Column(
        "nombre_candidats",
        _("Nombre de candidat·es de la liste."),
        "55",
        lambda row: row.official_list.candidate_count,
    ),
    Column(
        "reponse",
        _(
            "Sa réponse à la campagne : a_signe (une liste de ce site liée à cette liste "
            "officielle a une signature validée, au premier tour pour une liste qui se "
            "maintient au second), a_decline (refus enregistré par Coorace pour la liste), "
            "invitee (invitée, sans réponse encore), sans_reponse (n’a pas encore répondu)."
        ),
        "a_signe",
        lambda row: ANSWER_CODES[row.answer.answer],
    ),
    Column(
        "date_reponse",
        _(
            "La date de la réponse (AAAA-MM-JJ) : validation de la signature, refus ou "
            "dernière invitation ; vide sans réponse."
        ),
        "2020-02-14",
        lambda row: _date(row.answer.date),
    ),
    Column(
        "date_retrait_signature",
        _("Si la liste a signé puis retiré sa signature, la date du retrait ; vide sinon."),
        "",
        lambda row: _date(row.answer.withdrawn_at),
    ),
    Column(
        "engagements",
        _("Si elle a signé, le nombre d’engagements qu’elle signe à ce jour."),
        "12",
        lambda row: row.answer.commitments if row.answer.is_signed else None,
    ),
    Column(
        "raison_refus",
        _(
            "Si elle a décliné, la raison qu’elle a donnée, seulement si elle a accepté "
            "qu’elle soit publiée."
        ),
        "",
        lambda row: row.answer.decline_reason,
    ),
    Column(
        "resultat",
        _(
            "Après le vote, le résultat de la liste d’après le Répertoire national des élus : "
            "majorite (la liste du ou de la maire), opposition (des élu·es au conseil "
            "municipal) ou non_elue (aucun·e élu·e) ; une liste du premier tour qui s’est "
            "maintenue ou a fusionné prend le résultat de sa liste du second tour. Vide avant "
            "l’import des élu·es de la commune."
        ),
        "majorite",
        lambda row: outcome_code(row.official_list.outcome),
    ),
    Column(
        "elus",
        _(
            "Après le vote, le nombre de ses candidat·es élu·es conseiller·es municipaux·ales "
            "(rapprochés par nom dans la commune ; les homonymes non départagés ne comptent "
            "pas) ; vide avant l’import des élu·es de la commune."
        ),
        "12",
        lambda row: row.official_list.elected_count if row.official_list.outcome else None,
    ),
    Column(
        "maire",
        _("Après le vote, oui si le ou la maire a été élu·e sur cette liste, non sinon."),
        "oui",
        lambda row: yes_no(row.official_list.has_mayor) if row.official_list.outcome else None,
    ),
    Column(
        "url_signature",
        _("Si elle a signé, l’adresse de la page de sa signature sur ce site ; vide sinon."),
        "https://…/listes/87/",
        lambda row: absolute_url(row.answer.url) if row.answer.url else None,
    ),
]
ROSTER_COLUMN_NAMES = [column.name for column in ROSTER_COLUMNS]


def roster_rows(lists, *, campaign: Campaign) -> list[RosterExportRow]:
    """These official lists (a chunk) with their answers: five queries whatever their number."""
    lists = list(
        lists.select_related("commune__departement", "secteur").annotate(
            elected_count=elected_count(), has_mayor=has_mayor()
        )
    )
    answers = answers_for(lists, campaign=campaign)
    return [RosterExportRow(official_list, answers[official_list.pk]) for official_list in lists]


def roster_chunks(campaign: Campaign, size: int | None = None) -> Iterator[list[RosterExportRow]]:
    """Every standing official list in pk order, `size` (EXPORT_CHUNK) at a time."""
    return pk_chunks(
        OfficialList.objects.standing(),
        lambda lists: roster_rows(lists, campaign=campaign),
        size or EXPORT_CHUNK,
    )


def roster_csv_lines(chunks: Iterable[list[RosterExportRow]]) -> Iterator[str]:
    """listes-officielles.csv, a chunk at a time: UTF-8, comma-separated, one header row."""
    return column_csv_lines(ROSTER_COLUMNS, chunks)


@public_cache
def roster_csv(request):
    """/donnees/listes-officielles.csv, streamed a chunk of official lists at a time."""
    lines = roster_csv_lines(roster_chunks(current_campaign()))
    return csv_download(request, lines, "listes-officielles.csv")
