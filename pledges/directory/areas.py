"""The public pages of an area: a commune with its comparison grid, a région, a département.

Once the official candidatures are imported (candidates.official), a commune's page also lists
every official list (or candidate standing alone) of the latest round with its answer to the
campaign (pledges.roster.answers), and the commune, département and région pages count
« 3 listes sur 5 ont signé ». Before any import, those pages are as they were (no query more
on the commune page: `Commune.votes_by_list` is None until a file covers the commune).
"""

from dataclasses import dataclass, field

from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_safe

from candidates.models import OfficialCandidate, OfficialList
from candidates.official.models import RosterKind
from communes.models import Commune, Departement, Region, Secteur
from config.http import public_cache
from config.site import absolute_url
from pledges.charter.queries import charter, current_campaign
from pledges.directory.grid import commune_grid, long_date
from pledges.directory.lists import board_rows, commune_board
from pledges.directory.queries import (
    _cached,
    commune_commitment_totals,
    communes_with_signatories,
    departement_counts,
    signatory_counts_by_commune,
)
from pledges.models import Campaign
from pledges.roster.answers import (
    Answer,
    CandidateAnswer,
    ListAnswer,
    RosterCount,
    answers_for,
    candidate_answers_for,
    count_answers,
    latest_round,
    roster_counts,
)

MIN_QUERY_LENGTH = 2
# Rows (lists, candidates) a page of a commune's grid: the largest commune's pages stay
# well under 250 kB of HTML, and render in a fixed number of queries.
COMMUNE_PAGE_SIZE = 100
PAGE_LIMIT = 50
# Région and département pages list at most this many communes with signatories.
AREA_LIMIT = 500
# ?tri=… on région and département pages: (label, SQL ordering, aria-sort direction).
SORTS = {
    # Names by the stored search key: French order on SQLite and PostgreSQL alike
    # (« Écouen » among the E), ties included.
    "signataires": (
        gettext_lazy("Signataires"),
        ("-signatories", "search_key", "name"),
        "descending",
    ),
    "nom": (gettext_lazy("Commune"), ("search_key", "name", "insee_code"), "ascending"),
    "population": (
        gettext_lazy("Population"),
        ("-population", "search_key", "name"),
        "descending",
    ),
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
    roster = commune_roster(campaign, commune, board.secteurs)
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
            "roster": roster,
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
            "Aucun·e candidat·e n’a encore signé les engagements de Coorace pour des territoires "
            "inclusifs %(place)s (%(departement)s)."
        ) % {"place": commune.phrase_dans, "departement": commune.departement.name}
    return _(
        "%(signed)s les engagements de Coorace pour des territoires inclusifs %(place)s "
        "(%(departement)s) : voyez qui s’est engagé à quoi."
    ) % {
        "signed": who_signed(lists, individuals),
        "place": commune.phrase_dans,
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


# ------------------------------------------------------------------ the official roster


@dataclass(frozen=True)
class RosterRow:
    """An official list (or candidate standing alone) and its answer, as the page says it."""

    official: OfficialList | OfficialCandidate
    answer: ListAnswer | CandidateAnswer

    @property
    def text(self) -> str:
        """« a signé », « invitée le 3 février 2020 », « n’a pas (encore) répondu »…"""
        answer = self.answer
        if answer.answer == Answer.SIGNED and answer.withdrawn_at:
            return _("a signé, puis retiré sa signature le %(date)s") % {
                "date": long_date(timezone.localdate(answer.withdrawn_at))
            }
        if answer.answer == Answer.INVITED:
            return _("invitée le %(date)s") % {"date": long_date(answer.invited_at)}
        return str(Answer(answer.answer).label)


@dataclass
class RosterSection:
    secteur: Secteur | None
    rows: list[RosterRow] = field(default_factory=list)

    @property
    def count(self) -> RosterCount:
        return count_answers((row.answer for row in self.rows), lists=_is_list(self.rows))

    @property
    def tour(self) -> int:
        return self.rows[0].official.tour


def _is_list(rows: list[RosterRow]) -> bool:
    return not rows or isinstance(rows[0].official, OfficialList)


@dataclass
class CommuneRoster:
    """The commune's official lists (or candidates) of the latest round, by secteur."""

    by_list: bool
    sections: list[RosterSection]

    @property
    def count(self) -> RosterCount:
        total = RosterCount()
        for section in self.sections:
            total += section.count
        return total

    @property
    def tours(self) -> set[int]:
        """The rounds shown: both when a secteur was decided in the first round and
        another went to the second."""
        return {section.tour for section in self.sections}

    @property
    def is_second_round(self) -> bool:
        return self.tours == {2}


def commune_roster(
    campaign: Campaign | None, commune: Commune, secteurs: list[Secteur]
) -> CommuneRoster | None:
    """None until a file of the official candidatures covers the commune; else its lists
    (or candidates) and their answers, in a fixed number of queries."""
    if commune.votes_by_list is None or not commune.elects_council:
        return None
    if commune.votes_by_list:
        standing = latest_round(
            OfficialList.objects.standing()
            .filter(commune=commune)
            .order_by("tour", "panel_number", "pk")
        )
        answers = answers_for(standing, campaign=campaign)
    else:
        standing = latest_round(
            OfficialCandidate.objects.standing()
            .filter(commune=commune, kind=RosterKind.INDIVIDUALS)
            .order_by("tour", "panel_number", "last_name", "first_name", "pk"),
            place=lambda candidate: None,
        )
        answers = candidate_answers_for(standing, campaign=campaign)
    if not standing:
        return None
    by_id = {secteur.pk: secteur for secteur in secteurs}
    sections: dict[int | None, RosterSection] = {}
    for official in standing:
        secteur_id = official.secteur_id if official.secteur_id in by_id else None
        section = sections.setdefault(secteur_id, RosterSection(by_id.get(secteur_id)))
        section.rows.append(RosterRow(official, answers[official.pk]))
    ordered = sorted(
        sections.values(),
        key=lambda section: (
            section.secteur is None,
            section.secteur.number if section.secteur else 0,
        ),
    )
    return CommuneRoster(
        by_list=bool(commune.votes_by_list),
        sections=ordered,
    )


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


def departement_roster_counts(campaign: Campaign) -> dict[str, RosterCount]:
    """Département code → its official lists (and candidates) and how many signed: one
    aggregate query over the roster, kept with the other counters for a minute."""
    return _cached("roster", campaign, lambda: roster_counts(campaign, by="departement"))


def _communes_roster(campaign, total: RosterCount, communes: list[Commune]) -> dict:
    """The communes table's roster column: commune pk → its count (no query before any
    import, when the area's total is empty)."""
    if not total or not communes:
        return {}
    return roster_counts(campaign, by="commune", communes=[commune.pk for commune in communes])


def _with_roster(communes: list[Commune], counts: dict) -> list[Commune]:
    for commune in communes:
        commune.roster_count = counts.get(commune.pk)
    return communes


@public_cache
def region(request, code):
    """A région: its départements and its communes with signatories, sortable."""
    region = get_object_or_404(Region, code=code)
    campaign = current_campaign()
    sort, headers = _sorting(request)
    communes = _area_communes(campaign, Commune.objects.filter(departement__region=region), sort)
    departements = [d for d in departement_counts(campaign) if d.region_code == region.code]
    rosters = departement_roster_counts(campaign)
    roster = RosterCount()
    for departement in departements:
        roster += rosters.get(departement.code, RosterCount())
    _with_roster(communes, _communes_roster(campaign, roster, communes[:AREA_LIMIT]))
    return render(
        request,
        "pledges/directory/region.html",
        {
            "region": region,
            "departements": [(d, rosters.get(d.code)) for d in departements],
            "signatories": sum(d.signatories for d in departements),
            "roster": roster,
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
    roster = departement_roster_counts(campaign).get(departement.code, RosterCount())
    _with_roster(communes, _communes_roster(campaign, roster, communes[:AREA_LIMIT]))
    return render(
        request,
        "pledges/directory/departement.html",
        {
            "departement": departement,
            "signatories": next(
                (d.signatories for d in departement_counts(campaign) if d.code == departement.code),
                0,
            ),
            "roster": roster,
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
