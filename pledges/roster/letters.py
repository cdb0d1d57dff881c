"""The invitation letter of an official list: HTML first, then PDF through the certificates'
renderer (pledges.certificates.pdf, the only WeasyPrint import, with its fetcher that loads
nothing but the shipped fonts).

One page per list: to its tête de liste, the list's name and commune, the campaign and its 10
proposals, and how to sign — a QR code and the short link `/l/<invitation_code>/`, which
keeps the list through sign-up and ties the head's signature to the official list
(pledges.roster.views). Several lists make one PDF, to print them in one go.
"""

from collections.abc import Sequence

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from candidates.models import OfficialList
from config.site import absolute_url
from pledges.certificates.pdf import STATIC_DIR, qr_code_svg, render_pdf
from pledges.charter.queries import charter
from pledges.models import Campaign, Relay
from pledges.relays.links import links_for, relay_link_url

# A PDF of more letters is a long render for one request: staff print by département.
MAX_LETTERS_PER_PDF = 300


def short_link(official_list: OfficialList) -> str:
    """The letter's link to sign: https://<site>/l/<code>/."""
    return absolute_url(reverse("pledges:roster_invitation", args=[official_list.invitation_code]))


def render_letters_html(
    official_lists: Sequence[OfficialList], *, campaign: Campaign, relay: Relay | None = None
) -> str:
    """`relay`: the letter a relay prints (pledges.relays), carrying its name and its own
    link to each list (/r/<code>/, made on first use) instead of the short link."""
    rows = charter(campaign)
    proposals = [proposal for proposal, _commitments in rows]
    commitment_count = sum(len(commitments) for _proposal, commitments in rows)
    relay_links = links_for(relay, official_lists) if relay is not None else {}
    letters = []
    for official_list in official_lists:
        if relay is not None:
            relay_link = relay_links[official_list.pk]
            link, code = relay_link_url(relay_link), relay_link.code
        else:
            link, code = short_link(official_list), official_list.invitation_code
        letters.append(
            {"list": official_list, "link": link, "code": code, "qr_code": qr_code_svg(link)}
        )
    return render_to_string(
        "pdf/invitation_letter.html",
        {
            "campaign": campaign,
            "relay": relay,
            "letters": letters,
            "proposals": proposals,
            "commitment_count": commitment_count,
            "today": timezone.localdate(),
            "fonts_url": (STATIC_DIR / "fonts").as_uri(),
        },
    )


def render_letters_pdf(
    official_lists: Sequence[OfficialList], *, campaign: Campaign, relay: Relay | None = None
) -> bytes:
    return render_pdf(render_letters_html(official_lists, campaign=campaign, relay=relay))


def letters_queryset(queryset):
    """What a letter reads of each list, in one query."""
    return queryset.select_related("commune__departement", "secteur")
