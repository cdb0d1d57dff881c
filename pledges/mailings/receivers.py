"""What an erased account leaves of the mailings: their counts, not its address."""

from pledges.models import MailingDelivery


def forget_deliveries(sender, instance, **kwargs) -> None:
    """Before a candidate is deleted (account erasure), delete the deliveries of the
    mailings they were sent: the address goes with them, each mailing keeps its counts."""
    MailingDelivery.objects.filter(candidate=instance).delete()
