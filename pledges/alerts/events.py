"""What a commune's alerts tell: the public events of its lists and candidates.

The events are read, not written: each is a public SignatureEvent (the history the
signatory pages show) of a public signature of the commune, so the digest, the Atom feed
and the signatory pages can never disagree. An unpublished signature's events leave the
feed with it.

`EventKind.FOLLOW_UP`: after the vote, an update of the follow-up that staff approved
(pledges.follow_up), on an elected signature of the commune, dated when it was published; it
leads to the signature's public follow-up page, which shows the same approved updates.
"""

import datetime
from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communes.models import Commune
from pledges.models import FollowUpUpdate, Signature, SignatureEvent
from pledges.outcomes.queries import elected_condition

# How many events the feed shows, newest first.
FEED_LIMIT = 50


class EventKind(models.TextChoices):
    SIGNED = "signed", gettext_lazy("signature des engagements")
    COMMITMENT_ADDED = "commitment_added", gettext_lazy("engagement ajouté")
    COMMITMENT_WITHDRAWN = "commitment_withdrawn", gettext_lazy("engagement retiré")
    WITHDRAWN = "withdrawn", gettext_lazy("signature retirée")
    # After the vote, an approved update of the follow-up (pledges.follow_up).
    FOLLOW_UP = "follow_up", gettext_lazy("suivi publié")


KINDS = {
    SignatureEvent.Kind.APPROVED: EventKind.SIGNED,
    SignatureEvent.Kind.COMMITMENT_ADDED: EventKind.COMMITMENT_ADDED,
    SignatureEvent.Kind.COMMITMENT_WITHDRAWN: EventKind.COMMITMENT_WITHDRAWN,
    SignatureEvent.Kind.WITHDRAWN: EventKind.WITHDRAWN,
}


@dataclass(frozen=True)
class AlertEvent:
    kind: str
    at: datetime.datetime
    key: str  # unique and stable: the feed entry's id
    title: str
    path: str  # the public page it is about


def public_signature_events():
    """Public events of public signatures (an unpublished signature's are gone with it)."""
    return SignatureEvent.objects.filter(
        is_public=True,
        kind__in=KINDS,
    ).filter(
        Q(pledge__status=Signature.Status.APPROVED)
        | Q(pledge__status=Signature.Status.WITHDRAWN, pledge__approved_at__isnull=False)
    )


def public_follow_up_updates():
    """Approved updates of the follow-up of elected (so approved, public) signatures."""
    return (
        FollowUpUpdate.objects.public()
        .filter(signed_commitment__pledge__status=Signature.Status.APPROVED)
        .filter(elected_condition("signed_commitment__pledge__"))
    )


def _who(signature: Signature) -> str:
    if signature.electoral_list_id:
        return _("La liste « %(name)s »") % {"name": signature.electoral_list.name}
    return signature.candidate.full_name


def _title(event: SignatureEvent) -> str:
    who = _who(event.pledge)
    kind = KINDS[event.kind]
    if kind == EventKind.SIGNED:
        return _("%(who)s a signé les engagements de Coorace") % {"who": who}
    if kind == EventKind.WITHDRAWN:
        return _("%(who)s a retiré sa signature") % {"who": who}
    values = {
        "who": who,
        "code": event.commitment.code if event.commitment else "",
        "text": event.commitment.text if event.commitment else "",
    }
    if kind == EventKind.COMMITMENT_ADDED:
        return _("%(who)s a ajouté l’engagement %(code)s : « %(text)s »") % values
    return _("%(who)s a retiré l’engagement %(code)s : « %(text)s »") % values


def _path(signature: Signature) -> str:
    if signature.electoral_list_id:
        return signature.electoral_list.get_absolute_url()
    return signature.get_absolute_url()


def _follow_up_title(update: FollowUpUpdate) -> str:
    commitment = update.signed_commitment.commitment
    return _("%(who)s : l’engagement %(code)s est « %(status)s » (suivi publié)") % {
        "who": _who(update.signed_commitment.pledge),
        "code": commitment.code,
        "status": update.get_status_display(),
    }


def _follow_up_events(commune, *, after, until, limit) -> list[AlertEvent]:
    updates = public_follow_up_updates().filter(
        signed_commitment__pledge__candidate__commune=commune
    )
    if after is not None:
        updates = updates.filter(decided_at__gt=after)
    if until is not None:
        updates = updates.filter(decided_at__lte=until)
    updates = updates.select_related(
        "signed_commitment__pledge__candidate",
        "signed_commitment__pledge__electoral_list",
        "signed_commitment__commitment__proposal",
    ).order_by("-decided_at", "-pk")
    if limit is not None:
        updates = updates[:limit]
    return [
        AlertEvent(
            kind=EventKind.FOLLOW_UP,
            at=update.decided_at,
            key=f"suivi-{update.pk}",
            title=_follow_up_title(update),
            path=reverse(
                "pledges:follow_up_signature", kwargs={"pk": update.signed_commitment.pledge_id}
            )
            + f"#mise-a-jour-{update.pk}",
        )
        for update in updates
    ]


def commune_events(
    commune: Commune,
    *,
    after: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
    limit: int | None = None,
) -> list[AlertEvent]:
    """The commune's events in (after, until], oldest first (newest first with `limit`)."""
    events = public_signature_events().filter(pledge__candidate__commune=commune)
    if after is not None:
        events = events.filter(at__gt=after)
    if until is not None:
        events = events.filter(at__lte=until)
    events = events.select_related(
        "pledge__candidate", "pledge__electoral_list", "commitment__proposal"
    )
    if limit is not None:
        events = events.order_by("-at", "-pk")[:limit]
    else:
        events = events.order_by("at", "pk")
    found = [
        AlertEvent(
            kind=KINDS[event.kind],
            at=event.at,
            key=f"evenement-{event.pk}",
            title=_title(event),
            path=_path(event.pledge),
        )
        for event in events
    ]
    found += _follow_up_events(commune, after=after, until=until, limit=limit)
    if limit is not None:
        return sorted(found, key=lambda event: event.at, reverse=True)[:limit]
    return sorted(found, key=lambda event: event.at)
