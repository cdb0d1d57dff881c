"""Retention: erase private contact data past its date (manage.py erase_private_data)."""

from dataclasses import dataclass

from django.db import transaction

from candidates.models import Candidate, CorrectionRequest
from pledges.models import AuditEntry


@dataclass
class ErasureCounts:
    phones: int = 0
    correction_messages: int = 0
    ip_addresses: int = 0


def erase_private_data(*, before, dry_run: bool = False) -> ErasureCounts:
    """Erase private contact data older than `before` (a timezone-aware datetime).

    Phones of candidates whose profile was last changed before that date, the messages of
    correction requests sent before it, and the IP addresses of audit entries written
    before it. The published record and the audit trail's pseudonymous entries stay.
    """
    phones = Candidate.objects.filter(updated_at__lt=before).exclude(phone="")
    messages = CorrectionRequest.objects.filter(created_at__lt=before).exclude(message="")
    addresses = AuditEntry.objects.filter(at__lt=before, ip_address__isnull=False)
    counts = ErasureCounts(phones.count(), messages.count(), addresses.count())
    if not dry_run:
        with transaction.atomic():
            # update() leaves updated_at alone: the profile itself did not change.
            phones.update(phone="")
            messages.update(message="")
            addresses.update(ip_address=None)
    return counts
