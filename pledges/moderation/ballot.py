"""The ballot a candidate chose, against what the commune's files (or, before, its population)
say.

Whether a commune votes by list is decided from data once the official candidatures are
imported (`Commune.votes_by_list`: lists stand there, or individual candidates do); until
then the population (1,000 inhabitants or more, or Paris, Lyon, Marseille) is only a hint
that a candidate may overrule with a one-line `ballot_note`. Once the files are in, the hint
steps aside: a role that contradicts the files is flagged for staff (the queue's « à
vérifier », its « mode de scrutin » filter), with the candidate's note if they gave one.
Staff see the choice, the note, and can list the candidacies that go against either.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from candidates.models import Candidate
from communes.models import LIST_BALLOT_POPULATION, SECTOR_CITIES


def _hint_says_list(prefix: str) -> Q:
    """The commune votes by list: its files say so, or, until they are in, its population."""
    return Q(**{f"{prefix}commune__votes_by_list": True}) | (
        Q(**{f"{prefix}commune__votes_by_list__isnull": True})
        & (
            Q(**{f"{prefix}commune__insee_code__in": SECTOR_CITIES})
            | Q(**{f"{prefix}commune__population__gte": LIST_BALLOT_POPULATION})
        )
    )


def against_the_hint(prefix: str = "") -> Q:
    """Candidacies whose role contradicts the files of their commune or, until they are in,
    the hint: on a list where the commune votes one by one, or individual where it votes by
    list. `prefix` leads from the queried model to the candidate (« candidate__ »)."""
    hint = _hint_says_list(prefix)
    return (Q(**{f"{prefix}role__in": Candidate.LIST_ROLES}) & ~hint) | (
        Q(**{f"{prefix}role": Candidate.Role.INDIVIDUAL}) & hint
    )


def against_the_files(prefix: str = "") -> Q:
    """Candidacies whose role contradicts the official candidatures of their commune."""
    return (
        Q(**{f"{prefix}role__in": Candidate.LIST_ROLES})
        & Q(**{f"{prefix}commune__votes_by_list": False})
    ) | (
        Q(**{f"{prefix}role": Candidate.Role.INDIVIDUAL})
        & Q(**{f"{prefix}commune__votes_by_list": True})
    )


def contradicts_the_files(candidate: Candidate) -> bool:
    votes_by_list = candidate.commune.votes_by_list
    return votes_by_list is not None and candidate.stands_on_a_list != votes_by_list


def what_the_files_say(candidate: Candidate) -> str:
    """« des listes se présentent dans la commune », « seul·es des candidat·es un·e par un·e
    s’y présentent »; empty before the files are in."""
    if candidate.commune.votes_by_list is None:
        return ""
    if candidate.commune.votes_by_list:
        return _("des listes se présentent dans la commune")
    return _("seul·es des candidat·es à titre individuel s’y présentent")


def ballot_choice(candidate: Candidate) -> str:
    """« Scrutin de liste (conforme aux candidatures officielles) », « Scrutin individuel
    (contraire à l’indication : 1 000 habitants ou plus) »…"""
    by_list = candidate.stands_on_a_list
    chosen = _("Scrutin de liste") if by_list else _("Scrutin individuel")
    if candidate.commune.votes_by_list is not None:
        if by_list == candidate.commune.votes_by_list:
            return _("%(chosen)s (conforme aux candidatures officielles)") % {"chosen": chosen}
        return _("%(chosen)s (contraire aux candidatures officielles : %(files)s)") % {
            "chosen": chosen,
            "files": what_the_files_say(candidate),
        }
    if by_list == candidate.commune.list_ballot_hint:
        return _("%(chosen)s (conforme à l’indication)") % {"chosen": chosen}
    if candidate.commune.list_ballot_hint:
        hint = _("la commune vote probablement par liste")
    else:
        hint = _("moins de 1 000 habitants : la commune vote probablement un par un")
    return _("%(chosen)s (contraire à l’indication : %(hint)s)") % {"chosen": chosen, "hint": hint}
