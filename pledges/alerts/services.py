"""The rules of voters' alerts: subscribe, confirm, unsubscribe, the daily digest.

Double opt-in: `subscribe` stores a pending subscription and sends the confirmation
courriel (a job, on commit); only `confirm` (a POST from the link's page) makes it count.
`unsubscribe` deletes the row: the address is erased, nothing of it is kept. The digest
(`queue_digests`, run daily by manage.py send_alerts) enqueues one job per confirmed
subscription that has something new; the job (`send_digest`) sends at most one message a
day, with the events after the confirmation and after the previous digest, and the
one-click unsubscribe headers (RFC 8058). Every function takes `now`, so tests pass it.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from communes.models import Commune
from config.site import absolute_url, build_email, send_email
from pledges.alerts.events import (
    commune_events,
    public_follow_up_updates,
    public_signature_events,
)
from pledges.models import AlertSubscription

# A subscription never confirmed is erased after this many days (pledges.moderation.retention).
PENDING_DAYS = 7
CONFIRMATION_EMAIL = "pledges/alerts/emails/confirm"
DIGEST_EMAIL = "pledges/alerts/emails/digest"


def normalize_email(email: str) -> str:
    """The address as typed, its domain in lower case (the part that is case-blind)."""
    local, at, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if at else email.strip()


def unsubscribe_url(subscription: AlertSubscription) -> str:
    return absolute_url(reverse("pledges:alerts_unsubscribe", args=[subscription.token]))


@transaction.atomic
def subscribe(*, commune: Commune, email: str, now: datetime.datetime) -> AlertSubscription:
    """A pending subscription (or the existing one) and, unless already confirmed, the
    confirmation courriel. The caller says the same thing in every case, so that the form
    tells nobody whether an address already follows the commune."""
    email = normalize_email(email)
    subscription = (
        AlertSubscription.objects.select_for_update()
        .filter(commune=commune, email__iexact=email)
        .first()
    )
    if subscription is None:
        subscription = AlertSubscription.objects.create(
            commune=commune, email=email, created_at=now
        )
    elif subscription.is_confirmed:
        return subscription
    send_email(
        CONFIRMATION_EMAIL,
        to=[subscription.email],
        context={"subscription": subscription, "pending_days": PENDING_DAYS},
    )
    return subscription


@transaction.atomic
def confirm(*, token: str, now: datetime.datetime) -> AlertSubscription:
    subscription = (
        AlertSubscription.objects.select_for_update()
        .select_related("commune")
        .filter(token=token)
        .first()
    )
    if subscription is None:
        raise ValidationError(
            _(
                "Ce lien de confirmation n’est plus valable : l’inscription n’a pas été "
                "confirmée dans les %(days)d jours, ou elle a été annulée. Inscrivez-vous à "
                "nouveau depuis la page de la commune."
            )
            % {"days": PENDING_DAYS}
        )
    if not subscription.is_confirmed:
        subscription.confirmed_at = now
        subscription.save(update_fields=["confirmed_at"])
    return subscription


@transaction.atomic
def unsubscribe(*, token: str) -> Commune | None:
    """Delete the subscription (its address with it); the commune it followed, or None if
    the link matches nothing (already unsubscribed)."""
    subscription = AlertSubscription.objects.select_related("commune").filter(token=token).first()
    if subscription is None:
        return None
    commune = subscription.commune
    subscription.delete()
    return commune


def due_subscriptions(*, now: datetime.datetime):
    """Confirmed subscriptions not yet sent a digest today whose commune has an event after
    their confirmation and their last digest."""
    today_start = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(now), datetime.time.min)
    )
    news = public_signature_events().filter(
        pledge__candidate__commune=OuterRef("commune"), at__gt=OuterRef("since"), at__lte=now
    )
    follow_ups = public_follow_up_updates().filter(
        signed_commitment__pledge__candidate__commune=OuterRef("commune"),
        decided_at__gt=OuterRef("since"),
        decided_at__lte=now,
    )
    return (
        AlertSubscription.objects.confirmed()
        .filter(Q(last_sent_at__isnull=True) | Q(last_sent_at__lt=today_start))
        .annotate(since=Coalesce("last_sent_at", "confirmed_at"))
        .filter(Exists(news) | Exists(follow_ups))
    )


@transaction.atomic
def queue_digests(*, now: datetime.datetime) -> int:
    """Enqueue (on commit) the digest job of each due subscription; how many."""
    from pledges.alerts.tasks import send_digest

    pks = list(due_subscriptions(now=now).values_list("pk", flat=True))
    until = now.isoformat()
    for pk in pks:
        transaction.on_commit(lambda pk=pk: send_digest.enqueue(pk, until), robust=True)
    return len(pks)


def build_digest(subscription: AlertSubscription, events: list):
    """The digest courriel, with RFC 8058's one-click unsubscribe headers."""
    commune = subscription.commune
    url = unsubscribe_url(subscription)
    message = build_email(
        DIGEST_EMAIL,
        to=[subscription.email],
        context={
            "commune": commune,
            "events": [
                {"title": event.title, "at": event.at, "url": absolute_url(event.path)}
                for event in events
            ],
            "commune_url": absolute_url(commune.get_absolute_url()),
            "unsubscribe_url": url,
        },
    )
    message.extra_headers["List-Unsubscribe"] = f"<{url}>"
    message.extra_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message


@transaction.atomic
def send_digest(*, subscription_id: int, until: datetime.datetime) -> str:
    """Send one subscription's digest of the events up to `until`, unless it was sent one
    that day or has nothing new. Sent inside the transaction: if SMTP fails, `last_sent_at`
    stays and the job's retry sends the same events."""
    subscription = (
        AlertSubscription.objects.select_for_update()
        .select_related("commune")
        .filter(pk=subscription_id, confirmed_at__isnull=False)
        .first()
    )
    if subscription is None:
        return "unsubscribed"
    if subscription.last_sent_at and timezone.localdate(
        subscription.last_sent_at
    ) >= timezone.localdate(until):
        return "already sent that day"
    since = subscription.last_sent_at or subscription.confirmed_at
    events = commune_events(subscription.commune, after=since, until=until)
    if not events:
        return "nothing new"
    build_digest(subscription, events).send()
    subscription.last_sent_at = until
    subscription.save(update_fields=["last_sent_at"])
    return f"sent {len(events)} events"


def subscriber_counts():
    """Confirmed subscriptions per département and commune, for staff: counts, no address."""
    from django.db.models import Count

    return (
        AlertSubscription.objects.confirmed()
        .values("commune__departement_id", "commune__insee_code", "commune__name")
        .annotate(n=Count("pk"))
        .order_by("commune__departement_id", "-n", "commune__name")
    )
