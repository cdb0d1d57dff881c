"""The elected on the public pages: a list's outcome, « élu·e » / « maire » badges.

    {% load outcomes %}
    {{ list.outcome|outcome_label }}                 {# « majorité » …, "" before the results #}
    {% for badge in candidate|elected_badges %}…     {# [] before the results #}
    {% signature_outcome pledge as outcome %}        {# the verification page: one query #}

Nothing is said before the commune's results are imported (pledges.outcomes.public). The
filters read only what the page has loaded: the pages select_related the candidate's
`elected_councillor` (no query per row).
"""

from dataclasses import dataclass

from django import template

from pledges.models import Signature
from pledges.outcomes import public

register = template.Library()


@register.filter
def outcome_label(outcome) -> str:
    return public.outcome_label(outcome)


@register.filter
def elected_badges(candidate) -> list[str]:
    if candidate is None:
        return []
    return public.elected_badges(candidate)


@dataclass(frozen=True)
class SignatureOutcome:
    list_outcome: str  # the list's label, "" for none or before the results
    outcome_code: str  # ListOutcome value, for the page's class
    badges: list[str]  # the signatory's (an individual candidate's, a colistier's)

    def __bool__(self) -> bool:
        return bool(self.list_outcome or self.badges)


@register.simple_tag
def signature_outcome(pledge) -> SignatureOutcome:
    """What the vote gave the signature's list or candidate (one query)."""
    signature = (
        Signature.objects.select_related("electoral_list", "candidate__elected_councillor")
        .only(
            "electoral_list__outcome",
            "candidate__elected_match",
            "candidate__elected_councillor_id",
            "candidate__elected_councillor__is_mayor",
        )
        .filter(pk=pledge.pk)
        .first()
    )
    if signature is None:
        return SignatureOutcome("", "", [])
    outcome = signature.electoral_list.outcome if signature.electoral_list else ""
    badges = [] if signature.electoral_list else public.elected_badges(signature.candidate)
    return SignatureOutcome(public.outcome_label(outcome), outcome, badges)
