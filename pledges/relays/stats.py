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
from pledges.models import Campaign, Relay, Signature
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
    signatures = Signature.objects.filter(campaign=campaign, relay__isnull=False).order_by()
    if codes is not None:
        signatures = signatures.filter(candidate__commune__departement__region__in=codes)
    brought = {
        row["relay"]: row
        for row in signatures.values("relay").annotate(
            total=Count("pk"), public=Count("pk", filter=PUBLIC)
        )
    }
    relays = Relay.objects.order_by("name", "pk")
    if codes is not None:
        # The relays whose territory touches the régions, with lists there or not.
        relays = relays.filter(
            Q(pk__in=brought)
            | Q(regions__in=codes)
            | Q(departements__region__in=codes)
            | Q(communes__departement__region__in=codes)
        ).distinct()
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
