"""The staff's read: elected signatures whose follow-up nobody has reported yet."""

from django.db.models import Exists, OuterRef, QuerySet

from pledges.models import FollowUpUpdate
from pledges.moderation.scope import SIGNATURE_REGION, limit
from pledges.outcomes.queries import elected_signatures


def without_update(user=None) -> QuerySet:
    """Elected signatures with no approved follow-up update on any of their commitments,
    each with `has_pending` (an update waits for moderation) and `has_update` (any update,
    refused ones included); within `user`'s régions when given."""
    updates = FollowUpUpdate.objects.filter(signed_commitment__pledge=OuterRef("pk"))
    signatures = (
        elected_signatures()
        .filter(~Exists(updates.filter(state=FollowUpUpdate.State.APPROVED)))
        .annotate(
            has_pending=Exists(updates.filter(state=FollowUpUpdate.State.PENDING)),
            has_update=Exists(updates),
        )
        .select_related("candidate__commune__departement", "electoral_list")
        .order_by(
            "candidate__commune__departement_id",
            "candidate__commune__name",
            "electoral_list__name",
            "candidate__last_name",
            "pk",
        )
    )
    if user is not None:
        signatures = limit(signatures, user, SIGNATURE_REGION)
    return signatures
