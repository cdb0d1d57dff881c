"""Regional moderators: what a staff account may see, as a set of région codes.

A staff account with a ModeratorScope sees only what lies in its régions; without one (and
always for a superuser) it sees every région. Every admin queryset, filter, action and export
that shows signatures, lists, official lists, follow-up updates or mailings goes through
`limit()` with the path from its model to the région code, so an out-of-scope object is not
in the queryset (a 404 on its URL), never shown.
"""

from django.db.models import QuerySet

from pledges.models import ModeratorScope

ALL = None


def regions_of(user) -> frozenset[str] | None:
    """The région codes this account is limited to, or None for all (cached on the user)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    if user.is_superuser:
        return ALL
    cached = getattr(user, "_coorace_regions", "unset")
    if cached != "unset":
        return cached
    scope = ModeratorScope.objects.filter(user=user).first()
    regions = ALL if scope is None else frozenset(scope.regions.values_list("code", flat=True))
    user._coorace_regions = regions
    return regions


def limit(queryset: QuerySet, user, region_path: str) -> QuerySet:
    """`queryset` restricted to the user's régions; `region_path` leads to the région code.

    For example "candidate__commune__departement__region" for signatures.
    """
    regions = regions_of(user)
    if regions is ALL:
        return queryset
    return queryset.filter(**{f"{region_path}__in": regions})


def scope_label(user) -> str:
    """What the audit log records: « » for all régions, else the régions' names."""
    regions = regions_of(user)
    if regions is ALL:
        return ""
    from communes.models import Region

    names = Region.objects.filter(code__in=regions).order_by("name").values_list("name", flat=True)
    return ", ".join(names) or "aucune région"
