"""The public page of a list: /listes/<pk>/, a 404 unless the list is public.

Its signature (the commitments the head signed for the list, dated), its head, its
confirmed colistiers (each consented to publication when asking to join) with what each
signed in their own name, « à titre personnel », kept apart from the list's; its dated
history; its certificate's verification page.
"""

import itertools

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from communes.grammar import a_lieu
from config.http import public_cache
from config.site import absolute_url
from pledges.charter.queries import current_campaign
from pledges.directory.lists import HistoryLine, ListPage, list_page
from pledges.directory.queries import SignatoryRow
from pledges.directory.share_image import commitment_total, drawn_soon, list_content
from pledges.models import ListMembership, Proposal
from pledges.roster.matching import filed_label
from pledges.roster.merges import list_merges

Membership = ListMembership.Status


def by_proposal(row: SignatoryRow) -> list[tuple[Proposal, list[tuple]]]:
    """The signed commitments grouped by proposal: (signature, withdrawn on or None)."""
    groups = []
    for _id, group in itertools.groupby(
        row.signed_commitments, key=lambda s: s.commitment.proposal_id
    ):
        signatures = list(group)
        proposal = signatures[0].commitment.proposal
        groups.append((proposal, [(s, row.withdrawn_on(s)) for s in signatures]))
    return groups


def history(page: ListPage) -> list[HistoryLine]:
    """The signature's public events and the members' arrivals and departures, by date.

    A current member is named; someone who left, or was removed, no longer is (leaving
    withdraws the consent to publication), neither on their arrival nor on their departure.
    """
    lines = [
        HistoryLine(
            event.at,
            str(event.get_kind_display()),
            event.commitment.code if event.commitment else "",
        )
        for event in page.events
    ]
    for membership in page.memberships:
        if membership.status == Membership.CONFIRMED:
            text = _("%(name)s a rejoint la liste") % {"name": membership.candidate.full_name}
            lines.append(HistoryLine(membership.decided_at, text))
            continue
        lines.append(HistoryLine(membership.decided_at, _("un·e colistier·e a rejoint la liste")))
        if membership.ended_at is not None:
            departure = (
                _("un·e colistier·e a quitté la liste")
                if membership.status == Membership.LEFT
                else _("un·e colistier·e a été retiré·e de la liste")
            )
            lines.append(HistoryLine(membership.ended_at, departure))
    return sorted(lines, key=lambda line: line.at)


@public_cache
def electoral_list(request, pk):
    campaign = current_campaign()
    page = list_page(campaign, pk) if campaign else None
    if page is None:
        raise Http404("Liste inconnue.")
    the_list = page.electoral_list
    commune = the_list.commune
    head = the_list.head
    active = len(page.signature.active)
    return render(
        request,
        "pledges/directory/list.html",
        {
            "page": page,
            "list": the_list,
            "commune": commune,
            "row": page.signature,
            "pledge": page.signature.pledge,
            "groups": by_proposal(page.signature),
            "members": [
                (member, by_proposal(member.personal) if member.personal else [])
                for member in page.members
            ],
            "history": history(page),
            "merges": list_merges(the_list, campaign=campaign),
            "filed": filed_label(page.signature.pledge, electoral_list=the_list),
            "page_url": absolute_url(request.path),
            "share_image": drawn_soon(
                list_content(
                    the_list, page.signature, total=commitment_total(campaign, page.certificate)
                )
            ),
            "og_title": _("La liste « %(name)s » %(place)s")
            % {"name": the_list.name, "place": a_lieu(the_list.place)},
            "og_description": ngettext(
                "La liste « %(name)s »%(head)s a signé %(count)d engagement de la campagne "
                "%(campaign)s de Coorace.",
                "La liste « %(name)s »%(head)s a signé %(count)d engagements de la campagne "
                "%(campaign)s de Coorace.",
                active,
            )
            % {
                "name": the_list.name,
                "head": _(", conduite par %(name)s,") % {"name": head.full_name} if head else "",
                "count": active,
                "campaign": campaign.name,
            },
        },
    )
