"""Staff decisions on the elected, from a signature's admin page (pledges.outcomes.admin).

- `confirm_elected`: the signature's candidate is this sitting councillor of their commune
  (one of several homonyms, or a match the file could not make);
- `mark_not_elected`: they are none of the councillors;
- `compare_elected_again`: the decision is undone, the automatic comparison runs again;
- `set_list_outcome`: the signature's list got this outcome (majorité, opposition, non
  élue), whatever the file says; `FROM_FILE` hands it back to the file.

Keyword arguments, one transaction each, the row locked; a French ValidationError for a
councillor of another commune or an outcome that does not exist. Each is audited on the
signature (AuditEntry ELECTED_DECIDED / OUTCOME_SET) with ids and codes before and after,
never a name. Decided rows are never changed by pledges.outcomes.matching.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Candidate, ElectedCouncillor, ListOutcome, RosterMatch
from pledges.directory.queries import invalidate_public_caches
from pledges.models import AuditEntry, ElectoralList, Signature
from pledges.moderation.services import record_audit
from pledges.outcomes.matching import list_outcome_from_file, match_candidate

FROM_FILE = "fichier"
OUTCOMES_STAFF_SET = (ListOutcome.MAJORITY, ListOutcome.OPPOSITION, ListOutcome.NOT_ELECTED)


def _record_candidate(
    *, signature, councillor, match, moderator, checked, note, ip_address
) -> Candidate:
    candidate = Candidate.objects.select_for_update(of=("self",)).get(pk=signature.candidate_id)
    if councillor is not None and councillor.commune_id != candidate.commune_id:
        raise ValidationError(
            _(
                "« %(councillor)s » n’est pas élu·e dans la commune de cette personne : "
                "choisissez un·e élu·e de la même commune."
            )
            % {"councillor": councillor}
        )
    before = [candidate.elected_councillor_id, candidate.elected_match]
    candidate.elected_councillor = councillor
    candidate.elected_match = match
    candidate.elected_checked_at = timezone.now() if checked else None
    candidate.elected_checked_by = moderator if checked else None
    candidate.save(
        update_fields=[
            "elected_councillor",
            "elected_match",
            "elected_checked_at",
            "elected_checked_by",
        ]
    )
    if not checked:
        match_candidate(candidate)
        candidate.refresh_from_db()
    record_audit(
        action=AuditEntry.Action.ELECTED_DECIDED,
        moderator=moderator,
        pledge=signature,
        changes={
            "elected_councillor": [before[0], candidate.elected_councillor_id],
            "elected_match": [before[1], candidate.elected_match],
        },
        note=note,
        ip_address=ip_address,
    )
    transaction.on_commit(invalidate_public_caches)  # « élu·e » on the public pages
    return candidate


@transaction.atomic
def confirm_elected(
    *,
    signature: Signature,
    moderator: AbstractBaseUser,
    councillor: ElectedCouncillor,
    note: str = "",
    ip_address: str | None = None,
) -> Candidate:
    if councillor.gone_at is not None:
        raise ValidationError(
            _("« %(councillor)s » n’est plus dans le dernier fichier des élu·es.")
            % {"councillor": councillor}
        )
    return _record_candidate(
        signature=signature,
        councillor=councillor,
        match=RosterMatch.CONFIRMED,
        moderator=moderator,
        checked=True,
        note=note,
        ip_address=ip_address,
    )


@transaction.atomic
def mark_not_elected(*, signature: Signature, moderator: AbstractBaseUser, **why) -> Candidate:
    """`why`: note, ip_address (as for confirm_elected)."""
    return _without_councillor(signature, moderator, RosterMatch.NOT_FOUND, checked=True, **why)


@transaction.atomic
def compare_elected_again(*, signature: Signature, moderator: AbstractBaseUser, **why) -> Candidate:
    return _without_councillor(signature, moderator, RosterMatch.UNCHECKED, checked=False, **why)


def _without_councillor(signature, moderator, match, *, checked, note="", ip_address=None):
    return _record_candidate(
        signature=signature,
        councillor=None,
        match=match,
        moderator=moderator,
        checked=checked,
        note=note,
        ip_address=ip_address,
    )


@transaction.atomic
def set_list_outcome(
    *,
    signature: Signature,
    moderator: AbstractBaseUser,
    outcome: str,
    note: str = "",
    ip_address: str | None = None,
) -> ElectoralList:
    """The list's outcome as staff say (or, with FROM_FILE, as the elected file says)."""
    if signature.electoral_list_id is None:
        raise ValidationError(_("Cette signature n’est pas celle d’une liste."))
    if outcome not in (*OUTCOMES_STAFF_SET, FROM_FILE):
        raise ValidationError(_("Ce résultat n’existe pas : choisissez-en un dans la liste."))
    electoral_list = ElectoralList.objects.select_for_update(of=("self",)).get(
        pk=signature.electoral_list_id
    )
    before = [electoral_list.outcome, electoral_list.outcome_set_by_id]
    if outcome == FROM_FILE:
        electoral_list.outcome = list_outcome_from_file(electoral_list)
        electoral_list.outcome_set_by = None
    else:
        electoral_list.outcome = outcome
        electoral_list.outcome_set_by = moderator
    electoral_list.outcome_at = timezone.now() if electoral_list.outcome else None
    electoral_list.save(update_fields=["outcome", "outcome_at", "outcome_set_by"])
    record_audit(
        action=AuditEntry.Action.OUTCOME_SET,
        moderator=moderator,
        pledge=signature,
        changes={
            "outcome": [before[0], electoral_list.outcome],
            "outcome_set_by": [before[1], electoral_list.outcome_set_by_id],
        },
        note=note,
        ip_address=ip_address,
    )
    transaction.on_commit(invalidate_public_caches)
    return electoral_list
