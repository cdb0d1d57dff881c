"""Staff decisions on how a signature compares with the official roster.

From a signature's page (pledges.moderation.admin.roster) staff confirm the match the site
found, choose one of several possible records or another record of the same commune (and
secteur), say that the list or candidate is on no official record (« introuvable »), or
hand it back to the automatic comparison. A list's signature decides for the list
(ElectoralList), any other for its candidate (Candidate).

Keyword arguments, one transaction each, the row locked; a French ValidationError when the
record chosen is not of the same place. Each decision is audited on the signature
(AuditEntry « comparaison avec les candidatures officielles tranchée »), with the records'
ids before and after (never a person's name, so that the log keeps none after an erasure).
A decided row is never changed by the automatic comparison (pledges.roster.matching).
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Candidate, OfficialCandidate, OfficialList, RosterMatch
from communes.grammar import a_lieu
from pledges.directory.queries import invalidate_public_caches
from pledges.models import AuditEntry, ElectoralList, Signature
from pledges.moderation.services import record_audit
from pledges.roster.matching import match_candidate, match_list

Match = RosterMatch


def _subject(signature: Signature) -> tuple[type, str]:
    """What the signature's match is about: its list (a head's), else its candidate."""
    if signature.electoral_list_id is not None:
        return ElectoralList, "official_list"
    return Candidate, "official_candidate"


def _locked_subject(signature: Signature):
    model, _field = _subject(signature)
    pk = signature.electoral_list_id or signature.candidate_id
    return model.objects.select_for_update(of=("self",)).get(pk=pk)


def _check_place(row, official) -> None:
    """The record chosen is of the row's commune, and secteur (Paris, Lyon, Marseille)."""
    same_commune = official.commune_id == row.commune_id
    same_secteur = official.secteur_id == row.secteur_id or (
        isinstance(official, OfficialCandidate) and official.official_list_id is None
    )
    if not (same_commune and same_secteur):
        raise ValidationError(
            _(
                "« %(official)s » ne se présente pas %(place)s : choisissez une candidature "
                "officielle de la même commune (et du même secteur)."
            )
            % {"official": official, "place": a_lieu(_place(row))}
        )


def _place(row) -> str:
    if isinstance(row, ElectoralList):
        return row.place
    if row.secteur_id:
        return f"{row.commune.name}, {row.secteur.name}"
    return row.commune.name


def _record(
    *,
    signature: Signature,
    row,
    field: str,
    official,
    match: str,
    moderator: AbstractBaseUser | None,
    checked: bool,
    note: str,
    ip_address: str | None,
):
    before = (getattr(row, f"{field}_id"), row.roster_match)
    setattr(row, field, official)
    row.roster_match = match
    row.roster_checked_at = timezone.now() if checked else None
    row.roster_checked_by = moderator if checked else None
    update = [field, "roster_match", "roster_checked_at", "roster_checked_by"]
    if isinstance(row, ElectoralList):
        # The list's panel number and nuance are those of its official list.
        row.panel_number = official.panel_number if official else None
        row.nuance = official.nuance if official else ""
        update += ["panel_number", "nuance"]
    row.save(update_fields=update)
    if not checked:
        # Back to the automatic comparison, at once.
        compare = match_list if isinstance(row, ElectoralList) else match_candidate
        compare(row)
        row.refresh_from_db()
    record_audit(
        action=AuditEntry.Action.ROSTER_DECIDED,
        moderator=moderator,
        pledge=signature,
        changes={
            field: [before[0], getattr(row, f"{field}_id")],
            "roster_match": [before[1], row.roster_match],
        },
        note=note,
        ip_address=ip_address,
    )
    transaction.on_commit(invalidate_public_caches)  # « déposée en préfecture »
    return row


@transaction.atomic
def confirm_match(
    *,
    signature: Signature,
    moderator: AbstractBaseUser,
    official: OfficialList | OfficialCandidate,
    note: str = "",
    ip_address: str | None = None,
):
    """Staff say that the signature's list (or candidate) is this official record: the one
    found, one of several possible, or another of the same place. Returns the list or
    candidate."""
    model, field = _subject(signature)
    expected = OfficialList if model is ElectoralList else OfficialCandidate
    if not isinstance(official, expected):
        raise ValidationError(
            _(
                "Choisissez une liste officielle pour une liste, une candidature officielle "
                "pour une personne."
            )
        )
    row = _locked_subject(signature)
    _check_place(row, official)
    return _record(
        signature=signature,
        row=row,
        field=field,
        official=official,
        match=Match.CONFIRMED,
        moderator=moderator,
        checked=True,
        note=note,
        ip_address=ip_address,
    )


@transaction.atomic
def mark_not_found(
    *,
    signature: Signature,
    moderator: AbstractBaseUser,
    note: str = "",
    ip_address: str | None = None,
):
    """Staff say the list (or candidate) is on no official record of its commune."""
    _model, field = _subject(signature)
    return _record(
        signature=signature,
        row=_locked_subject(signature),
        field=field,
        official=None,
        match=Match.NOT_FOUND,
        moderator=moderator,
        checked=True,
        note=note,
        ip_address=ip_address,
    )


@transaction.atomic
def compare_again(
    *,
    signature: Signature,
    moderator: AbstractBaseUser,
    note: str = "",
    ip_address: str | None = None,
):
    """Staff undo their decision: the automatic comparison runs again, now and after each
    import."""
    _model, field = _subject(signature)
    return _record(
        signature=signature,
        row=_locked_subject(signature),
        field=field,
        official=None,
        match=Match.UNCHECKED,
        moderator=moderator,
        checked=False,
        note=note,
        ip_address=ip_address,
    )
