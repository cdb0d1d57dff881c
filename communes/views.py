from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from communes.models import Commune, Departement, Region
from pledges.directory import current_campaign
from pledges.emails import absolute_url
from pledges.grid import commune_grid
from pledges.http import public_cache
from pledges.models import Campaign
from pledges.queries import (
    charter,
    commune_pledges,
    communes_with_signatories,
    departement_counts,
    load_signatories,
    signatory_counts_by_commune,
)

API_DEFAULT_LIMIT = 10
API_MAX_LIMIT = 50
PAGE_LIMIT = 50
MIN_QUERY_LENGTH = 2
# Région and département pages list at most this many communes with signatories.
AREA_LIMIT = 500
# ?tri=… on région and département pages: (label, SQL ordering, aria-sort direction).
SORTS = {
    "signataires": (gettext_lazy("Signataires"), ("-signatories", "name"), "descending"),
    "nom": (gettext_lazy("Commune"), ("name", "insee_code"), "ascending"),
    "population": (gettext_lazy("Population"), ("-population", "name"), "descending"),
}
DEFAULT_SORT = "signataires"


def _search(query: str, limit: int) -> list[Commune]:
    if len(query.strip()) < MIN_QUERY_LENGTH:
        return []
    return list(Commune.objects.search(query).select_related("departement")[:limit])


@public_cache
@require_GET
def search(request):
    query = request.GET.get("q", "")[:100]
    results = _search(query, PAGE_LIMIT + 1)
    return render(
        request,
        "communes/search.html",
        {
            "query": query.strip(),
            "results": results[:PAGE_LIMIT],
            "truncated": len(results) > PAGE_LIMIT,
            "too_short": 0 < len(query.strip()) < MIN_QUERY_LENGTH,
        },
    )


@public_cache
@require_GET
def detail(request, insee_code):
    """The commune, and the comparison grid of its signatories."""
    commune = get_object_or_404(
        Commune.objects.select_related("departement__region"), insee_code=insee_code.upper()
    )
    if insee_code != commune.insee_code:
        return redirect(commune, permanent=True)
    campaign = Campaign.objects.current()
    rows = load_signatories(commune_pledges(campaign, commune)) if campaign else []
    grid = commune_grid(rows, charter(campaign) if rows else [])
    return render(
        request,
        "communes/detail.html",
        {
            "commune": commune,
            "arrondissements": list(commune.arrondissements.all()),
            "campaign": campaign,
            "grid": grid,
            "open_data_url": reverse(
                "pledges:api_commune_signatories", kwargs={"insee_code": commune.insee_code}
            ),
            "page_url": absolute_url(request.path),
            "og_title": _("%(name)s (%(code)s) : qui s’est engagé ?")
            % {"name": commune.name, "code": commune.departement_id},
            "og_description": _commune_description(commune, grid.signatories),
        },
    )


def _commune_description(commune: Commune, signatories: int) -> str:
    if not commune.elects_council:
        return _(
            "%(name)s (%(departement)s), l’un des six villages de la Meuse « morts pour la "
            "France », n’élit pas de conseil municipal."
        ) % {"name": commune.name, "departement": commune.departement.name}
    if not signatories:
        return _(
            "Aucun candidat n’a encore signé les engagements de Coorace pour des territoires "
            "inclusifs à %(name)s (%(departement)s)."
        ) % {"name": commune.name, "departement": commune.departement.name}
    return ngettext(
        "%(count)d candidat·e a signé les engagements de Coorace pour des territoires "
        "inclusifs à %(name)s (%(departement)s) : voyez qui s’est engagé à quoi.",
        "%(count)d candidat·es ont signé les engagements de Coorace pour des territoires "
        "inclusifs à %(name)s (%(departement)s) : voyez qui s’est engagé à quoi.",
        signatories,
    ) % {"count": signatories, "name": commune.name, "departement": commune.departement.name}


@require_GET
def detail_with_slug(request, insee_code, slug):
    """/communes/75056-paris/ and the like: the canonical URL is the code alone."""
    commune = get_object_or_404(Commune.objects.only("insee_code"), insee_code=insee_code.upper())
    return redirect(commune, permanent=True)


@public_cache
@require_GET
def api_search(request):
    """GET /api/communes/?q=<text>&limit=<1..50>: communes by name or postal code."""
    raw_limit = request.GET.get("limit", "")
    limit = API_DEFAULT_LIMIT
    if raw_limit != "":
        if not (raw_limit.isascii() and raw_limit.isdigit()) or not (
            1 <= int(raw_limit) <= API_MAX_LIMIT
        ):
            return JsonResponse(
                {
                    "error": _("Le paramètre limit doit être un nombre entier de 1 à %(max)d.")
                    % {"max": API_MAX_LIMIT}
                },
                status=400,
                json_dumps_params={"ensure_ascii": False},
            )
        limit = int(raw_limit)
    query = request.GET.get("q", "")[:100]
    results = [
        {
            "insee_code": commune.insee_code,
            "name": commune.name,
            "departement_code": commune.departement_id,
            "departement_name": commune.departement.name,
            "region_code": commune.departement.region_id,
            "postal_codes": commune.postal_code_list,
            "population": commune.population,
            "elects_council": commune.elects_council,
            "url": commune.get_absolute_url(),
        }
        for commune in _search(query, limit)
    ]
    return JsonResponse({"results": results}, json_dumps_params={"ensure_ascii": False})


def _sorting(request) -> tuple[str, list[dict]]:
    """The chosen sort, and the sortable column headers (links, so no JavaScript needed)."""
    sort = request.GET.get("tri", DEFAULT_SORT)
    if sort not in SORTS:
        sort = DEFAULT_SORT
    query = request.GET.get("q", "")[:100].strip()
    headers = {
        key: {
            "key": key,
            "label": label,
            "current": key == sort,
            "direction": direction,
            "query": query,
        }
        for key, (label, _ordering, direction) in SORTS.items()
    }
    return sort, headers


def _area_communes(campaign, communes, sort):
    communes = communes_with_signatories(campaign, communes).select_related("departement")
    return list(communes.order_by(*SORTS[sort][1])[: AREA_LIMIT + 1])


@public_cache
@require_GET
def region(request, code):
    """A région: its départements and its communes with signatories, sortable."""
    region = get_object_or_404(Region, code=code)
    campaign = current_campaign()
    sort, headers = _sorting(request)
    communes = _area_communes(campaign, Commune.objects.filter(departement__region=region), sort)
    departements = [d for d in departement_counts(campaign) if d.region_code == region.code]
    return render(
        request,
        "communes/region.html",
        {
            "region": region,
            "departements": departements,
            "signatories": sum(d.signatories for d in departements),
            "communes": communes[:AREA_LIMIT],
            "truncated": len(communes) > AREA_LIMIT,
            "limit": AREA_LIMIT,
            "sort": sort,
            "headers": headers,
            "page_url": absolute_url(request.path),
        },
    )


@public_cache
@require_GET
def departement(request, code):
    """A département: its communes with signatories, sortable, and a search among all."""
    departement = get_object_or_404(Departement.objects.select_related("region"), code=code)
    campaign = current_campaign()
    sort, headers = _sorting(request)
    communes = _area_communes(campaign, departement.communes.all(), sort)
    query = request.GET.get("q", "")[:100].strip()
    results = []
    if len(query) >= MIN_QUERY_LENGTH:
        found = list(
            Commune.objects.search(query)
            .filter(departement=departement)
            .select_related("departement")[:PAGE_LIMIT]
        )
        counts = signatory_counts_by_commune(campaign, found)
        results = [(commune, counts.get(commune.pk, 0)) for commune in found]
    return render(
        request,
        "communes/departement.html",
        {
            "departement": departement,
            "signatories": next(
                (d.signatories for d in departement_counts(campaign) if d.code == departement.code),
                0,
            ),
            "communes": communes[:AREA_LIMIT],
            "truncated": len(communes) > AREA_LIMIT,
            "limit": AREA_LIMIT,
            "sort": sort,
            "headers": headers,
            "query": query,
            "too_short": 0 < len(query) < MIN_QUERY_LENGTH,
            "results": results,
            "page_url": absolute_url(request.path),
        },
    )
