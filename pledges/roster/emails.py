"""The invitation letter by e-mail: a job, enqueued once the invitation is recorded and
committed, that renders the letter's PDF and sends it attached (a request never waits on
SMTP nor on WeasyPrint). A failure to send fails the job, which config.tasks tries again."""

from functools import partial

from django.db import transaction
from django_tasks import task

import config.tasks  # noqa: F401  (its retry policy applies to this job)
from config.site import build_email
from pledges.models import ListInvitation
from pledges.roster.letters import render_letters_pdf, short_link


def send_invitation_letter(invitation: ListInvitation) -> None:
    transaction.on_commit(partial(deliver_invitation_letter.enqueue, invitation.pk), robust=True)


@task()
def deliver_invitation_letter(invitation_id: int) -> str:
    invitation = (
        ListInvitation.objects.select_related(
            "campaign", "official_list__commune__departement", "official_list__secteur"
        )
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.email:
        return "not sent: the invitation is gone"
    official_list = invitation.official_list
    message = build_email(
        "pledges/roster/emails/invitation_letter",
        to=[invitation.email],
        context={
            "official_list": official_list,
            "campaign": invitation.campaign,
            "link": short_link(official_list),
        },
    )
    message.attach(
        f"invitation-coorace-{official_list.invitation_code}.pdf",
        render_letters_pdf([official_list], campaign=invitation.campaign),
        "application/pdf",
    )
    message.send()
    return "sent"
