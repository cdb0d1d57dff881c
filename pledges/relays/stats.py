"""The relays' table of the staff dashboard (pledges.moderation.admin.dashboard): per relay,
the official lists in its territory, the lists it invited, how many of those signed, and the
signatures its links brought.

A fixed number of aggregate queries whatever the number of relays: the territory's communes
that have official lists are read as (relay, commune) pairs (three queries, one per kind of
territory) and added up in Python against the lists per commune (one GROUP BY), so that a
commune named twice (itself and its département) counts once. With a région, only its
lists, invitations and signatures count, and only the relays whose territory touches it (or
that brought a signature there) are listed.
"""

from collections import defaultdict

from django.db.models import Count, Q

from communes.models import Commune, Region
from pledges.models import Campaign, ListInvitation, Relay, Signature
from pledges.relays.services import touching
from pledges.roster.answers import latest_official_lists, signed_lists_condition

Status = Signature.Status
PUBLIC = Q(status=Status.APPROVED) | Q(status=Status.WITHDRAWN, approved_at__isnull=False)


def _codes(region) -> list[str] | None:
    """A Region, several région codes (a regional moderator's scope) or None (all)."""
    if region is None:
        return None
    if isinstance(region, Region):
        return [region.pk]
    return sorted(region)


def _territories(codes: list[str] | None, lists) -> dict[int, set[int]]:
    """Relay pk → the pks of its territory's communes that have `lists` (of those régions
    only, if given): a région's thousands of communes without a list are not read."""
    communes = Commune.objects.order_by().filter(pk__in=lists.values("commune_id"))
    if codes is not None:
        communes = communes.filter(departement__region__in=codes)
    pairs = [
        communes.filter(relays__isnull=False).values_list("relays", "pk"),
        communes.filter(departement__relays__isnull=False).values_list("departement__relays", "pk"),
        communes.filter(departement__region__relays__isnull=False).values_list(
            "departement__region__relays", "pk"
        ),
    ]
    territories: dict[int, set[int]] = defaultdict(set)
    for query in pairs:
        for relay_id, commune_id in query:
            territories[relay_id].add(commune_id)
    return territories


def _relays(codes: list[str] | None, brought):
    """The relays listed: all, or those whose territory touches the régions (with lists
    there or not), or that brought a signature there."""
    relays = Relay.objects.order_by("name", "pk")
    if codes is None:
        return relays
    return relays.filter(Q(pk__in=brought) | touching(codes)).distinct()


def _brought(campaign: Campaign, codes: list[str] | None) -> dict[int, dict]:
    """Relay pk → the signatures its links brought (`total`) and the public ones."""
    signatures = Signature.objects.filter(campaign=campaign, relay__isnull=False).order_by()
    if codes is not None:
        signatures = signatures.filter(candidate__commune__departement__region__in=codes)
    return {
        row["relay"]: row
        for row in signatures.values("relay").annotate(
            total=Count("pk"), public=Count("pk", filter=PUBLIC)
        )
    }


# The relays the dashboard names: those that brought the most (all are on the « Relais » page).
TOP = 10


def summary(campaign: Campaign, region=None) -> dict:
    """How many relays (of `region`), how many invited at least one list there, the
    signatures their links brought (and the public ones), and the `TOP` relays that brought
    the most signatures."""
    codes = _codes(region)
    brought = _brought(campaign, codes)
    relays = list(_relays(codes, brought).values("pk", "name", "is_active"))
    # The lists `per_relay` counts as invited: the standing ones of the latest round.
    invitations = ListInvitation.objects.filter(
        campaign=campaign, relay__isnull=False, official_list__in=latest_official_lists()
    )
    if codes is not None:
        invitations = invitations.filter(official_list__commune__departement__region__in=codes)
    inviting = invitations.values("relay").distinct().count()
    for relay in relays:
        row = brought.get(relay["pk"], {})
        relay.update(signatures=row.get("total", 0), public_signatures=row.get("public", 0))
    top = sorted(
        (relay for relay in relays if relay["signatures"]),
        key=lambda r: (-r["signatures"], -r["public_signatures"], r["name"]),
    )[:TOP]
    return {
        "count": len(relays),
        "inviting": inviting,
        "signatures": sum(row["total"] for row in brought.values()),
        "public_signatures": sum(row["public"] for row in brought.values()),
        "top": top,
    }


def per_relay(campaign: Campaign, region=None) -> list[dict]:
    """Each relay (whose territory touches `region`, if given: a Region or région codes)
    and what it brought."""
    codes = _codes(region)
    lists = latest_official_lists().order_by()
    if codes is not None:
        lists = lists.filter(commune__departement__region__in=codes)
    territories = _territories(codes, lists)
    per_commune = dict(
        lists.values("commune_id").annotate(n=Count("pk")).values_list("commune_id", "n")
    )
    invited_lists = lists.filter(invitations__campaign=campaign, invitations__relay__isnull=False)
    invited = dict(
        invited_lists.values("invitations__relay")
        .annotate(n=Count("pk", distinct=True))
        .values_list("invitations__relay", "n")
    )
    signed = dict(
        invited_lists.filter(signed_lists_condition(campaign))
        .values("invitations__relay")
        .annotate(n=Count("pk", distinct=True))
        .values_list("invitations__relay", "n")
    )
    brought = _brought(campaign, codes)
    relays = _relays(codes, brought)
    rows = []
    for relay in relays:
        communes = territories.get(relay.pk, set())
        row = brought.get(relay.pk, {})
        rows.append(
            {
                "pk": relay.pk,
                "name": relay.name,
                "is_active": relay.is_active,
                "lists": sum(per_commune.get(pk, 0) for pk in communes),
                "invited": invited.get(relay.pk, 0),
                "invited_signed": signed.get(relay.pk, 0),
                "signatures": row.get("total", 0),
                "public_signatures": row.get("public", 0),
            }
        )
    return rows
