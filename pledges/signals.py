"""Edits made outside the services that still change what the public pages show.

The services call `invalidate_public_caches()` after each signature, decision or
withdrawal. These receivers do the same, on commit, when the charter is edited (in the
admin, or by load_charter) and when a published signatory's profile changes (their list's
website or statement in « Ma candidature », a field staff edit in the admin): the stored
pages then go stale at once, rather than when they expire (pledges.http).
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from candidates.models import Candidate
from pledges.models import Campaign, Commitment, Pledge, Proposal
from pledges.queries import invalidate_public_caches


def charter_changed(sender, **kwargs) -> None:
    transaction.on_commit(invalidate_public_caches)


def candidate_changed(sender, instance: Candidate, **kwargs) -> None:
    # A candidate without a published signature appears on no public page.
    if Pledge.objects.public().filter(candidate_id=instance.pk).exists():
        transaction.on_commit(invalidate_public_caches)


def connect() -> None:
    for model in (Campaign, Proposal, Commitment):
        post_save.connect(charter_changed, sender=model, dispatch_uid=f"public:{model.__name__}")
        post_delete.connect(charter_changed, sender=model, dispatch_uid=f"public-:{model.__name__}")
    post_save.connect(candidate_changed, sender=Candidate, dispatch_uid="public:Candidate")
