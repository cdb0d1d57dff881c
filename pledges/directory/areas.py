"""The public pages of an area: a commune with its comparison grid, a région, a département."""

from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_safe

from communes.models import Commune, Departement, Region
from config.http import public_cache
from config.site import absolute_url
from pledges.charter.queries import charter, current_campaign
from pledges.directory.grid import commune_grid, long_date
from pledges.directory.lists import board_rows, commune_board
from pledges.directory.queries import (
    commune_commitment_totals,
    communes_with_signatories,
    departement_counts,
    signatory_counts_by_commune,
)
from pledges.models import Campaign

MIN_QUERY_LENGTH = 2
# Rows (lists, candidates) a page of a commune's grid: the largest commune's pages stay
# well under 250 kB of HTML, and render in a fixed number of queries.
COMMUNE_PAGE_SIZE = 100
PAGE_LIMIT = 50
# Région and département pages list at most this many communes with signatories.
AREA_LIMIT = 500
# ?tri=… on région and département pages: (label, SQL ordering, aria-sort direction).
SORTS = {
    "signataires": (gettext_lazy("Signataires"), ("-signatories", "name"), "descending"),
    "nom": (gettext_lazy("Commune"), ("name", "insee_code"), "ascending"),
    "population": (gettext_lazy("Population"), ("-population", "name"), "descending"),
}
DEFAULT_SORT = "signataires"


@public_cache
def commune(request, insee_code):
    """The commune, and the grid comparing its lists (and candidates), COMMUNE_PAGE_SIZE a
    page; in Paris, Lyon and Marseille, by secteur."""
    commune = get_object_or_404(
        Commune.objects.select_related("departement__region"), insee_code=insee_code.upper()
    )
    if insee_code != commune.insee_code:
        return redirect(commune, permanent=True)
    # Without a current campaign the commune is still worth a page: its facts, no grid.
    campaign = Campaign.objects.current()
    board = commune_board(campaign, commune)
    paginator = Paginator(board.entries, COMMUNE_PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except InvalidPage:
        raise Http404("Page inconnue.") from None
    entries = list(page.object_list)
    rows = board_rows(campaign, entries, board.secteurs) if entries else []
    grid = (
        commune_grid(
            rows,
            charter(campaign),
            totals=commune_commitment_totals(board),
            signatories=board.signatories,
            by_secteur=commune.votes_by_secteur,
        )
        if rows
        else None
    )
    as_of = timezone.localdate()
    return render(
        request,
        "pledges/directory/commune.html",
        {
            "commune": commune,
            "arrondissements": list(commune.arrondissements.all()),
            "campaign": campaign,
            "board": board,
            "secteurs": board.secteur_pages(COMMUNE_PAGE_SIZE),
            "grid": grid,
            "signed_text": who_signed(board.lists, board.individuals),
            "page": page,
            "page_range": list(paginator.get_elided_page_range(page.number, on_each_side=2)),
            "as_of": as_of,
            "as_of_text": long_date(as_of),
            "open_data_url": reverse(
                "pledges:api_commune_signatories", kwargs={"insee_code": commune.insee_code}
            ),
            "lists_api_url": reverse(
                "pledges:api_commune_lists", kwargs={"insee_code": commune.insee_code}
            ),
            "page_url": absolute_url(request.path),
            "og_title": _("%(name)s (%(code)s) : qui s’est engagé ?")
            % {"name": commune.name, "code": commune.departement_id},
            "og_description": _commune_description(commune, board.lists, board.individuals),
        },
    )


def _commune_description(commune: Commune, lists: int, individuals: int) -> str:
    if not commune.elects_council:
        return _(
            "%(name)s (%(departement)s), l’un des six villages de la Meuse « morts pour la "
            "France », n’élit pas de conseil municipal."
        ) % {"name": commune.name, "departement": commune.departement.name}
    if not lists and not individuals:
        return _(
            "Aucun candidat n’a encore signé les engagements de Coorace pour des territoires "
            "inclusifs à %(name)s (%(departement)s)."
        ) % {"name": commune.name, "departement": commune.departement.name}
    return _(
        "%(signed)s les engagements de Coorace pour des territoires inclusifs à %(name)s "
        "(%(departement)s) : voyez qui s’est engagé à quoi."
    ) % {
        "signed": who_signed(lists, individuals),
        "name": commune.name,
        "departement": commune.departement.name,
    }


def who_signed(lists: int, individuals: int) -> str:
    """« 3 listes et 2 candidat·es ont signé », « 1 liste a signé »… (0 and 1 are singular)."""
    lists_text = ngettext("%(count)d liste", "%(count)d listes", lists) % {"count": lists}
    people = ngettext("%(count)d candidat·e", "%(count)d candidat·es", individuals) % {
        "count": individuals
    }
    if lists and individuals:
        return _("%(lists)s et %(people)s ont signé") % {"lists": lists_text, "people": people}
    if lists:
        return ngettext("%(what)s a signé", "%(what)s ont signé", lists) % {"what": lists_text}
    return ngettext("%(what)s a signé", "%(what)s ont signé", individuals) % {"what": people}


@require_safe
def commune_with_slug(request, insee_code, slug):
    """/communes/75056-paris/ and the like: the canonical URL is the code alone."""
    commune = get_object_or_404(Commune.objects.only("insee_code"), insee_code=insee_code.upper())
    return redirect(commune, permanent=True)


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
def region(request, code):
    """A région: its départements and its communes with signatories, sortable."""
    region = get_object_or_404(Region, code=code)
    campaign = current_campaign()
    sort, headers = _sorting(request)
    communes = _area_communes(campaign, Commune.objects.filter(departement__region=region), sort)
    departements = [d for d in departement_counts(campaign) if d.region_code == region.code]
    return render(
        request,
        "pledges/directory/region.html",
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
        "pledges/directory/departement.html",
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
