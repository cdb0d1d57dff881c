"""The e-mail that tells a candidate what staff decided, and what they can do now."""

from django.urls import reverse

from config.site import absolute_url, send_email
from pledges.directory.share import pledge_share_text, pledge_share_url, share_links

DECISION_TEMPLATES = {
    "approved": "decision_approved",
    "changes_requested": "decision_changes_requested",
    "rejected": "decision_rejected",
    "unpublished": "decision_unpublished",
}


def send_decision(pledge, action: str, *, note: str = "", reason=None) -> None:
    candidate = pledge.candidate
    send_email(
        f"pledges/moderation/emails/{DECISION_TEMPLATES[action]}",
        to=[candidate.user.email],
        context={
            "candidate": candidate,
            "pledge": pledge,
            "note": note,
            "reason": reason,
            "public_url": absolute_url(pledge.get_absolute_url()),
            "space_url": absolute_url(reverse("pledges:space")),
            # A refusal's reason may cite them (« Contenu inapproprié »).
            "rules_url": absolute_url(reverse("pledges:publication_rules")),
            "certificate_url": absolute_url(
                reverse("pledges:certificate_download", kwargs={"pk": pledge.pk})
            )
            if action == "approved"
            else "",
            # Plain links to each network's share page (pledges/directory/share.py).
            "share_links": [
                {"name": link.name, "label": link.label, "url": link.url}
                for link in share_links(pledge_share_url(pledge), pledge_share_text(pledge))
            ]
            if action == "approved"
            else [],
        },
    )
