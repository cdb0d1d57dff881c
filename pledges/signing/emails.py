"""E-mails of the signing journey: the candidate's receipt and the staff's digest.

The receipt leaves for each signature (a job enqueued on commit, config.site.send_email).
Staff are not sent one courriel per signature (a moderator with 300 signatures waiting does
not want 300 courriels): `queue_staff_digest`, run every ten minutes by manage.py
send_staff_digest (config/deploy/coorace-staff-digest.timer), enqueues one job for the
period since the previous digest's end, and that job (`send_staff_digest`) sends one
message listing the signatures sent, or sent again, in it that still wait for a decision.

Nothing is lost between two digests: each job carries its period, [since, until), and the
next one starts where the last one enqueued ended (read from the job queue), so the periods
follow each other without gap or overlap, whatever the timer missed; a job that fails is
retried (config.tasks) with the same period. `until` is a minute before the command runs:
a signature's transaction has committed by then (gunicorn's timeout is 30 s), so every
event dated before `until` is visible when the job reads.
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from config.site import absolute_url, build_email, send_email
from pledges.models import Commitment, Signature, SignatureEvent

STAFF_DIGEST_EMAIL = "pledges/signing/emails/staff_new_pledges"
# How far back `until` stands from the command's run (see the module).
DIGEST_MARGIN = datetime.timedelta(minutes=1)
# The timer's period; also the first digest's period, when the queue holds no earlier one.
DIGEST_EVERY = datetime.timedelta(minutes=10)
# The signatures a digest lists at most; the others are counted, with the queue's link.
DIGEST_LISTED = 100
# The events that tell staff a signature waits for them.
NEWS = (SignatureEvent.Kind.SUBMITTED, SignatureEvent.Kind.RESUBMITTED)


def send_pledge_received(pledge, *, commitments: Iterable[Commitment] | None = None) -> None:
    """The candidate's receipt. `commitments`: the pledge's active commitments when the
    caller has them with their proposals (signing has); else they are read."""
    candidate = pledge.candidate
    commitments = list({c.pk: c for c in commitments or ()}.values())
    if commitments and all(Commitment.proposal.is_cached(c) for c in commitments):
        # The order of SignedCommitment.Meta.ordering: proposal number, then position.
        commitments.sort(key=lambda c: (c.proposal.number, c.position))
    else:
        commitments = [
            s.commitment for s in pledge.active_signatures().select_related("commitment__proposal")
        ]
    send_email(
        "pledges/signing/emails/pledge_received",
        to=[candidate.user.email],
        # The candidate and the commitments: what the receipt says (its job reads them again).
        context={
            "candidate": candidate,
            "commitments": commitments,
            "space_url": absolute_url(reverse("pledges:space")),
        },
    )


def new_signatures(*, since: datetime.datetime, until: datetime.datetime):
    """The signatures sent, or sent again after a request for changes, in [since, until),
    each with `sent_at` (its latest such event in the period) and `commitment_count`."""
    news = Q(events__kind__in=NEWS, events__at__gte=since, events__at__lt=until)
    return (
        Signature.objects.filter(news)
        .annotate(sent_at=Max("events__at", filter=news))
        .annotate(
            commitment_count=Count(
                "signed_commitments",
                filter=Q(signed_commitments__withdrawn_at__isnull=True),
                distinct=True,
            )
        )
        .select_related("candidate__commune", "electoral_list")
        .order_by("sent_at", "pk")
    )


def last_digest_until() -> datetime.datetime | None:
    """Where the last digest enqueued ended, read from the job queue (None: there is none,
    or the immediate backend ran it without keeping a row)."""
    kept = (
        DBTaskResult.objects.filter(task_path=send_staff_digest.module_path)
        .order_by("-enqueued_at")
        .values_list("args_kwargs", flat=True)
        .first()
    )
    if kept is None:
        return None
    return parse_datetime(kept["kwargs"]["until"])


def digest_period(*, now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    until = now - DIGEST_MARGIN
    return last_digest_until() or until - DIGEST_EVERY, until


def queue_staff_digest(*, now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """Enqueue the digest of the period since the last one (see the module); return it.
    With no staff address (STAFF_NOTIFICATION_EMAILS), nothing is enqueued."""
    since, until = digest_period(now=now)
    if settings.STAFF_NOTIFICATION_EMAILS and since < until:
        send_staff_digest.enqueue(since=since.isoformat(), until=until.isoformat())
    return since, until


@task()
def send_staff_digest(*, since: str, until: str) -> str:
    """The digest's job: one message to STAFF_NOTIFICATION_EMAILS listing the period's new
    signatures still pending (none pending: no message). An SMTP failure fails the job,
    which config.tasks retries with the same period."""
    signatures = new_signatures(since=parse_datetime(since), until=parse_datetime(until))
    waiting = list(signatures.filter(status=Signature.Status.PENDING)[: DIGEST_LISTED + 1])
    if not waiting or not settings.STAFF_NOTIFICATION_EMAILS:
        return "nothing waits"
    count = signatures.filter(status=Signature.Status.PENDING).count()
    rows = [
        {
            "signature": signature,
            "candidate": signature.candidate,
            "sent_at": signature.sent_at,
            "commitment_count": signature.commitment_count,
            "admin_url": absolute_url(
                reverse("admin:pledges_signature_change", args=[signature.pk])
            ),
        }
        for signature in waiting[:DIGEST_LISTED]
    ]
    queue_url = (
        absolute_url(reverse("admin:pledges_signature_changelist")) + "?status__exact=pending"
    )
    build_email(
        STAFF_DIGEST_EMAIL,
        to=list(settings.STAFF_NOTIFICATION_EMAILS),
        context={
            "rows": rows,
            "count": count,
            "unlisted": count - len(rows),
            "decided": signatures.count() - count,
            "queue_url": queue_url,
        },
    ).send()
    return f"sent: {count} signatures"
