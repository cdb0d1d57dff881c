"""The public directory: home, proposals, signatory pages, search, open data.

Everything here reads through pledges.directory.queries, whose querysets start from
`Signature.objects.public()`; each page runs a fixed number of queries whatever the number
of signatories, and the counters come from the cache. Public pages are wrapped in
`public_cache` (config/http.py): anonymous GETs set no cookie and may be cached
for a minute.
"""

from dataclasses import dataclass

from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from candidates.models import Candidate
from communes.grammar import sort_key
from communes.maps import (
    MAP_CREDIT,
    MAP_LICENCE_URL,
    Shape,
    departement_outline,
    shade,
    shading_scale,
)
from communes.models import Commune
from config.http import public_cache
from config.site import absolute_url
from pledges.bilans.open_data import FOLLOW_UP_COLUMNS
from pledges.charter.queries import charter, current_campaign
from pledges.directory import open_data, open_data_lists, open_data_roster
from pledges.directory.areas import departement_roster_counts
from pledges.directory.list_page import by_proposal
from pledges.directory.lists import confirmed_list_of, public_lists, search_lists
from pledges.directory.queries import (
    DepartementCount,
    commitment_counts,
    commune_pledges,
    departement_counts,
    directory_stats,
    latest_signatories,
    load_signatories,
    public_events,
    public_pledges,
    search_signatories,
    signatory_counts_by_commune,
)
from pledges.directory.share_image import commitment_total, drawn_soon, signatory_content
from pledges.models import Campaign, Signature
from pledges.roster.matching import filed_label

MIN_QUERY_LENGTH = 2
SEARCH_COMMUNES = 20
SEARCH_SIGNATORIES = 50
SEARCH_LISTS = 30
JSON_OPTIONS = {"ensure_ascii": False}


def _page_url(request) -> str:
    return absolute_url(request.path)


# ------------------------------------------------------------------ home and map


@dataclass(frozen=True)
class MapArea:
    shape: Shape
    name: str  # INSEE's name, as everywhere else on the site
    count: int
    level: int
    url: str


def map_context(departements: list[DepartementCount], rosters: dict | None = None) -> dict:
    """The shaded map, its legend, its table alternative and the overseas list; the table
    counts the official lists that signed (`rosters`, by département) once imported."""
    outline = departement_outline()
    drawn = outline.codes
    by_code = {departement.code: departement for departement in departements}
    scale = shading_scale(max((d.signatories for d in departements), default=0))

    def url(code: str) -> str:
        return reverse("pledges:departement", kwargs={"code": code})

    areas = []
    for shape in outline.shapes:
        departement = by_code.get(shape.code)
        name = departement.name if departement else shape.name
        count = departement.signatories if departement else 0
        areas.append(MapArea(shape, name, count, shade(count, scale), url(shape.code)))
    return {
        "map_view_box": outline.view_box,
        "map_areas": areas,
        "map_legend": [
            {"level": shade(low, scale), "low": low, "high": high} for low, high in scale
        ],
        "map_credit": MAP_CREDIT,
        "map_licence_url": MAP_LICENCE_URL,
        "map_table": [(d, url(d.code), (rosters or {}).get(d.code)) for d in departements],
        "map_roster": bool(rosters),
        "overseas": [
            (d, shade(d.signatories, scale), url(d.code))
            for d in departements
            if d.code not in drawn
        ],
    }


@public_cache
def home(request):
    campaign = current_campaign()
    return render(
        request,
        "pledges/directory/home.html",
        {
            "campaign": campaign,
            "proposals": charter(campaign),
            "stats": directory_stats(campaign),
            "latest": latest_signatories(campaign),
            **map_context(departement_counts(campaign), departement_roster_counts(campaign)),
        },
    )


# ------------------------------------------------------------------ proposals


@public_cache
def proposal(request, number):
    campaign = current_campaign()
    proposals = charter(campaign)
    current = next(((p, c) for p, c in proposals if p.number == number), None)
    if current is None:
        raise Http404("Proposition inconnue.")
    proposal, commitments = current
    numbers = [(p.number, p.title) for p, _commitments in proposals]
    counts = commitment_counts(campaign)
    region_names = {d.region_code: d.region_name for d in departement_counts(campaign)}
    regions = sorted(
        {code for c in commitments for code in counts.get(c.pk, {})},
        key=lambda code: sort_key(region_names.get(code, code)),
    )
    return render(
        request,
        "pledges/directory/proposal.html",
        {
            "campaign": campaign,
            "proposal": proposal,
            "commitments": commitments,
            "totals": [(c, sum(counts.get(c.pk, {}).values())) for c in commitments],
            "region_rows": [
                (
                    region_names.get(code, code),
                    [counts.get(c.pk, {}).get(code, 0) for c in commitments],
                )
                for code in regions
            ],
            "previous": next(((n, t) for n, t in reversed(numbers) if n < number), None),
            "next": next(((n, t) for n, t in numbers if n > number), None),
            "page_url": _page_url(request),
        },
    )


# ------------------------------------------------------------------ signatory page


def _may_preview(user, pledge: Signature) -> bool:
    """Moderators and the candidate may see a page that is not (or no longer) public.

    A moderator is whoever holds the moderation permission (the « Modération » group, a
    superuser): `is_staff` alone only opens the admin's door, not what lies behind it.
    """
    return user.is_authenticated and (
        pledge.candidate.user_id == user.pk or user.has_perm("pledges.moderate_pledge")
    )


@public_cache
def signatory(request, pk):
    """A signatory's page: public pledges only, except for their owner and moderators."""
    rows = load_signatories(
        Signature.objects.filter(pk=pk).select_related(
            "campaign",
            "candidate__commune__departement__region",
            "candidate__elected_councillor",  # « élu·e », « maire » (pledges.outcomes)
            "electoral_list",
        )
    )
    if not rows:
        raise Http404("Signataire inconnu.")
    row = rows[0]
    pledge = row.pledge
    if not pledge.is_public and not _may_preview(request.user, pledge):
        raise Http404("Signataire inconnu.")
    candidate, commune = pledge.candidate, pledge.candidate.commune
    # A head's signature is their list's; a colistier's page links to the list they joined.
    electoral_list = pledge.electoral_list
    if electoral_list is None and candidate.role == Candidate.Role.CANDIDATE:
        electoral_list = confirmed_list_of(candidate, pledge.campaign)
    response = render(
        request,
        "pledges/directory/signatory.html",
        {
            "row": row,
            "pledge": pledge,
            "candidate": candidate,
            "commune": commune,
            "is_owner": request.user.is_authenticated and candidate.user_id == request.user.pk,
            "groups": by_proposal(row),
            "electoral_list": electoral_list,
            "signs_for_the_list": pledge.electoral_list_id is not None,
            "filed": filed_label(pledge),
            "events": list(public_events(pledge)),
            "page_url": _page_url(request),
            "share_image": drawn_soon(
                signatory_content(
                    row, electoral_list=electoral_list, total=commitment_total(pledge.campaign)
                )
            )
            if pledge.is_public
            else None,
            "og_title": _("%(name)s, %(role)s %(place)s")
            % {
                "name": candidate.full_name,
                "role": candidate.get_role_display().lower(),
                "place": commune.phrase_dans,
            },
            "og_description": ngettext(
                "%(name)s a signé %(count)d engagement de la campagne %(campaign)s de Coorace.",
                "%(name)s a signé %(count)d engagements de la campagne %(campaign)s de Coorace.",
                len(row.active),
            )
            % {
                "name": candidate.full_name,
                "count": len(row.active),
                "campaign": pledge.campaign.name,
            },
        },
    )
    if not pledge.is_public:
        patch_cache_control(response, private=True, no_cache=True)
    return response


# ------------------------------------------------------------------ search


@public_cache
def search(request):
    """One box: communes by name or postal code, lists by name, signatories by name or list."""
    campaign = current_campaign()
    query = request.GET.get("q", "")[:100].strip()
    communes, lists, signatories, counts = [], [], [], {}
    if len(query) >= MIN_QUERY_LENGTH:
        lists = list(search_lists(campaign, query)[: SEARCH_LISTS + 1])
        communes = list(
            Commune.objects.search(query).select_related("departement")[: SEARCH_COMMUNES + 1]
        )
        counts = signatory_counts_by_commune(campaign, communes)
        signatories = list(search_signatories(campaign, query)[: SEARCH_SIGNATORIES + 1])
    return render(
        request,
        "pledges/directory/search.html",
        {
            "query": query,
            "too_short": 0 < len(query) < MIN_QUERY_LENGTH,
            "communes": [(c, counts.get(c.pk, 0)) for c in communes[:SEARCH_COMMUNES]],
            "more_communes": len(communes) > SEARCH_COMMUNES,
            "lists": lists[:SEARCH_LISTS],
            "more_lists": len(lists) > SEARCH_LISTS,
            "signatories": signatories[:SEARCH_SIGNATORIES],
            "more_signatories": len(signatories) > SEARCH_SIGNATORIES,
        },
    )


# ------------------------------------------------------------------ open data


def _export_chunks(campaign: Campaign):
    return open_data.export_chunks(public_pledges(campaign))


def _streamed(request, pieces, *, content_type: str) -> StreamingHttpResponse:
    # A HEAD request gets the headers without the export being read from the database.
    return StreamingHttpResponse(
        iter(()) if request.method == "HEAD" else pieces, content_type=content_type
    )


@public_cache
def open_data_page(request):
    campaign = current_campaign()
    return render(
        request,
        "pledges/directory/open_data.html",
        {
            "campaign": campaign,
            "stats": directory_stats(campaign),
            "columns": open_data.COLUMNS,
            "list_columns": open_data_lists.LIST_COLUMNS,
            "roster_columns": open_data_roster.ROSTER_COLUMNS,
            "follow_up_columns": FOLLOW_UP_COLUMNS,
            "lists": public_lists(campaign).count(),
            "licence_name": open_data.LICENCE_NAME,
            "licence_url": open_data.LICENCE_URL,
            "example_api_url": reverse(
                "pledges:api_commune_signatories", kwargs={"insee_code": "42218"}
            ),
            "example_lists_api_url": reverse(
                "pledges:api_commune_lists", kwargs={"insee_code": "42218"}
            ),
            "page_url": _page_url(request),
        },
    )


@public_cache
def open_data_csv(request):
    """The whole directory as CSV, streamed a chunk of signatories at a time."""
    campaign = current_campaign()
    response = _streamed(
        request,
        open_data.csv_lines(_export_chunks(campaign)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="signataires.csv"'
    return response


@public_cache
def open_data_json(request):
    """The whole directory as one JSON object, streamed a chunk of signatories at a time."""
    campaign = current_campaign()
    head = _export_head(campaign, public_pledges(campaign).count())
    return _streamed(
        request,
        open_data.json_pieces(head, _export_chunks(campaign)),
        content_type="application/json",
    )


def _export_head(campaign: Campaign, count: int) -> dict:
    return {
        "campagne": campaign.name,
        "licence": {"nom": open_data.LICENCE_NAME, "url": open_data.LICENCE_URL},
        "documentation": absolute_url(reverse("pledges:open_data")),
        "genere_le": timezone.now().isoformat(timespec="seconds"),
        "nombre": count,
    }


@public_cache
def open_data_lists_csv(request):
    """Every public list as CSV, streamed a chunk of lists at a time."""
    campaign = current_campaign()
    chunks = open_data_lists.list_chunks(public_lists(campaign))
    response = _streamed(
        request, open_data_lists.list_csv_lines(chunks), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="listes.csv"'
    return response


@public_cache
def open_data_lists_json(request):
    """Every public list as one JSON object, streamed a chunk of lists at a time."""
    campaign = current_campaign()
    lists = public_lists(campaign)
    head = _export_head(campaign, lists.count())
    return _streamed(
        request,
        open_data_lists.list_json_pieces(head, open_data_lists.list_chunks(lists)),
        content_type="application/json",
    )


def _commune_or_404(insee_code: str) -> Commune | JsonResponse:
    commune = (
        Commune.objects.select_related("departement").filter(insee_code=insee_code.upper()).first()
    )
    if commune is None:
        return JsonResponse(
            {"error": _("Commune inconnue.")}, status=404, json_dumps_params=JSON_OPTIONS
        )
    return commune


def _commune_json(commune: Commune) -> dict:
    return {
        "insee_code": commune.insee_code,
        "name": commune.name,
        "departement_code": commune.departement_id,
        "region_code": commune.departement.region_id,
        "url": absolute_url(commune.get_absolute_url()),
    }


@public_cache
def commune_lists_api(request, insee_code):
    """GET /api/communes/<insee>/listes/: the commune's public lists, with their commitments
    (the records of listes.csv), by secteur then name."""
    campaign = current_campaign()
    commune = _commune_or_404(insee_code)
    if isinstance(commune, JsonResponse):
        return commune
    lists = public_lists(campaign).filter(commune=commune).order_by("secteur__number", "name_key")
    return JsonResponse(
        {
            "commune": _commune_json(commune),
            "licence": {"nom": open_data.LICENCE_NAME, "url": open_data.LICENCE_URL},
            "listes": open_data_lists.list_records(open_data_lists.list_export_rows(lists)),
        },
        json_dumps_params=JSON_OPTIONS,
    )


@public_cache
def commune_signatories_api(request, insee_code):
    """GET /api/communes/<insee>/signataires/: the open-data records of one commune."""
    campaign = current_campaign()
    commune = _commune_or_404(insee_code)
    if isinstance(commune, JsonResponse):
        return commune
    records = open_data.records(open_data.export_rows(commune_pledges(campaign, commune)))
    return JsonResponse(
        {
            "commune": _commune_json(commune),
            "licence": {"nom": open_data.LICENCE_NAME, "url": open_data.LICENCE_URL},
            "signataires": records,
        },
        json_dumps_params=JSON_OPTIONS,
    )
