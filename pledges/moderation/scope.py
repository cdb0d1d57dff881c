"""Regional moderators: what a staff account may see, as a set of région codes.

A staff account with a ModeratorScope sees only what lies in its régions; without one (and
always for a superuser) it sees every région. Every admin queryset, filter, action and export
that shows signatures, lists, official lists, follow-up updates or mailings goes through
`limit()` with the path from its model to the région code, so an out-of-scope object is not
in the queryset, never shown.

In the admin, `ScopedAdminMixin` does it for a ModelAdmin (`region_path` on the class): its
rows, its object pages (an out-of-scope id is a 404 for a scoped account, as an unknown one
is), the ids of a bulk action (those out of scope are ignored, and the moderator is told),
and the admin's autocomplete (which reads `get_queryset`). `ScopeGuardMixin` is the same
without the rows, for a ModelAdmin whose `get_queryset` calls `limit()` itself.
`NationalOnlyMixin` hides an admin from scoped accounts altogether (the job queue, the
roster imports, the accounts: rows of every région that cannot be told apart by région).

The scope is read once per request (one query) and kept on the user object, with its label
for the audit log (« Hauts-de-France », « Bretagne, Normandie »).
"""

from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pledges.models import ModeratorScope

ALL = None
# The paths from the usual models to the région code.
SIGNATURE_REGION = "candidate__commune__departement__region"  # Signature
COMMUNE_REGION = "commune__departement__region"  # ElectoralList, OfficialList, Candidate, …
# The label of a scope that names no région (it then sees nothing).
NO_REGION = "aucune région"
_CACHE = "_coorace_scope"


def _scope(user) -> tuple[frozenset[str] | None, str]:
    """(région codes or ALL, label), read in one query and kept on the user object."""
    if not getattr(user, "is_authenticated", False):
        return frozenset(), NO_REGION
    if user.is_superuser:
        return ALL, ""
    cached = getattr(user, _CACHE, None)
    if cached is not None:
        return cached
    rows = list(
        ModeratorScope.objects.filter(user=user)
        .order_by("regions__sort_key", "regions__code")
        .values_list("regions__code", "regions__name")
    )
    if not rows:
        scope = (ALL, "")
    else:
        named = [(code, name) for code, name in rows if code is not None]
        scope = (
            frozenset(code for code, _name in named),
            ", ".join(name for _code, name in named) or NO_REGION,
        )
    setattr(user, _CACHE, scope)
    return scope


def forget(user) -> None:
    """Drop the scope kept on `user` (after its régions change)."""
    if hasattr(user, _CACHE):
        delattr(user, _CACHE)


def regions_of(user) -> frozenset[str] | None:
    """The région codes this account is limited to, or None for all (cached on the user)."""
    return _scope(user)[0]


def is_scoped(user) -> bool:
    """True when the account sees only some régions (a regional moderator)."""
    return regions_of(user) is not ALL


def in_scope(user, region_code: str | None) -> bool:
    """Whether a région (by code) is within the account's scope."""
    regions = regions_of(user)
    return regions is ALL or region_code in regions


def limit(queryset: QuerySet, user, region_path: str) -> QuerySet:
    """`queryset` restricted to the user's régions; `region_path` leads to the région code.

    For example "candidate__commune__departement__region" for signatures.
    """
    regions = regions_of(user)
    if regions is ALL:
        return queryset
    return queryset.filter(**{f"{region_path}__in": regions})


def condition(user, region_path: str) -> Q:
    """The same restriction as a Q, to combine with others (an empty Q for all régions)."""
    regions = regions_of(user)
    if regions is ALL:
        return Q()
    return Q(**{f"{region_path}__in": regions})


def scope_label(user) -> str:
    """What the audit log records: « » for all régions, else the régions' names."""
    return _scope(user)[1]


class ScopeGuardMixin:
    """What every ModelAdmin of regional rows needs beside its scoped `get_queryset`: an
    object outside the account's régions is a 404 on each of its pages (as an unknown id is),
    and a bulk action ignores, and says it ignores, the ticked ids outside them (doing nothing
    when none is left). Put it first among the bases."""

    def get_object(self, request, object_id, from_field=None):
        # Django redirects to the index for an unknown id; for a scoped account, an id
        # outside its régions and an unknown id are the same 404, never the object.
        found = super().get_object(request, object_id, from_field)
        if found is None and is_scoped(request.user):
            raise Http404(_("Cet élément n’existe pas ou n’est pas dans votre périmètre."))
        return found

    def response_action(self, request, queryset):
        ignored, selected = _ignored_selection(request, queryset)
        if ignored and ignored == selected:
            # Django would run the action on an empty queryset (a PDF of no letter, say).
            self.message_user(
                request,
                _("Aucun élément sélectionné n’est dans votre périmètre : rien n’a été fait."),
                messages.WARNING,
            )
            return None
        if ignored:
            self.message_user(
                request,
                ngettext(
                    "Un élément sélectionné n’est pas dans votre périmètre (ou n’existe "
                    "plus) : il est ignoré.",
                    "%(count)d éléments sélectionnés ne sont pas dans votre périmètre (ou "
                    "n’existent plus) : ils sont ignorés.",
                    ignored,
                )
                % {"count": ignored},
                messages.WARNING,
            )
        return super().response_action(request, queryset)


class ScopedAdminMixin(ScopeGuardMixin):
    """A ModelAdmin whose rows lie in régions: `region_path` leads from its model to the
    région code (or `scope_queryset` says which rows). Put it first among the bases; a
    `get_queryset` of the subclass that does not call super() must call `scope_queryset`."""

    region_path: str = ""

    def get_queryset(self, request):
        return self.scope_queryset(request, super().get_queryset(request))

    def scope_queryset(self, request, queryset):
        """`queryset` as the account may see it (override where a path is not enough)."""
        return limit(queryset, request.user, self.region_path)


def _ignored_selection(request, queryset) -> tuple[int, int]:
    """(How many ticked ids a scoped account sent that its queryset does not hold, how many
    it ticked)."""
    if not is_scoped(request.user) or request.POST.get("select_across") == "1":
        return 0, 0
    selected = set(request.POST.getlist(ACTION_CHECKBOX_NAME))
    if not selected:
        return 0, 0
    try:
        found = queryset.filter(pk__in=selected).count()
    except (ValueError, TypeError, ValidationError):
        return 0, len(selected)  # not ids at all: the admin's own validation says so
    return max(0, len(selected) - found), len(selected)


class NationalOnlyMixin:
    """A ModelAdmin that scoped accounts never see, whatever their permissions."""

    def has_module_permission(self, request):
        return not is_scoped(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return not is_scoped(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return not is_scoped(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return not is_scoped(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not is_scoped(request.user) and super().has_delete_permission(request, obj)
