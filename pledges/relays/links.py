"""A relay's personal links, /r/<code>/: one per relay and official list, made on first use.

Kept apart from services.py so that the invitation letter (pledges.roster.letters) can print
a relay's link without importing the relay's space.
"""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from candidates.models import OfficialList
from config.site import absolute_url
from pledges.models import Relay, RelayLink


def links_for(relay: Relay, official_lists: Iterable[OfficialList]) -> dict[int, RelayLink]:
    """Official list pk → the relay's link for it, made for those that have none yet (one
    query to read, one bulk insert for the new ones)."""
    wanted = {official_list.pk: official_list for official_list in official_lists}
    if not wanted:
        return {}
    found = {
        link.official_list_id: link
        for link in RelayLink.objects.filter(relay=relay, official_list__in=list(wanted))
    }
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        now = timezone.now()
        try:
            with transaction.atomic():
                RelayLink.objects.bulk_create(
                    [RelayLink(relay=relay, official_list_id=pk, created_at=now) for pk in missing]
                )
        except IntegrityError:
            # Two requests made the same link at once (or a code collided): read them again.
            for pk in missing:
                link = RelayLink.objects.filter(relay=relay, official_list_id=pk).first()
                if link is None:
                    link = RelayLink.objects.create(
                        relay=relay, official_list_id=pk, created_at=timezone.now()
                    )
                found[pk] = link
        else:
            found.update(
                {
                    link.official_list_id: link
                    for link in RelayLink.objects.filter(relay=relay, official_list__in=missing)
                }
            )
    for pk, link in found.items():
        link.official_list = wanted[pk]
    return found


def link_for(relay: Relay, official_list: OfficialList) -> RelayLink:
    return links_for(relay, [official_list])[official_list.pk]


def relay_link_url(link: RelayLink) -> str:
    """The link to print or send: https://<site>/r/<code>/."""
    return absolute_url(reverse("pledges:relay_link", args=[link.code]))
