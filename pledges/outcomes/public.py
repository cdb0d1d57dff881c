"""What the public pages and the open data say of the elected, and only once results exist.

Nothing here is shown before the commune's results are imported: a list's outcome is blank
until then (ListOutcome.UNKNOWN), a candidate's match « pas encore comparée » (UNCHECKED), and
every helper returns None / « » for them, so that no page or file says « non élue » during
the campaign. A homonym not yet settled by staff (AMBIGUOUS) is not said either way.
"""

from django.utils.translation import gettext_lazy as _

from candidates.models import ListOutcome, RosterMatch
from pledges.outcomes.queries import SURE_MATCHES

# The outcome as the open data spells it: stable codes, in French like the other codes.
OUTCOME_CODES = {
    ListOutcome.MAJORITY: "majorite",
    ListOutcome.OPPOSITION: "opposition",
    ListOutcome.NOT_ELECTED: "non_elue",
}
# What the public pages say of a list's outcome.
OUTCOME_LABELS = {
    ListOutcome.MAJORITY: _("majorité"),
    ListOutcome.OPPOSITION: _("opposition"),
    ListOutcome.NOT_ELECTED: _("non élue"),
}
UNSAID = (RosterMatch.UNCHECKED, RosterMatch.AMBIGUOUS)


def outcome_code(outcome: str | None) -> str | None:
    return OUTCOME_CODES.get(outcome or "")


def outcome_label(outcome: str | None) -> str:
    return OUTCOME_LABELS.get(outcome or "", "")


def is_elected(match: str | None, councillor_id: int | None) -> bool | None:
    """True (elected), False (the results say not), None (not known, or not said yet)."""
    if match is None or match in UNSAID:
        return None
    return councillor_id is not None and match in SURE_MATCHES


def yes_no(value: bool | None) -> str | None:
    return None if value is None else "oui" if value else "non"


def elected_badges(candidate) -> list[str]:
    """The badges a public page shows by a signatory: « élu·e », « maire »; none before the
    results. `candidate.elected_councillor` is read: select_related it."""
    if not is_elected(candidate.elected_match, candidate.elected_councillor_id):
        return []
    if candidate.elected_councillor.is_mayor:
        return [_("élu·e"), _("maire")]
    return [_("élu·e")]
