"""Staff decisions on signatures: the only code that approves, asks, refuses or unpublishes.

Which status a decision may start from is Signature.TRANSITIONS, the table the candidate's
side (pledges.signing.services) consults too. Each decision locks the signature row,
checks the transition against its current status (two moderators deciding the same
signature at the same moment: one decision is recorded, the other gets a clear message),
records a SignatureEvent and an AuditEntry (who, when, what, from which IP address), and
once committed e-mails the candidate.

Approving a list's signature verifies the list (its existence, its head): refused while
someone else's claim to head it is open, it clears the list's review note. Staff decisions
on lists (edit_list, settle_list_claim, decide_list_join) are audited on the list's
signature and re-issue its certificate when what it certifies changes (the list's name,
its head); the rules of claims and joins stay in pledges.lists.services.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from candidates.models import Candidate
from pledges.certificates.services import issue_certificate
from pledges.directory.queries import invalidate_public_caches
from pledges.lists.services import decide_join, settle_claim
from pledges.models import (
    AuditEntry,
    Certificate,
    ElectoralList,
    ListClaim,
    ListMembership,
    RejectionReason,
    Signature,
    SignatureEvent,
)
from pledges.models.lists import list_name_key
from pledges.moderation import emails
from pledges.signing.account import pseudonym_for

Status = Signature.Status

REFUSED_DECISION = gettext_lazy(
    "Cette signature est « %(current)s » : elle ne peut pas devenir « %(new)s ». "
    "Elle a peut-être été traitée entre-temps par quelqu’un d’autre."
)


def _actor_name(user: AbstractBaseUser) -> str:
    return user.get_full_name() or user.get_username()


def record_audit(
    *,
    action: str,
    moderator: AbstractBaseUser,
    pledge: Signature,
    at=None,
    changes: dict | None = None,
    note: str = "",
    ip_address: str | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        at=at or timezone.now(),
        actor=moderator,
        actor_name=_actor_name(moderator),
        action=action,
        pledge=pledge,
        pledge_pseudonym=pseudonym_for(pledge),
        changes=changes or {},
        note=note,
        ip_address=ip_address,
    )


def _decide(
    *,
    pledge: Signature,
    action: str,
    new_status: str,
    moderator: AbstractBaseUser,
    note: str = "",
    reason: RejectionReason | None = None,
    ip_address: str | None = None,
) -> Signature:
    with transaction.atomic():
        locked = Signature.objects.select_for_update().get(pk=pledge.pk)
        locked.check_transition(new_status, message=REFUSED_DECISION)
        now = timezone.now()
        previous = locked.status
        changes = {"status": [previous, new_status]}
        if new_status == Status.APPROVED and locked.electoral_list_id:
            changes.update(_verify_list(locked.electoral_list_id))
        locked.status = new_status
        if new_status == Status.APPROVED and locked.approved_at is None:
            locked.approved_at = now
        locked.save(update_fields=["status", "approved_at"])
        if new_status == Status.APPROVED:
            issue_certificate(pledge=locked)
        # After the commit: a request in between must not cache the old data anew.
        transaction.on_commit(invalidate_public_caches)
        SignatureEvent.objects.create(
            pledge=locked,
            kind=action,  # the event kinds share the actions' codes
            at=now,
            is_public=SignatureEvent.is_public_kind(action, signature=locked),
            note=note,
            reason=reason,
        )
        record_audit(
            action=action,
            moderator=moderator,
            pledge=locked,
            at=now,
            changes=changes,
            note=" — ".join(part for part in (reason.label if reason else "", note) if part),
            ip_address=ip_address,
        )
    # After the commit: the candidate is told only of a decision that stands.
    emails.send_decision(locked, action, note=note, reason=reason)
    return locked


def _verify_list(list_id: int) -> dict:
    """Staff approve a list's signature: the list exists and its head is its head. Refused
    while another person's claim to head it is open; the list's review note is cleared."""
    electoral_list = ElectoralList.objects.select_for_update().get(pk=list_id)
    if electoral_list.claims.filter(settled_at__isnull=True).exists():
        raise ValidationError(
            _(
                "Une autre personne revendique la tête de la liste « %(name)s » : tranchez "
                "d’abord la revendication sur la fiche de la liste, puis validez."
            )
            % {"name": electoral_list.name}
        )
    if not electoral_list.review_note:
        return {}
    note, electoral_list.review_note = electoral_list.review_note, ""
    electoral_list.save(update_fields=["review_note"])
    return {"review_note": [note, ""]}


def approve_pledge(
    *, pledge: Signature, moderator: AbstractBaseUser, ip_address: str | None = None
) -> Signature:
    return _decide(
        pledge=pledge,
        action=AuditEntry.Action.APPROVED,
        new_status=Status.APPROVED,
        moderator=moderator,
        ip_address=ip_address,
    )


def request_changes(
    *, pledge: Signature, moderator: AbstractBaseUser, message: str, ip_address: str | None = None
) -> Signature:
    message = message.strip()
    if not message:
        raise ValidationError(
            _("Écrivez à la personne candidate ce qu’elle doit compléter ou corriger.")
        )
    return _decide(
        pledge=pledge,
        action=AuditEntry.Action.CHANGES_REQUESTED,
        new_status=Status.CHANGES_REQUESTED,
        moderator=moderator,
        note=message,
        ip_address=ip_address,
    )


def reject_pledge(
    *,
    pledge: Signature,
    moderator: AbstractBaseUser,
    reason: RejectionReason,
    details: str = "",
    ip_address: str | None = None,
) -> Signature:
    details = details.strip()
    if not reason.is_active:
        raise ValidationError(_("Ce motif n’est plus proposé : choisissez-en un autre."))
    if reason.requires_free_text and not details:
        raise ValidationError(
            _("Le motif « %(label)s » demande une précision écrite.") % {"label": reason.label}
        )
    return _decide(
        pledge=pledge,
        action=AuditEntry.Action.REJECTED,
        new_status=Status.REJECTED,
        moderator=moderator,
        note=details,
        reason=reason,
        ip_address=ip_address,
    )


def unpublish_pledge(
    *, pledge: Signature, moderator: AbstractBaseUser, reason: str, ip_address: str | None = None
) -> Signature:
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Indiquez pourquoi cette signature est dépubliée."))
    return _decide(
        pledge=pledge,
        action=AuditEntry.Action.UNPUBLISHED,
        new_status=Status.UNPUBLISHED,
        moderator=moderator,
        note=reason,
        ip_address=ip_address,
    )


def reissue_certificate(
    *, pledge: Signature, moderator: AbstractBaseUser, ip_address: str | None = None
) -> Certificate:
    """Staff issue a new version of an approved pledge's certificate (e.g. a new layout)."""
    with transaction.atomic():
        certificate = issue_certificate(pledge=pledge, force=True)
        if certificate is None:
            raise ValidationError(
                _("Seule une signature validée a une attestation : rien n’a été réémis.")
            )
        record_audit(
            action=AuditEntry.Action.CERTIFICATE_REISSUED,
            moderator=moderator,
            pledge=pledge,
            changes={"version": [certificate.version - 1, certificate.version]},
            note=certificate.reference,
            ip_address=ip_address,
        )
    return certificate


@dataclass
class BulkResult:
    done: list[Signature] = field(default_factory=list)
    skipped: list[tuple[Signature, str]] = field(default_factory=list)


def _bulk(pledges: Iterable[Signature], decide) -> BulkResult:
    result = BulkResult()
    for pledge in pledges:
        try:
            result.done.append(decide(pledge))
        except ValidationError as error:
            result.skipped.append((pledge, " ".join(error.messages)))
    return result


def bulk_approve(
    *, pledges: Iterable[Signature], moderator: AbstractBaseUser, ip_address: str | None = None
) -> BulkResult:
    """Approve each pledge on its own: one already decided is skipped, with the reason."""
    return _bulk(
        pledges, lambda p: approve_pledge(pledge=p, moderator=moderator, ip_address=ip_address)
    )


def bulk_reject(
    *,
    pledges: Iterable[Signature],
    moderator: AbstractBaseUser,
    reason: RejectionReason,
    details: str = "",
    ip_address: str | None = None,
) -> BulkResult:
    return _bulk(
        pledges,
        lambda p: reject_pledge(
            pledge=p, moderator=moderator, reason=reason, details=details, ip_address=ip_address
        ),
    )


def _display(value) -> str:
    if hasattr(value, "insee_code"):
        return f"{value.name} ({value.insee_code})"
    return "" if value is None else str(value)


@transaction.atomic
def edit_candidate_identity(
    *,
    candidate: Candidate,
    moderator: AbstractBaseUser,
    changes: dict,
    ip_address: str | None = None,
) -> Candidate:
    """A staff correction of a candidate's identity, recorded with before and after values."""
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    diff = {}
    for name, value in changes.items():
        if name not in Candidate.IDENTITY_FIELDS:
            raise ValidationError(_("Champ inconnu : %(name)s.") % {"name": name})
        before = getattr(candidate, name)
        if before != value:
            diff[name] = [_display(before), _display(value)]
            setattr(candidate, name, value)
    if not diff:
        return candidate
    candidate.full_clean(exclude=["user"])
    candidate.save()
    transaction.on_commit(invalidate_public_caches)
    # What the certificates say has changed: the candidate's own, and those of the lists
    # they head (« conduite par … »).
    signed = Signature.objects.filter(Q(candidate=candidate) | Q(electoral_list__head=candidate))
    for pledge in signed.order_by("pk"):
        issue_certificate(pledge=pledge)
        record_audit(
            action=AuditEntry.Action.IDENTITY_EDITED,
            moderator=moderator,
            pledge=pledge,
            changes=diff,
            ip_address=ip_address,
        )
    return candidate


# ---------------------------------------------------------------- lists

# What staff may correct on a list from its admin page; its head changes only by a claim.
LIST_FIELDS = (
    "name",
    "short_name",
    "political_label",
    "website",
    "joins_need_staff",
    "review_note",
)


def list_signature(electoral_list: ElectoralList) -> Signature | None:
    return Signature.objects.filter(electoral_list=electoral_list).first()


def record_list_audit(
    *,
    action: str,
    moderator: AbstractBaseUser,
    electoral_list: ElectoralList,
    changes: dict | None = None,
    note: str = "",
    ip_address: str | None = None,
) -> AuditEntry:
    """An audit entry about a list, on its signature (a list not yet signed: none, and a
    pseudonym naming the list's id)."""
    signature = list_signature(electoral_list)
    if signature is not None:
        return record_audit(
            action=action,
            moderator=moderator,
            pledge=signature,
            changes=changes,
            note=note,
            ip_address=ip_address,
        )
    return AuditEntry.objects.create(
        at=timezone.now(),
        actor=moderator,
        actor_name=_actor_name(moderator),
        action=action,
        pledge=None,
        pledge_pseudonym=f"liste-{electoral_list.pk}",
        changes=changes or {},
        note=note,
        ip_address=ip_address,
    )


@transaction.atomic
def edit_list(
    *,
    electoral_list: ElectoralList,
    moderator: AbstractBaseUser,
    changes: dict,
    ip_address: str | None = None,
) -> ElectoralList:
    """A staff correction of a list (its name, label, website, review note, whether staff
    confirm its joins), audited with before and after values; a new name re-issues the
    certificate of its signature."""
    electoral_list = ElectoralList.objects.select_for_update().get(pk=electoral_list.pk)
    diff = {}
    for name, value in changes.items():
        if name not in LIST_FIELDS:
            raise ValidationError(_("Champ inconnu : %(name)s.") % {"name": name})
        before = getattr(electoral_list, name)
        if before != value:
            diff[name] = [before, value]
            setattr(electoral_list, name, value)
    if not diff:
        return electoral_list
    electoral_list.name_key = list_name_key(electoral_list.name)
    electoral_list.full_clean()
    electoral_list.save()
    transaction.on_commit(invalidate_public_caches)
    signature = list_signature(electoral_list)
    if signature is not None:
        issue_certificate(pledge=signature)  # a no-op unless what it certifies changed
    record_list_audit(
        action=AuditEntry.Action.LIST_EDITED,
        moderator=moderator,
        electoral_list=electoral_list,
        changes=diff,
        ip_address=ip_address,
    )
    return electoral_list


def settle_list_claim(
    *,
    claim: ListClaim,
    moderator: AbstractBaseUser,
    give_list: bool,
    note: str = "",
    ip_address: str | None = None,
) -> ListClaim:
    """Staff settle a claim (pledges.lists.services.settle_claim: the claimant becomes the
    head, or the claim is closed), audited; candidates are named by id, not by name, so
    that the log keeps no name after an erasure."""
    with transaction.atomic():
        before = ElectoralList.objects.get(pk=claim.electoral_list_id).head_id
        settled = settle_claim(claim=claim, moderator=moderator, give_list=give_list, note=note)
        electoral_list = ElectoralList.objects.get(pk=settled.electoral_list_id)
        changes = {"claim": [settled.pk, "given" if give_list else "closed"]}
        if electoral_list.head_id != before:
            changes["head"] = [before, electoral_list.head_id]
        record_list_audit(
            action=AuditEntry.Action.CLAIM_SETTLED,
            moderator=moderator,
            electoral_list=electoral_list,
            changes=changes,
            note=note,
            ip_address=ip_address,
        )
    return settled


def decide_list_join(
    *,
    membership: ListMembership,
    moderator: AbstractBaseUser,
    accept: bool,
    ip_address: str | None = None,
) -> ListMembership:
    """Staff confirm or refuse a colistier's request (pledges.lists.services.decide_join,
    which checks the permission), audited on the list's signature."""
    with transaction.atomic():
        decided = decide_join(membership=membership, user=moderator, accept=accept)
        record_list_audit(
            action=AuditEntry.Action.JOIN_DECIDED,
            moderator=moderator,
            electoral_list=decided.electoral_list,
            changes={"membership": [decided.pk, ListMembership.Status.REQUESTED, decided.status]},
            ip_address=ip_address,
        )
    return decided
