"""The follow-up of each signed commitment: who may report, the update, its moderation.

The only code that writes FollowUpUpdate or changes SignedCommitment.follow_up_status.

- Who may post (`author_role`): on an elected signature (pledges.outcomes.queries), the
  list's head and its confirmed colistiers for a list's signature, the candidate for an
  individual one (role « la liste élue », from « Mon espace »); Coorace staff with the
  moderation permission, within their régions (role « l’équipe Coorace »); accounts staff gave
  `pledges.post_follow_up`, Coorace's member structures (role « une structure adhérente »).
  Anyone else is refused; a signature that is not elected takes no update.
- `post_update` records the update, pending. Every update is moderated, staff's included:
  the issue says every update is moderated before it is public, and a second look costs a
  staff member one click in « Mises à jour du suivi ».
- `approve_update` publishes it: under a row lock on the signed commitment, the commitment
  takes the status of its most recent approved update (by the date it was sent, so that an
  older report approved late does not undo a newer one); audited (FOLLOW_UP_DECIDED), the
  author told by courriel. `reject_update` refuses it with a note the author receives.
  A status therefore never changes without an approved update that says why.

The voters' alerts and the communes' Atom feeds read the approved updates
(pledges.alerts.events) at their decision date.
"""

import io
import secrets
from urllib.parse import urlsplit

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from candidates.models import Candidate
from config.site import absolute_url, send_email
from pledges.directory.queries import invalidate_public_caches
from pledges.models import (
    AuditEntry,
    FollowUpUpdate,
    ListMembership,
    Signature,
    SignedCommitment,
)
from pledges.moderation.scope import limit, scope_label
from pledges.outcomes.queries import ELECTED_OUTCOMES, SURE_MATCHES, elected_signatures
from pledges.signing.account import pseudonym_for

Role = FollowUpUpdate.AuthorRole
State = FollowUpUpdate.State

MODERATE = "pledges.moderate_pledge"
POST_FOLLOW_UP = "pledges.post_follow_up"
REGION_PATH = "signed_commitment__pledge__candidate__commune__departement__region"
SIGNATURE_REGION_PATH = "candidate__commune__departement__region"

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
# What a document may really be (read from its bytes), and the extension it is stored with.
DOCUMENT_TYPES = {
    "PDF": ("pdf", "application/pdf"),
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "WEBP": ("webp", "image/webp"),
}
CONTENT_TYPES = dict(DOCUMENT_TYPES.values())
CONTENT_TYPES["jpeg"] = "image/jpeg"


# ------------------------------------------------------------------ who


def is_elected(signature: Signature) -> bool:
    """pledges.outcomes.queries.elected_condition, read on a loaded signature (its list and
    candidate already joined), for pages that must not pay a query to know it. A test keeps
    the two definitions in agreement."""
    if signature.status != Signature.Status.APPROVED:
        return False
    if signature.electoral_list_id:
        return signature.electoral_list.outcome in ELECTED_OUTCOMES
    candidate = signature.candidate
    return candidate.elected_councillor_id is not None and candidate.elected_match in SURE_MATCHES


def list_side_signatures(user) -> QuerySet:
    """The elected signatures `user` reports on as the list (or candidate) that signed."""
    if not getattr(user, "is_authenticated", False):
        return Signature.objects.none()
    confirmed = ListMembership.objects.filter(
        candidate__user=user, status=ListMembership.Status.CONFIRMED
    ).values("electoral_list_id")
    return elected_signatures().filter(
        Q(electoral_list__head__user=user)
        | Q(electoral_list__in=confirmed)
        | Q(electoral_list__isnull=True, candidate__user=user)
    )


def author_role(user, signature: Signature) -> str | None:
    """The role `user` would post an update on `signature` in, or None if they may not."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if list_side_signatures(user).filter(pk=signature.pk).exists():
        return Role.LIST
    if not elected_signatures().filter(pk=signature.pk).exists():
        return None
    if user.is_staff and user.has_perm(MODERATE):
        in_scope = limit(Signature.objects.filter(pk=signature.pk), user, SIGNATURE_REGION_PATH)
        if in_scope.exists():
            return Role.STAFF
    if user.has_perm(POST_FOLLOW_UP):
        return Role.MEMBER
    return None


def author_name(user, role: str, signature: Signature) -> str:
    """The name kept with the update: the candidate's for the list, else the account's."""
    if role == Role.LIST:
        candidate = Candidate.objects.filter(user=user).first()
        if candidate is not None:
            return candidate.full_name
    return user.get_full_name() or user.get_username()


def commitments_to_report(signature: Signature) -> QuerySet:
    """The signed commitments an update may be about: those still signed."""
    return signature.signed_commitments.filter(withdrawn_at__isnull=True).select_related(
        "commitment__proposal"
    )


# ------------------------------------------------------------------ the link and document


def check_link(link: str) -> str:
    """`link` if it is a web address (http or https: no ftp, no javascript:), else a
    French ValidationError."""
    if link and urlsplit(link).scheme.lower() not in ("http", "https"):
        raise ValidationError(
            _("Seuls les liens web sont acceptés (adresse en http:// ou https://)."),
            code="scheme",
        )
    return link


def check_document(upload: UploadedFile) -> str:
    """The extension the document is stored with, read from its bytes; a French
    ValidationError unless it is a PDF, PNG, JPEG or WebP of at most 5 Mo."""
    if upload.size is not None and upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _("Le document pèse plus de 5 Mo : réduisez-le ou donnez plutôt un lien."),
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return "pdf"
    data = upload.read(MAX_DOCUMENT_BYTES + 1)
    upload.seek(0)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _("Le document pèse plus de 5 Mo : réduisez-le ou donnez plutôt un lien."),
            code="too_large",
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        kind = None
    if kind not in DOCUMENT_TYPES or kind == "PDF":
        raise ValidationError(
            _(
                "Ce fichier n’est ni un PDF ni une image (PNG, JPEG ou WebP) lisible : "
                "choisissez un autre fichier."
            ),
            code="not_a_document",
        )
    return DOCUMENT_TYPES[kind][0]


def content_type_of(name: str) -> str:
    """The type a stored document is served with (only the types check_document lets in)."""
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


def _store_document(update: FollowUpUpdate, upload: UploadedFile, extension: str) -> None:
    """Saved under a name of our own (never the sender's), or a French ValidationError."""
    name = f"suivi-{secrets.token_hex(8)}.{extension}"
    try:
        update.document.save(name, upload, save=False)
    except OSError as error:
        raise ValidationError(
            _(
                "Le document n’a pas pu être enregistré (stockage indisponible). Rien n’est "
                "perdu de ce que vous avez écrit : réessayez dans quelques minutes, ou "
                "envoyez la mise à jour sans document."
            ),
            code="storage",
        ) from error


# ------------------------------------------------------------------ writes


@transaction.atomic
def post_update(
    *,
    signed_commitment: SignedCommitment,
    author: AbstractBaseUser,
    status: str,
    text: str,
    link: str = "",
    document: UploadedFile | None = None,
    source: str = "",
) -> FollowUpUpdate:
    """A pending update on `signed_commitment` by `author` (PermissionDenied if they may not)."""
    signature = Signature.objects.select_related("candidate", "electoral_list").get(
        pk=signed_commitment.pledge_id
    )
    role = author_role(author, signature)
    if role is None:
        raise PermissionDenied(_("Vous ne pouvez pas proposer de mise à jour pour ce suivi."))
    if signed_commitment.withdrawn_at is not None:
        raise ValidationError(_("Cet engagement a été retiré : il n’a plus de suivi."))
    if not text.strip():
        raise ValidationError(
            _("Dites ce qui a été fait, ou pourquoi : le statut ne change jamais sans explication.")
        )
    check_link(link)
    update = FollowUpUpdate(
        signed_commitment=signed_commitment,
        status=status,
        text=text.strip(),
        link=link,
        source=source.strip(),
        author=author,
        author_name=author_name(author, role, signature),
        author_role=role,
        created_at=timezone.now(),
    )
    if document:
        extension = check_document(document)
        _store_document(update, document, extension)
    try:
        update.full_clean()
        update.save()
    except Exception:
        # The row is not written: the file saved for it must not stay behind.
        if update.document:
            update.document.delete(save=False)
        raise
    return update


def _locked_pending(update: FollowUpUpdate) -> FollowUpUpdate:
    locked = (
        FollowUpUpdate.objects.select_for_update()
        .select_related("signed_commitment")
        .get(pk=update.pk)
    )
    if locked.state != State.PENDING:
        raise ValidationError(
            _(
                "Cette mise à jour est déjà « %(state)s » : elle a peut-être été modérée "
                "entre-temps par quelqu’un d’autre."
            )
            % {"state": locked.get_state_display()},
            code="already_decided",
        )
    return locked


def _audit(update: FollowUpUpdate, actor, *, at, changes: dict, note: str, ip_address):
    signature = update.signed_commitment.pledge
    return AuditEntry.objects.create(
        at=at,
        actor=actor,
        actor_name=actor.get_full_name() or actor.get_username(),
        action=AuditEntry.Action.FOLLOW_UP_DECIDED,
        pledge=signature,
        pledge_pseudonym=pseudonym_for(signature),
        changes=changes,
        note=note,
        ip_address=ip_address,
        scope=scope_label(actor),
    )


def _tell_author(update: FollowUpUpdate) -> None:
    author = update.author
    if author is None or not author.email:
        return
    template = "approved" if update.state == State.APPROVED else "rejected"
    send_email(
        f"pledges/follow_up/emails/update_{template}",
        to=[author.email],
        context={
            "update": update,
            "commitment": update.signed_commitment.commitment,
            "public_url": absolute_url(
                reverse(
                    "pledges:follow_up_signature",
                    kwargs={"pk": update.signed_commitment.pledge_id},
                )
            ),
        },
    )


def approve_update(
    update: FollowUpUpdate, actor: AbstractBaseUser, *, ip_address: str | None = None
) -> FollowUpUpdate:
    """Publish a pending update; its commitment takes the status of its latest approved one."""
    with transaction.atomic():
        locked = _locked_pending(update)
        signed = SignedCommitment.objects.select_for_update().get(pk=locked.signed_commitment_id)
        now = timezone.now()
        locked.state = State.APPROVED
        locked.decided_at = now
        locked.decided_by = actor
        locked.decision_note = ""
        locked.save(update_fields=["state", "decided_at", "decided_by", "decision_note"])
        latest = (
            FollowUpUpdate.objects.public()
            .filter(signed_commitment=signed)
            .order_by("-created_at", "-pk")
            .first()
        )
        previous = signed.follow_up_status
        changes = {"state": [State.PENDING, State.APPROVED]}
        if latest.pk == locked.pk:
            signed.follow_up_status = locked.status
            signed.follow_up_at = now
            signed.save(update_fields=["follow_up_status", "follow_up_at"])
            changes["follow_up_status"] = [previous, locked.status]
        locked.signed_commitment = signed
        _audit(locked, actor, at=now, changes=changes, note="", ip_address=ip_address)
        # After the commit: a request in between must not cache the old data anew.
        transaction.on_commit(invalidate_public_caches)
        _tell_author(locked)
    return locked


def reject_update(
    update: FollowUpUpdate,
    actor: AbstractBaseUser,
    *,
    note: str,
    ip_address: str | None = None,
) -> FollowUpUpdate:
    """Refuse a pending update, with the note its author receives; nothing becomes public."""
    note = note.strip()
    if not note:
        raise ValidationError(
            _("Dites pourquoi la mise à jour est refusée : son auteur·e le lira."),
            code="note_required",
        )
    with transaction.atomic():
        locked = _locked_pending(update)
        now = timezone.now()
        locked.state = State.REJECTED
        locked.decided_at = now
        locked.decided_by = actor
        locked.decision_note = note
        locked.save(update_fields=["state", "decided_at", "decided_by", "decision_note"])
        _audit(
            locked,
            actor,
            at=now,
            changes={"state": [State.PENDING, State.REJECTED]},
            note=note,
            ip_address=ip_address,
        )
        _tell_author(locked)
    return locked
