"""E-mails about lists: to staff (a list taken over or claimed twice), to heads and colistiers."""

from django.conf import settings
from django.urls import reverse

from config.site import absolute_url, send_email


def _admin_url(electoral_list) -> str:
    return absolute_url(reverse("admin:pledges_electorallist_change", args=[electoral_list.pk]))


def notify_staff_of_claim(claim) -> None:
    send_email(
        "pledges/lists/emails/staff_list_claimed",
        to=settings.STAFF_NOTIFICATION_EMAILS,
        context={
            "claim": claim,
            "electoral_list": claim.electoral_list,
            "admin_url": _admin_url(claim.electoral_list),
        },
    )


def notify_staff_of_takeover(electoral_list) -> None:
    send_email(
        "pledges/lists/emails/staff_list_taken_over",
        to=settings.STAFF_NOTIFICATION_EMAILS,
        context={"electoral_list": electoral_list, "admin_url": _admin_url(electoral_list)},
    )


def notify_head_of_request(membership) -> None:
    head = membership.electoral_list.head
    if head is None:
        return
    send_email(
        "pledges/lists/emails/head_join_requested",
        to=[head.user.email],
        context={"membership": membership, "space_url": absolute_url(reverse("pledges:space"))},
    )


def send_join_decided(membership) -> None:
    send_email(
        "pledges/lists/emails/join_decided",
        to=[membership.candidate.user.email],
        context={"membership": membership, "space_url": absolute_url(reverse("pledges:space"))},
    )


def send_member_removed(membership) -> None:
    send_email(
        "pledges/lists/emails/member_removed",
        to=[membership.candidate.user.email],
        context={"membership": membership, "space_url": absolute_url(reverse("pledges:space"))},
    )
