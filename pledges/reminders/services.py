"""Sending the reminders and the staff's weekly digest; the reminders' unsubscribe.

`queue_reminders` (run daily by manage.py send_follow_up_reminders) enqueues, when the
transaction commits, one job per reminder due (pledges.reminders.schedule); the job
(`send_reminder`) checks again, under a lock on the signature, that it is still due, not
yet sent and not opted out, sends it and writes its FollowUpReminder row in the same
transaction: if SMTP fails, no row is written and config.tasks retries the job; a second job
for the same reminder (the command run twice before the worker) finds the row and sends
nothing.

The staff digest lists the elected signatures with no approved follow-up update
(pledges.reminders.queries.without_update), to each moderator (an active staff account of
the « Modération » group with an address), within their régions. It is weekly with no table
of its own: the command runs daily and the first run of each ISO week (Monday's) enqueues
it; the job marks the week as done for that moderator in the database cache (the table the
rate limits live in, never evicted; the key is kept `DIGEST_KEPT`), so a second run in the
same week, or a second job, sends nothing. If sending fails the mark is removed, and the
job's retry sends it.

Reminders carry an unsubscribe link (`unsubscribe_token`: the reminded account's id, signed
by pledges.unsubscribe with a salt distinct from every other signed value of the site, never
the address, which the view reads from the account) and RFC 8058's one-click headers;
unsubscribing writes EmailOptOut (kind « reminders »), which stops reminders only:
transactional courriels (account, signature, decisions) still go to that address.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from config.site import absolute_url, build_email
from pledges import unsubscribe
from pledges.models import EmailOptOut, FollowUpReminder, Signature
from pledges.moderation.scope import scope_label
from pledges.reminders.queries import without_update
from pledges.reminders.schedule import due_reminders

REMINDER_EMAIL = "pledges/reminders/emails/reminder"
STAFF_DIGEST_EMAIL = "pledges/reminders/emails/staff_digest"
MODERATORS_GROUP = "Modération"
# The unsubscribe token's salt: no other signed value of the site can pass for it.
UNSUBSCRIBE_SALT = "pledges.reminders.unsubscribe"
# The signatures the staff digest lists at most; the others are counted, with the link.
DIGEST_LISTED = 100
DIGEST_KEPT = datetime.timedelta(days=8)


# -- unsubscribing


def unsubscribe_token(user_pk: int) -> str:
    """The signed id of the reminded account (pledges.unsubscribe): no address in the URL."""
    return unsubscribe.make_token(user_pk, salt=UNSUBSCRIBE_SALT)


def address_of_token(token: str) -> str | None:
    """The current address of the account a token was made for, or None if the token was not
    made by this site or the account was erased."""
    return unsubscribe.address_of_token(token, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(user_pk: int) -> str:
    return absolute_url(reverse("pledges:reminders_unsubscribe", args=[unsubscribe_token(user_pk)]))


def has_opted_out(email: str) -> bool:
    return EmailOptOut.objects.filter(email__iexact=email, kind=EmailOptOut.Kind.REMINDERS).exists()


def opt_out(*, email: str, now: datetime.datetime) -> EmailOptOut:
    """Record that `email` wants no more reminders (once; a second time changes nothing)."""
    kind = EmailOptOut.Kind.REMINDERS
    existing = EmailOptOut.objects.filter(email__iexact=email, kind=kind).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return EmailOptOut.objects.create(email=email, kind=kind, at=now)
    except IntegrityError:  # the same link clicked twice at once
        return EmailOptOut.objects.get(email__iexact=email, kind=kind)


# -- the reminders


@transaction.atomic
def queue_reminders(*, now: datetime.datetime) -> int:
    """Enqueue (on commit) the job of each reminder due today; how many."""
    from pledges.reminders.tasks import send_reminder

    today = timezone.localdate(now).isoformat()
    due = due_reminders(today=timezone.localdate(now))
    for reminder in due:
        transaction.on_commit(
            lambda pk=reminder.signature_id, kind=reminder.kind: send_reminder.enqueue(
                pk, kind, today
            ),
            robust=True,
        )
    return len(due)


def build_reminder(signature: Signature, reminder) -> EmailMultiAlternatives:
    """The reminder courriel, with RFC 8058's one-click unsubscribe headers."""
    candidate = signature.candidate
    url = unsubscribe_url(reminder.user_id)
    commitments = (
        signature.signed_commitments.filter(withdrawn_at__isnull=True)
        .select_related("commitment__proposal")
        .order_by("commitment__proposal__number", "commitment__position")
    )
    message = build_email(
        REMINDER_EMAIL,
        to=[reminder.email],
        context={
            "signature": signature,
            "candidate": candidate,
            "commune": candidate.commune,
            "electoral_list": signature.electoral_list,
            "kind": reminder.kind,
            "mandate_start": reminder.mandate_start,
            "signed_commitments": list(commitments),
            "follow_up_url": absolute_url(reverse("pledges:follow_up_mine")),
            "unsubscribe_url": url,
        },
    )
    message.extra_headers["List-Unsubscribe"] = f"<{url}>"
    message.extra_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message


@transaction.atomic
def send_reminder(*, signature_id: int, kind: str, today: datetime.date) -> str:
    """Send one reminder if it is still due, unsent and not opted out; log it."""
    if not Signature.objects.select_for_update().filter(pk=signature_id).exists():
        return "signature gone"
    reminder = next(
        (
            due
            for due in due_reminders(today=today, signature_ids=[signature_id])
            if due.kind == kind
        ),
        None,
    )
    if reminder is None:
        return "not due (already sent, no longer elected, too late or opted out)"
    signature = Signature.objects.select_related(
        "candidate__commune", "electoral_list", "campaign"
    ).get(pk=signature_id)
    build_reminder(signature, reminder).send()
    FollowUpReminder.objects.create(
        signature=signature,
        kind=kind,
        email=reminder.email,
        due_on=reminder.due_on,
        sent_at=timezone.now(),
    )
    return "sent"


# -- the staff digest


def moderators():
    """Who receives the staff digest: active staff accounts of « Modération » with an address."""
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, groups__name=MODERATORS_GROUP)
        .exclude(email="")
        .order_by("pk")
        .distinct()
    )


def digest_week(now: datetime.datetime) -> str:
    year, week, _weekday = timezone.localdate(now).isocalendar()
    return f"{year}-W{week:02d}"


def digest_key(user_id: int, week: str) -> str:
    return f"pledges.reminders.staff_digest:{week}:{user_id}"


def due_digests(*, now: datetime.datetime) -> list[int]:
    """The moderators not yet sent this week's digest who have something in it."""
    week = digest_week(now)
    users = {user.pk: user for user in moderators()}
    keys = {pk: digest_key(pk, week) for pk in users}
    done = cache.get_many(list(keys.values()))
    return [
        pk for pk, key in keys.items() if key not in done and without_update(users[pk]).exists()
    ]


@transaction.atomic
def queue_staff_digests(*, now: datetime.datetime) -> int:
    """Enqueue (on commit) this week's digest job of each moderator not yet sent it."""
    from pledges.reminders.tasks import send_staff_digest

    week = digest_week(now)
    pks = due_digests(now=now)
    for pk in pks:
        transaction.on_commit(lambda pk=pk: send_staff_digest.enqueue(pk, week), robust=True)
    return len(pks)


def build_staff_digest(user, signatures) -> EmailMultiAlternatives:
    count = signatures.count()
    return build_email(
        STAFF_DIGEST_EMAIL,
        to=[user.email],
        context={
            "user": user,
            "user_scope": scope_label(user),
            "count": count,
            "signatures": list(signatures[:DIGEST_LISTED]),
            "more": max(count - DIGEST_LISTED, 0),
            "admin_url": absolute_url(reverse("admin:pledges_followupreminder_without_update")),
        },
    )


def send_staff_digest(*, user_id: int, week: str) -> str:
    """This week's digest to one moderator, once, if some elected signature in their régions
    has no approved update."""
    user = moderators().filter(pk=user_id).first()
    if user is None:
        return "no longer a moderator"
    key = digest_key(user_id, week)
    if not cache.add(key, timezone.now().isoformat(), timeout=DIGEST_KEPT.total_seconds()):
        return "already sent this week"
    try:
        signatures = without_update(user)
        if not signatures.exists():
            return "nothing to report"
        build_staff_digest(user, signatures).send()
    except BaseException:
        cache.delete(key)
        raise
    return "sent"
