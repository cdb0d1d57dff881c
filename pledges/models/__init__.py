"""The pledges app's models, one module per package that owns them."""

from pledges.models.alerts import AlertSubscription
from pledges.models.certificates import Certificate, CertificateQuerySet
from pledges.models.charter import Campaign, CampaignQuerySet, Commitment, Proposal
from pledges.models.follow_up import FollowUpReminder, FollowUpUpdate
from pledges.models.lists import ElectoralList, ListClaim, ListMembership
from pledges.models.mailings import EmailOptOut, Mailing, MailingDelivery
from pledges.models.moderation import AuditEntry, ModeratorScope, RejectionReason
from pledges.models.relays import Relay, RelayLink
from pledges.models.roster import ListDecline, ListInvitation
from pledges.models.signatures import (
    FollowUpStatus,
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
    "EmailOptOut",
    "FollowUpReminder",
    "FollowUpStatus",
    "FollowUpUpdate",
    "ListClaim",
    "ListDecline",
    "ListInvitation",
    "ListMembership",
    "Mailing",
    "MailingDelivery",
    "ModeratorScope",
    "Proposal",
    "RejectionReason",
    "Relay",
    "RelayLink",
    "Signature",
    "SignatureEvent",
    "SignatureQuerySet",
    "SignatureTrace",
    "SignedCommitment",
]
