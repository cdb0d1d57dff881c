from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from communes.models import Commune
from config.http import public_cache

API_DEFAULT_LIMIT = 10
API_MAX_LIMIT = 50
PAGE_LIMIT = 50
MIN_QUERY_LENGTH = 2


def _search(query: str, limit: int) -> list[Commune]:
    if len(query.strip()) < MIN_QUERY_LENGTH:
        return []
    return list(Commune.objects.search(query).select_related("departement")[:limit])


@public_cache
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
