"""E-mails about a candidate's profile."""

from django.conf import settings

from config.site import send_email


def notify_staff_of_correction(correction) -> None:
    send_email(
        "candidates/emails/staff_correction_request",
        to=settings.STAFF_NOTIFICATION_EMAILS,
        context={
            "correction": correction,
            "candidate": correction.candidate,
            "reply_to": correction.candidate.user.email,
        },
    )
