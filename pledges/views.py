from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from pledges.models import Campaign, Commitment, Proposal


def _current_campaign() -> Campaign:
    campaign = Campaign.objects.current()
    if campaign is None:
        raise Http404("Aucune campagne en cours.")
    return campaign


def _proposals_with_commitments(campaign: Campaign):
    # The proposal is already known on each commitment: reuse it to print codes.
    return campaign.proposals.prefetch_related(
        Prefetch("commitments", queryset=Commitment.objects.select_related("proposal"))
    )


@require_GET
def home(request):
    campaign = _current_campaign()
    return render(
        request,
        "pledges/home.html",
        {"campaign": campaign, "proposals": list(_proposals_with_commitments(campaign))},
    )


@require_GET
def proposal(request, number):
    campaign = _current_campaign()
    proposal = get_object_or_404(_proposals_with_commitments(campaign), number=number)
    siblings = list(
        Proposal.objects.filter(campaign=campaign).order_by("number").values_list("number", "title")
    )
    return render(
        request,
        "pledges/proposal.html",
        {
            "campaign": campaign,
            "proposal": proposal,
            "previous": next(((n, t) for n, t in reversed(siblings) if n < number), None),
            "next": next(((n, t) for n, t in siblings if n > number), None),
        },
    )


def _site_identity() -> dict:
    return {
        "publisher": settings.SITE_PUBLISHER,
        "contact_email": settings.SITE_CONTACT_EMAIL,
        "publication_director": settings.SITE_PUBLICATION_DIRECTOR,
        "hosting_provider": settings.SITE_HOSTING_PROVIDER,
    }


@require_GET
def legal_notice(request):
    return render(request, "pages/legal_notice.html", _site_identity())


@require_GET
def privacy(request):
    return render(request, "pages/privacy.html", _site_identity())
