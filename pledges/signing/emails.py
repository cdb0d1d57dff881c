"""E-mails of the signing journey: the candidate's receipt and the staff's notice."""

from django.conf import settings
from django.urls import reverse

from config.site import absolute_url, send_email


def send_pledge_received(pledge) -> None:
    candidate = pledge.candidate
    send_email(
        "pledges/signing/emails/pledge_received",
        to=[candidate.user.email],
        context={
            "candidate": candidate,
            "pledge": pledge,
            "commitments": [
                s.commitment
                for s in pledge.active_signatures().select_related("commitment__proposal")
            ],
            "space_url": absolute_url(reverse("pledges:space")),
        },
    )


def notify_staff_of_pledge(pledge) -> None:
    candidate = pledge.candidate
    send_email(
        "pledges/signing/emails/staff_new_pledge",
        to=settings.STAFF_NOTIFICATION_EMAILS,
        context={
            "candidate": candidate,
            "pledge": pledge,
            "count": pledge.active_signatures().count(),
            "admin_url": absolute_url(reverse("admin:pledges_signature_change", args=[pledge.pk])),
        },
    )
