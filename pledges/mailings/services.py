"""The rules of mailings: prepare, preview, send in rate-limited batches, unsubscribe.

- `save_draft` keeps who wrote it and their scope; a regional moderator's draft is bound to
  their régions (all of them when they chose none).
- `preview` renders the message for a real recipient, with the count and the addresses set
  aside because they unsubscribed.
- `send_mailing` (permission `pledges.send_mailing`, the author's régions checked again)
  creates one MailingDelivery per address in bulk, audits the sending and enqueues the job
  on commit; it never talks to SMTP.
- `send_batch`, run by the job (pledges.mailings.tasks), sends at most
  MAILING_RATE_PER_MINUTE pending deliveries and says when the next batch may start. Each
  delivery is claimed, sent and marked in its own transaction, so a worker stopped mid-send
  starts again where it was and a delivery marked sent is never sent again. An SMTP failure
  that may pass (the server down, a timeout) pauses the mailing and is tried again after
  RETRY_DELAYS, then counts as failed; a refused address fails at once.
- Each message's unsubscribe link carries the recipient's account id, signed
  (pledges.unsubscribe), never the address; the view reads the account's current address.
- `opt_out` records an unsubscribe (EmailOptOut « campaign »): later mailings leave the
  address out, and a batch skips it if it unsubscribed while the mailing was going out.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from config.site import absolute_url, build_email
from config.tasks import NOT_RETRIED, RETRIED
from pledges import unsubscribe
from pledges.mailings import merge
from pledges.mailings.recipients import Audience, Recipient, audience_of, opted_out_keys
from pledges.models import (
    AuditEntry,
    Campaign,
    EmailOptOut,
    ListMembership,
    Mailing,
    MailingDelivery,
    Signature,
)
from pledges.moderation.scope import ALL, regions_of, scope_label

SEND_PERMISSION = "pledges.send_mailing"
TEMPLATE = "pledges/mailings/emails/campaign"
UNSUBSCRIBE_SALT = "pledges.mailings.unsubscribe"
# Seconds between two batches: the rate is MAILING_RATE_PER_MINUTE per batch.
BATCH_SECONDS = 60
# A transient SMTP failure is tried again after these waits, then the delivery fails.
RETRY_DELAYS = (60, 300)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
State = MailingDelivery.State


def _actor_name(user: AbstractBaseUser) -> str:
    return user.get_full_name() or user.get_username()


def current_campaign() -> Campaign | None:
    return Campaign.objects.current()


# -------------------------------------------------------------------- scope


def mailing_regions(mailing: Mailing) -> set[str]:
    return set(mailing.filters.get("regions") or [])


def in_scope(mailing: Mailing, user) -> bool:
    """Whether `user` may see and send `mailing`: all régions, or the mailing's régions
    (never « all of France ») within theirs."""
    regions = regions_of(user)
    if regions is ALL:
        return True
    chosen = mailing_regions(mailing)
    return bool(chosen) and chosen <= regions


def visible_mailings(queryset: QuerySet, user) -> QuerySet:
    """`queryset` restricted to the mailings `user` may see (pledges.moderation.scope)."""
    if regions_of(user) is ALL:
        return queryset
    pks = [
        pk
        for pk, filters in queryset.values_list("pk", "filters")
        if in_scope(Mailing(filters=filters or {}), user)
    ]
    return queryset.filter(pk__in=pks)


def check_scope(mailing: Mailing, user) -> None:
    if not in_scope(mailing, user):
        raise PermissionDenied(_("Cet envoi vise des régions hors de votre périmètre."))


# -------------------------------------------------------------------- draft and preview


def save_draft(*, mailing: Mailing, author: AbstractBaseUser, now=None) -> Mailing:
    """Save a draft; a new one records its author and their scope. A regional moderator's
    draft with no région chosen is addressed to all of theirs."""
    if mailing.state != Mailing.State.DRAFT:
        raise ValidationError(_("Cet envoi est parti : il ne se modifie plus."))
    regions = regions_of(author)
    if regions is not ALL:
        chosen = mailing_regions(mailing)
        if chosen - regions:
            raise PermissionDenied(_("Cet envoi vise des régions hors de votre périmètre."))
        if not chosen:
            mailing.filters = {**mailing.filters, "regions": sorted(regions)}
    merge.check_fields(mailing.subject)
    merge.check_fields(mailing.body)
    if mailing.pk is None:
        mailing.author = author
        mailing.author_name = _actor_name(author)
        mailing.created_at = now or timezone.now()
        mailing.scope = scope_label(author)
    mailing.save()
    return mailing


def audience(mailing: Mailing, user) -> Audience:
    """Who `mailing` would go to if `user` sent it now (their régions applied)."""
    return audience_of(
        campaign=current_campaign(), audience=mailing.audience, filters=mailing.filters, user=user
    )


@dataclass(frozen=True)
class Preview:
    audience: Audience
    recipient: Recipient | None
    subject: str
    body: str


def preview(mailing: Mailing, user) -> Preview:
    """The count, and the message as its first recipient would read it."""
    found = audience(mailing, user)
    recipient = found.recipients[0] if found.recipients else None
    if recipient is None:
        return Preview(found, None, mailing.subject, mailing.body)
    return Preview(
        found,
        recipient,
        merge.merge(mailing.subject, recipient),
        merge.merge(mailing.body, recipient),
    )


# -------------------------------------------------------------------- the message


def unsubscribe_token(user_pk: int) -> str:
    """The signed id of the recipient's account (pledges.unsubscribe): no address in the URL."""
    return unsubscribe.make_token(user_pk, salt=UNSUBSCRIBE_SALT)


def email_of_token(token: str) -> str | None:
    """The current address of the account an unsubscribe link was made for, or None if the
    link was tampered with or the account was erased."""
    return unsubscribe.address_of_token(token, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(user_pk: int) -> str:
    return absolute_url(reverse("pledges:mailing_unsubscribe", args=[unsubscribe_token(user_pk)]))


def build_message(mailing: Mailing, recipient: Recipient, *, email: str) -> EmailMultiAlternatives:
    """The campaign courriel for one recipient, with RFC 8058's one-click unsubscribe."""
    url = unsubscribe_url(recipient.user_id)
    message = build_email(
        TEMPLATE,
        to=[email],
        context={
            "subject": merge.merge(mailing.subject, recipient),
            "body": merge.merge(mailing.body, recipient),
            "unsubscribe_url": url,
        },
    )
    message.extra_headers["List-Unsubscribe"] = f"<{url}>"
    message.extra_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message


# -------------------------------------------------------------------- sending


@transaction.atomic
def send_mailing(
    *, mailing: Mailing, actor: AbstractBaseUser, ip_address: str | None = None, now=None
) -> Mailing:
    """Create the deliveries, audit, and enqueue the sending job (after the commit)."""
    from pledges.mailings.tasks import send_mailing_batch

    now = now or timezone.now()
    if not actor.has_perm(SEND_PERMISSION):
        raise PermissionDenied(_("Vous n’avez pas le droit d’envoyer un message aux signataires."))
    mailing = Mailing.objects.select_for_update().get(pk=mailing.pk)
    if mailing.state != Mailing.State.DRAFT:
        raise ValidationError(_("Cet envoi est déjà parti."))
    check_scope(mailing, actor)
    merge.check_fields(mailing.subject)
    merge.check_fields(mailing.body)
    found = audience(mailing, actor)
    if not found.recipients:
        raise ValidationError(_("Aucun destinataire : élargissez le filtre avant d’envoyer."))
    MailingDelivery.objects.bulk_create(
        [
            MailingDelivery(mailing=mailing, candidate_id=r.candidate_id, email=r.email)
            for r in found.recipients
        ]
        + [
            MailingDelivery(
                mailing=mailing, candidate_id=r.candidate_id, email=r.email, state=State.SKIPPED
            )
            for r in found.opted_out
        ],
        batch_size=500,
    )
    mailing.state = Mailing.State.SENDING
    mailing.sent_at = now
    mailing.recipient_count = found.count
    mailing.save(update_fields=["state", "sent_at", "recipient_count"])
    AuditEntry.objects.create(
        at=now,
        actor=actor,
        actor_name=_actor_name(actor),
        action=AuditEntry.Action.MAILING_SENT,
        pledge=None,
        pledge_pseudonym=f"envoi-{mailing.pk}",
        changes={
            "mailing": mailing.pk,
            "audience": mailing.audience,
            "filters": mailing.filters,
            "recipients": found.count,
            "opted_out": len(found.opted_out),
        },
        note=mailing.subject,
        ip_address=ip_address,
        scope=scope_label(actor),
    )
    transaction.on_commit(lambda: send_mailing_batch.enqueue(mailing.pk), robust=True)
    return mailing


def recipients_for(candidate_ids: list[int], campaign: Campaign | None) -> dict[int, Recipient]:
    """The merge fields of these candidates as they are now (when the courriel leaves)."""
    from candidates.models import Candidate

    lists = {}
    if campaign is not None:
        lists.update(
            ListMembership.objects.filter(
                candidate_id__in=candidate_ids, status=ListMembership.Status.CONFIRMED
            ).values_list("candidate_id", "electoral_list__name")
        )
        lists.update(
            Signature.objects.filter(
                campaign=campaign, candidate_id__in=candidate_ids, electoral_list__isnull=False
            ).values_list("candidate_id", "electoral_list__name")
        )
    return {
        pk: Recipient(
            candidate_id=pk,
            user_id=user_pk,
            email=email,
            first_name=first_name,
            last_name=last_name,
            commune=commune,
            list_name=lists.get(pk) or list_name or "",
        )
        for pk, user_pk, email, first_name, last_name, commune, list_name in (
            Candidate.objects.filter(pk__in=candidate_ids).values_list(
                "pk",
                "user_id",
                "user__email",
                "first_name",
                "last_name",
                "commune__name",
                "list_name",
            )
        )
    }


@dataclass(frozen=True)
class Batch:
    done: bool  # nothing left to send: the mailing is finished
    sent: int
    next_at: datetime.datetime | None  # when the next batch may start


def _is_transient(error: Exception) -> bool:
    return isinstance(error, RETRIED) and not isinstance(error, NOT_RETRIED)


def _deliver(pk: int, mailing: Mailing, recipients: dict, unsubscribed: set) -> tuple[str, int]:
    """Send one pending delivery; (its new state, or « retry » / « gone », its attempts)."""
    with transaction.atomic():
        delivery = (
            MailingDelivery.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, state=State.PENDING)
            .first()
        )
        if delivery is None:  # sent meanwhile by another worker
            return "gone", 0
        recipient = recipients.get(delivery.candidate_id)
        if delivery.email.lower() in unsubscribed:
            delivery.state = State.SKIPPED
        elif recipient is None:
            delivery.state = State.FAILED
            delivery.error = _("Compte supprimé avant l’envoi.")
        else:
            delivery.attempts += 1
            try:
                build_message(mailing, recipient, email=delivery.email).send()
            except (OSError, ValueError) as error:
                delivery.error = f"{type(error).__name__}: {error}"[:2000]
                if _is_transient(error) and delivery.attempts < MAX_ATTEMPTS:
                    delivery.save(update_fields=["error", "attempts"])
                    return "retry", delivery.attempts
                delivery.state = State.FAILED
            else:
                delivery.state = State.SENT
                delivery.sent_at = timezone.now()
                delivery.error = ""
        delivery.save(update_fields=["state", "error", "attempts", "sent_at"])
        return delivery.state, delivery.attempts


def _update_counts(mailing: Mailing, *, now) -> bool:
    """Count the deliveries; finish the mailing when none is pending. Whether finished."""
    counts = mailing.deliveries.aggregate(
        sent=Count("pk", filter=Q(state=State.SENT)),
        failed=Count("pk", filter=Q(state=State.FAILED)),
        pending=Count("pk", filter=Q(state=State.PENDING)),
    )
    mailing.sent_count = counts["sent"]
    mailing.failed_count = counts["failed"]
    fields = ["sent_count", "failed_count"]
    if not counts["pending"]:
        mailing.state = Mailing.State.SENT
        mailing.finished_at = now
        fields += ["state", "finished_at"]
    mailing.save(update_fields=fields)
    return not counts["pending"]


def send_batch(*, mailing_id: int) -> Batch:
    """Send the next batch of a mailing being sent (at most MAILING_RATE_PER_MINUTE)."""
    started = timezone.now()
    mailing = Mailing.objects.filter(pk=mailing_id, state=Mailing.State.SENDING).first()
    if mailing is None:
        return Batch(done=True, sent=0, next_at=None)
    size = max(1, settings.MAILING_RATE_PER_MINUTE)
    batch = list(
        mailing.deliveries.filter(state=State.PENDING)
        .order_by("pk")
        .values_list("pk", "candidate_id")[:size]
    )
    recipients = recipients_for([c for _pk, c in batch if c is not None], current_campaign())
    unsubscribed = opted_out_keys()
    sent = 0
    next_at = started + datetime.timedelta(seconds=BATCH_SECONDS)
    for pk, _candidate in batch:
        state, attempts = _deliver(pk, mailing, recipients, unsubscribed)
        sent += state == State.SENT
        if state == "retry":
            # The server is probably down: the rest of the batch waits with this one.
            next_at = timezone.now() + datetime.timedelta(seconds=RETRY_DELAYS[attempts - 1])
            break
    done = _update_counts(mailing, now=timezone.now())
    return Batch(done=done, sent=sent, next_at=None if done else next_at)


# -------------------------------------------------------------------- unsubscribe


def is_opted_out(email: str) -> bool:
    return EmailOptOut.objects.filter(email__iexact=email, kind=EmailOptOut.Kind.CAMPAIGN).exists()


def opt_out(*, email: str, now=None) -> EmailOptOut:
    """Record that `email` wants no more campaign messages (once, whatever its case)."""
    kind = EmailOptOut.Kind.CAMPAIGN
    existing = EmailOptOut.objects.filter(email__iexact=email, kind=kind).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return EmailOptOut.objects.create(email=email, kind=kind, at=now or timezone.now())
    except IntegrityError:  # the same address, unsubscribed at the same moment
        return EmailOptOut.objects.get(email__iexact=email, kind=kind)
