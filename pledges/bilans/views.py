"""The public bilans: what the elected signed and where each commitment stands.

Five pages down the territory tree — national (/bilans/), région, département, commune —
and one per commitment, each with its A4 PDF (pledges/bilans/pdf.py). A page reads its
counts in a fixed number of grouped queries (pledges/bilans/queries.py), whatever the
number of commitments, areas or signatories. Before any result is imported, the pages
say so rather than printing zeros.
"""

from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from communes.models import Commune, Departement, Region
from config.http import public_cache
from config.site import absolute_url
from pledges.bilans import queries
from pledges.bilans.pdf import bilan_pdf_response
from pledges.bilans.queries import EMPTY, Tally
from pledges.charter.queries import charter, current_campaign
from pledges.directory.grid import short_label
from pledges.models import Commitment

# A bilan names a commitment a little longer than a grid's card does.
LABEL_LENGTH = 60


def engaged_text(tally: Tally) -> str:
    """« engagé par 140 listes élues et 3 candidat·es élu·es » (0 and 1 singular)."""
    lists = ngettext("%(count)d liste élue", "%(count)d listes élues", tally.lists) % {
        "count": tally.lists
    }
    people = ngettext(
        "%(count)d candidat·e élu·e", "%(count)d candidat·es élu·es", tally.candidates
    ) % {"count": tally.candidates}
    if tally.lists and tally.candidates:
        return _("engagé par %(lists)s et %(people)s") % {"lists": lists, "people": people}
    if tally.candidates:
        return _("engagé par %(people)s") % {"people": people}
    return _("engagé par %(lists)s") % {"lists": lists}


def statement(code: str, label: str, tally: Tally) -> str:
    """« 3.1 — réseau de transport en commun gratuit : engagé par 140 listes élues, réalisé
    par 12, en cours pour 31 » (and « abandonné par 2 » when some gave it up)."""
    text = _(
        "%(code)s — %(label)s : %(engaged)s, réalisé par %(done)d, en cours pour %(doing)d"
    ) % {
        "code": code,
        "label": label,
        "engaged": engaged_text(tally),
        "done": tally.done,
        "doing": tally.in_progress,
    }
    if tally.abandoned:
        text += _(", abandonné par %(count)d") % {"count": tally.abandoned}
    return text


def summary(total: Tally) -> str:
    """« 3 listes élues ont signé, 1 candidat·e élu·e aussi ; sur 7 engagements signés,
    1 réalisé et 2 en cours. » (0 and 1 singular)."""
    if not total.signatories:
        return _(
            "Aucune liste ni aucun·e candidat·e élu·e n’a signé les engagements de Coorace ici."
        )
    if total.lists:
        who = ngettext(
            "%(count)d liste élue a signé", "%(count)d listes élues ont signé", total.lists
        ) % {"count": total.lists}
        if total.candidates:
            who += ngettext(
                ", %(count)d candidat·e élu·e aussi",
                ", %(count)d candidat·es élu·es aussi",
                total.candidates,
            ) % {"count": total.candidates}
    else:
        who = ngettext(
            "%(count)d candidat·e élu·e a signé",
            "%(count)d candidat·es élu·es ont signé",
            total.candidates,
        ) % {"count": total.candidates}
    signed = ngettext(
        "sur %(count)d engagement signé", "sur %(count)d engagements signés", total.commitments
    ) % {"count": total.commitments}
    done = ngettext("%(count)d réalisé", "%(count)d réalisés", total.done) % {"count": total.done}
    return _("%(who)s ; %(signed)s, %(done)s et %(doing)d en cours.") % {
        "who": who,
        "signed": signed,
        "done": done,
        "doing": total.in_progress,
    }


@dataclass(frozen=True)
class CommitmentLine:
    commitment: Commitment
    tally: Tally

    @property
    def code(self) -> str:
        return self.commitment.code

    @property
    def label(self) -> str:
        return short_label(self.commitment.text, LABEL_LENGTH)

    @property
    def statement(self) -> str:
        return statement(self.code, self.label, self.tally)

    @property
    def url(self) -> str:
        return commitment_url(self.commitment)


@dataclass(frozen=True)
class AreaLine:
    name: str
    code: str
    url: str
    tally: Tally


def commitment_url(commitment: Commitment) -> str:
    return reverse(
        "pledges:bilan_commitment",
        kwargs={"number": commitment.proposal.number, "position": commitment.position},
    )


def _lines(campaign, tallies: dict) -> list[CommitmentLine]:
    return [
        CommitmentLine(commitment, tallies.get(commitment.pk, EMPTY))
        for _proposal, commitments in charter(campaign)
        for commitment in commitments
    ]


def _page(request, template: str, context: dict, *, pdf: bool, title: str, filename: str):
    path = request.path.removesuffix("bilan.pdf")
    context = {
        **context,
        "summary": summary(context["total"]) if "total" in context else "",
        "title": title,
        "page_url": absolute_url(path),
        "pdf_url": path + "bilan.pdf",
    }
    if pdf:
        return bilan_pdf_response(context, filename)
    return render(request, template, context)


def _area_lines(tallies: dict, areas, url_name: str) -> list[AreaLine]:
    return [
        AreaLine(area.name, area.pk, reverse(url_name, args=[area.pk]), tallies.get(area.pk, EMPTY))
        for area in areas
    ]


@public_cache
def national(request, pdf=False):
    campaign = current_campaign()
    known = queries.results_known()
    context = {"campaign": campaign, "known": known, "kind": "national"}
    if known:
        regions = Region.objects.order_by("code")
        context |= {
            "lines": _lines(campaign, queries.commitment_tallies(campaign)),
            "total": queries.total_tally(campaign),
            "areas": _area_lines(
                queries.area_tallies(campaign, "region"), regions, "pledges:bilan_region"
            ),
            "area_heading": _("Région"),
        }
    else:
        context["regions"] = Region.objects.order_by("code")
    return _page(
        request,
        "pledges/bilans/national.html",
        context,
        pdf=pdf,
        title=_("Bilan national des engagements des élu·es"),
        filename="bilan-national",
    )


@public_cache
def region(request, code, pdf=False):
    region = get_object_or_404(Region, code=code)
    campaign = current_campaign()
    known = queries.results_known("region", region.code)
    context = {"campaign": campaign, "known": known, "kind": "region", "region": region}
    departements = Departement.objects.filter(region=region).order_by("code")
    if known:
        context |= {
            "lines": _lines(campaign, queries.commitment_tallies(campaign, "region", region.code)),
            "total": queries.total_tally(campaign, "region", region.code),
            "areas": _area_lines(
                queries.area_tallies(campaign, "departement", within="region", value=region.code),
                departements,
                "pledges:bilan_departement",
            ),
            "area_heading": _("Département"),
        }
    else:
        context["departements"] = departements
    return _page(
        request,
        "pledges/bilans/area.html",
        context,
        pdf=pdf,
        title=_("Bilan des élu·es %(place)s") % {"place": region.phrase_de},
        filename=f"bilan-region-{region.code}",
    )


@public_cache
def departement(request, code, pdf=False):
    departement = get_object_or_404(Departement.objects.select_related("region"), code=code)
    campaign = current_campaign()
    known = queries.results_known("departement", departement.code)
    context = {
        "campaign": campaign,
        "known": known,
        "kind": "departement",
        "departement": departement,
        "region": departement.region,
    }
    if known:
        tallies = queries.area_tallies(
            campaign, "commune", within="departement", value=departement.code
        )
        communes = Commune.objects.filter(pk__in=list(tallies)).order_by(
            "search_key", "name", "insee_code"
        )
        context |= {
            "lines": _lines(
                campaign, queries.commitment_tallies(campaign, "departement", departement.code)
            ),
            "total": queries.total_tally(campaign, "departement", departement.code),
            "areas": [
                AreaLine(
                    commune.name,
                    commune.insee_code,
                    reverse("pledges:bilan_commune", args=[commune.insee_code]),
                    tallies[commune.pk],
                )
                for commune in communes
            ],
            "area_heading": _("Commune"),
        }
    return _page(
        request,
        "pledges/bilans/area.html",
        context,
        pdf=pdf,
        title=_("Bilan des élu·es %(place)s") % {"place": departement.phrase_de},
        filename=f"bilan-departement-{departement.code}",
    )


@public_cache
def commune(request, insee_code, pdf=False):
    commune = get_object_or_404(
        Commune.objects.select_related("departement__region"), insee_code=insee_code.upper()
    )
    if insee_code != commune.insee_code:  # /bilans/communes/2a004/: the canonical address
        name = "pledges:bilan_commune_pdf" if pdf else "pledges:bilan_commune"
        return redirect(name, insee_code=commune.insee_code, permanent=True)
    campaign = current_campaign()
    known = queries.results_known("commune", commune.pk)
    context = {
        "campaign": campaign,
        "known": known,
        "kind": "commune",
        "commune": commune,
        "departement": commune.departement,
        "region": commune.departement.region,
    }
    if known:
        bilans = queries.commune_bilans(campaign, commune)
        tallies = queries.tallies_of(bilans)
        context |= {
            "bilans": bilans,
            "lines": [line for line in _lines(campaign, tallies) if line.tally.commitments],
            "total": sum((bilan.tally for bilan in bilans), EMPTY),
        }
    return _page(
        request,
        "pledges/bilans/commune.html",
        context,
        pdf=pdf,
        title=_("Bilan des élu·es %(place)s") % {"place": commune.phrase_de},
        filename=f"bilan-{commune.insee_code}",
    )


@public_cache
def commitment(request, number, position, pdf=False):
    campaign = current_campaign()
    commitment = (
        Commitment.objects.select_related("proposal")
        .filter(proposal__campaign=campaign, proposal__number=number, position=position)
        .first()
    )
    if commitment is None:
        raise Http404("Engagement inconnu.")
    known = queries.results_known()
    line = CommitmentLine(commitment, EMPTY)
    context = {"campaign": campaign, "known": known, "kind": "commitment", "line": line}
    if known:
        line = CommitmentLine(commitment, queries.total_tally(campaign, commitment=commitment))
        regions = Region.objects.order_by("code")
        context |= {
            "line": line,
            "areas": _area_lines(
                queries.area_tallies(campaign, "region", commitment=commitment),
                regions,
                "pledges:bilan_region",
            ),
            "area_heading": _("Région"),
        }
    return _page(
        request,
        "pledges/bilans/commitment.html",
        context,
        pdf=pdf,
        title=_("Engagement %(code)s : le bilan des élu·es") % {"code": commitment.code},
        filename=f"bilan-engagement-{commitment.code.replace('.', '-')}",
    )
