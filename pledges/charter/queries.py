"""The charter as every page reads it: the current campaign, its proposals and commitments."""

from django.db.models import Prefetch
from django.http import Http404

from pledges.models import Campaign, Commitment, Proposal


def current_campaign() -> Campaign:
    """The campaign the site shows; without one, the pages that need it are 404s."""
    campaign = Campaign.objects.current()
    if campaign is None:
        raise Http404("Aucune campagne en cours.")
    return campaign


def charter(campaign: Campaign) -> list[tuple[Proposal, list[Commitment]]]:
    """The campaign's proposals, each with its commitments, in order: two queries."""
    proposals = campaign.proposals.order_by("number").prefetch_related(
        Prefetch(
            "commitments",
            # The proposal is already known on each commitment: reuse it to print codes.
            queryset=Commitment.objects.select_related("proposal").order_by("position"),
        )
    )
    return [(proposal, list(proposal.commitments.all())) for proposal in proposals]
