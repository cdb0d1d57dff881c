"""The poster of a signed list or signatory: one printable A4 page, for a campaign office or
a market stall — the name, where they stand, the commitments signed in their exact wording,
grouped by proposal, and a QR code to the public page.

HTML first (`poster_html`, which most tests read), then PDF through the certificates'
renderer (pledges.certificates.pdf.render_pdf, the only WeasyPrint import, whose fetcher
loads nothing but the shipped fonts). Rendered in the request: one page takes a few tenths
of a second, a poster is printed once or twice per list, and the response is public (nginx
keeps it a minute like the pages), so storing files by version, as the share image does for
the many fetches of social networks, would buy little. Approved signatures only: a
withdrawn one has nothing left to campaign with.
"""

import itertools

from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from config.http import public_cache
from config.site import absolute_url
from pledges.certificates.pdf import STATIC_DIR, qr_code_svg, render_pdf
from pledges.charter.queries import current_campaign
from pledges.directory.share_image import public_list, public_signatory
from pledges.models import Signature


def _groups(row) -> list[dict]:
    """The active commitments, grouped by proposal in charter order."""
    groups = []
    for _id, group in itertools.groupby(row.active, key=lambda s: s.commitment.proposal_id):
        signatures = list(group)
        groups.append({"proposal": signatures[0].commitment.proposal, "commitments": signatures})
    return groups


def poster_html(*, row, name: str, kicker: str, place: str, page_path: str) -> str:
    url = absolute_url(page_path)
    return render_to_string(
        "pdf/poster.html",
        {
            "campaign": row.pledge.campaign,
            "name": name,
            "kicker": kicker,
            "place": place,
            "groups": _groups(row),
            "count": len(row.active),
            "page_url": url,
            "qr_code": qr_code_svg(url),
            "today": timezone.localdate(),
            "fonts_url": (STATIC_DIR / "fonts").as_uri(),
        },
    )


def list_poster_html(electoral_list, row) -> str:
    head = electoral_list.head
    return poster_html(
        row=row,
        name=electoral_list.name,
        kicker=_("Liste conduite par %(name)s") % {"name": head.full_name} if head else "",
        place=f"{electoral_list.place} ({electoral_list.commune.departement_id})",
        page_path=electoral_list.get_absolute_url(),
    )


def signatory_poster_html(row, electoral_list=None) -> str:
    candidate = row.pledge.candidate
    commune = candidate.commune
    place = commune.name
    if candidate.secteur_id:
        place = f"{place}, {candidate.secteur.name}"
    role = candidate.get_role_display()
    list_name = electoral_list.name if electoral_list else candidate.list_name
    return poster_html(
        row=row,
        name=candidate.full_name,
        kicker=f"{role} · {list_name}" if list_name else role,
        place=f"{place} ({commune.departement_id})",
        page_path=row.pledge.get_absolute_url(),
    )


def _pdf(html: str, name: str) -> HttpResponse:
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    filename = f"affiche-coorace-{slugify(name)[:80] or 'signataire'}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@public_cache
def list_poster(request, pk):
    campaign = current_campaign()
    electoral_list, row = public_list(campaign, pk)
    if electoral_list is None or row.pledge.status != Signature.Status.APPROVED:
        raise Http404("Liste inconnue.")
    row.pledge.campaign = campaign  # the poster names it: no query for it
    return _pdf(list_poster_html(electoral_list, row), electoral_list.name)


@public_cache
def signatory_poster(request, pk):
    row, electoral_list = public_signatory(pk)
    if row is None or row.pledge.status != Signature.Status.APPROVED:
        raise Http404("Signataire inconnu.")
    return _pdf(signatory_poster_html(row, electoral_list), row.pledge.candidate.full_name)
