"""Which signatures belong to the elected: the one definition the follow-up, bilans,
reminders and mailings read.

A list's signature is elected when its list is in the council (majorité or opposition, from
the elected file or set by staff); an individual candidate's (communes under 1,000
inhabitants, no list) when the candidate is matched to an elected councillor (found by the
import or confirmed by staff). Only approved signatures: what the public saw.
"""

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from candidates.models import ListOutcome, RosterMatch
from pledges.models import Signature

ELECTED_OUTCOMES = (ListOutcome.MAJORITY, ListOutcome.OPPOSITION)
SURE_MATCHES = (RosterMatch.FOUND, RosterMatch.CONFIRMED)


def elected_condition(prefix: str = "") -> Q:
    """The Q that selects elected signatures, from a model reaching Signature by `prefix`."""
    return Q(**{f"{prefix}electoral_list__outcome__in": ELECTED_OUTCOMES}) | Q(
        **{
            f"{prefix}electoral_list__isnull": True,
            f"{prefix}candidate__elected_councillor__isnull": False,
            f"{prefix}candidate__elected_match__in": SURE_MATCHES,
        }
    )


def elected_signatures(campaign=None) -> QuerySet:
    """Approved signatures of elected lists and elected individual candidates."""
    signatures = Signature.objects.filter(status=Signature.Status.APPROVED).filter(
        elected_condition()
    )
    if campaign is not None:
        signatures = signatures.filter(campaign=campaign)
    return signatures


def _sitting_on(official_list_ref: str = "pk"):
    from candidates.models import ElectedCouncillor

    return ElectedCouncillor.objects.sitting().filter(
        official_candidate__official_list=OuterRef(official_list_ref),
        roster_match=RosterMatch.FOUND,
    )


def elected_count(official_list_ref: str = "pk"):
    """For a query on official lists: how many sitting councillors were elected on it
    (a subquery, no extra query)."""
    return Coalesce(
        Subquery(
            _sitting_on(official_list_ref)
            .order_by()
            .values("official_candidate__official_list")
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def has_mayor(official_list_ref: str = "pk"):
    """For a query on official lists: whether the sitting mayor was elected on it."""
    return Exists(_sitting_on(official_list_ref).filter(is_mayor=True))
