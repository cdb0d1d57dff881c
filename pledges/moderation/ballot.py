"""The ballot a candidate chose, against the hint the commune's population gives.

Whether a commune votes by list is decided from data once the official candidatures are
imported; until then the population (1,000 inhabitants or more, or Paris, Lyon, Marseille)
is only a hint that a candidate may overrule with a one-line `ballot_note`. Staff see the
choice, the note, and can list the candidacies that go against the hint.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from candidates.models import Candidate
from communes.models import LIST_BALLOT_POPULATION, SECTOR_CITIES


def _hint_says_list(prefix: str) -> Q:
    return Q(**{f"{prefix}commune__insee_code__in": SECTOR_CITIES}) | Q(
        **{f"{prefix}commune__population__gte": LIST_BALLOT_POPULATION}
    )


def against_the_hint(prefix: str = "") -> Q:
    """Candidacies whose role contradicts the hint: on a list where the commune probably
    votes one by one, or individual where it probably votes by list. `prefix` leads from
    the queried model to the candidate (« candidate__ »)."""
    hint = _hint_says_list(prefix)
    return (Q(**{f"{prefix}role__in": Candidate.LIST_ROLES}) & ~hint) | (
        Q(**{f"{prefix}role": Candidate.Role.INDIVIDUAL}) & hint
    )


def ballot_choice(candidate: Candidate) -> str:
    """« Scrutin de liste (conforme à l’indication) », « Scrutin individuel (contraire à
    l’indication : 1 000 habitants ou plus) »…"""
    by_list = candidate.stands_on_a_list
    chosen = _("Scrutin de liste") if by_list else _("Scrutin individuel")
    if by_list == candidate.commune.list_ballot_hint:
        return _("%(chosen)s (conforme à l’indication)") % {"chosen": chosen}
    if candidate.commune.list_ballot_hint:
        hint = _("la commune vote probablement par liste")
    else:
        hint = _("moins de 1 000 habitants : la commune vote probablement un par un")
    return _("%(chosen)s (contraire à l’indication : %(hint)s)") % {"chosen": chosen, "hint": hint}
