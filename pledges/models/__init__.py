"""The pledges app's models, one module per package that owns them."""

from pledges.models.alerts import AlertSubscription
from pledges.models.certificates import Certificate, CertificateQuerySet
from pledges.models.charter import Campaign, CampaignQuerySet, Commitment, Proposal
from pledges.models.lists import ElectoralList, ListClaim, ListMembership
from pledges.models.moderation import AuditEntry, RejectionReason
from pledges.models.roster import ListDecline, ListInvitation
from pledges.models.signatures import (
    Signature,
    SignatureEvent,
    SignatureQuerySet,
    SignatureTrace,
    SignedCommitment,
)

__all__ = [
    "AlertSubscription",
    "AuditEntry",
    "Campaign",
    "CampaignQuerySet",
    "Certificate",
    "CertificateQuerySet",
    "Commitment",
    "ElectoralList",
    "ListClaim",
    "ListDecline",
    "ListInvitation",
    "ListMembership",
    "Proposal",
    "RejectionReason",
    "Signature",
    "SignatureEvent",
    "SignatureQuerySet",
    "SignatureTrace",
    "SignedCommitment",
]
