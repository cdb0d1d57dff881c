"""E-mails about pledges: French, plain text with an HTML alternative.

Each message is rendered from templates/emails/<name>.txt and <name>.html; its subject is
the first line of the text template.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def send(name: str, *, to: list[str], context: dict) -> None:
    if not to:
        return
    context = {**context, "site_url": settings.SITE_URL.rstrip("/")}
    subject, _, body = render_to_string(f"emails/{name}.txt", context).partition("\n")
    html = render_to_string(f"emails/{name}.html", context)
    message = EmailMultiAlternatives(
        subject=subject.strip(),
        body=body.strip() + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    message.attach_alternative(html, "text/html")
    message.send()


def send_pledge_received(pledge) -> None:
    candidate = pledge.candidate
    send(
        "pledge_received",
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
    send(
        "staff_new_pledge",
        to=settings.STAFF_NOTIFICATION_EMAILS,
        context={
            "candidate": candidate,
            "pledge": pledge,
            "count": pledge.active_signatures().count(),
            "admin_url": absolute_url(reverse("admin:pledges_pledge_change", args=[pledge.pk])),
        },
    )


def notify_staff_of_correction(correction) -> None:
    send(
        "staff_correction_request",
        to=settings.STAFF_NOTIFICATION_EMAILS,
        context={
            "correction": correction,
            "candidate": correction.candidate,
            "reply_to": correction.candidate.user.email,
        },
    )


DECISION_TEMPLATES = {
    "approved": "decision_approved",
    "changes_requested": "decision_changes_requested",
    "rejected": "decision_rejected",
    "unpublished": "decision_unpublished",
}


def send_decision(pledge, action: str, *, note: str = "", reason=None) -> None:
    """Tell the candidate what staff decided, and what they can do now."""
    candidate = pledge.candidate
    send(
        DECISION_TEMPLATES[action],
        to=[candidate.user.email],
        context={
            "candidate": candidate,
            "pledge": pledge,
            "note": note,
            "reason": reason,
            "public_url": absolute_url(pledge.get_absolute_url()),
            "space_url": absolute_url(reverse("pledges:space")),
            "certificate_url": absolute_url(
                reverse("pledges:certificate_download", kwargs={"pk": pledge.pk})
            )
            if action == "approved"
            else "",
        },
    )
