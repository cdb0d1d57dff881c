"""Staff's dealings with the official lists on the campaign's behalf: invitations, declines.

The only code that writes ListInvitation and ListDecline. Keyword arguments, one transaction
each, a French ValidationError when a rule says no, and an AuditEntry per list (on the
signature of the site's list tied to the official list when there is one; otherwise under a
pseudonym naming the official list, as record_list_audit does for lists not yet signed).

- mark_invited: one list or a whole filtered set, on a date, by a channel (courrier,
  courriel, en main propre…), by the staff member who records it.
- send_letter_by_email: records an invitation by courriel and e-mails the letter (its PDF
  attached, rendered by the job, pledges.roster.emails) once the transaction has committed.
- mark_invited_by_relay: the same, recorded by a relay from its space (pledges.relays).
- record_decline: the list said no, with the reason it gave and whether it may be published;
  one per list and campaign.

A list's answer (signed, declined, invited, no answer) is read from these rows and from the
site's lists by pledges.roster.answers; nothing here stores it.
"""

from collections.abc import Iterable
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import OfficialList
from pledges.models import AuditEntry, Campaign, ListDecline, ListInvitation, Signature
from pledges.roster import emails
from pledges.signing.account import pseudonym_for

MODERATE_PERMISSION = "pledges.moderate_pledge"
Channel = ListInvitation.Channel
# Rows per INSERT and ids per IN: a whole région's lists marked at once stays within
# SQLite's limit on parameters.
BATCH_SIZE = 1000
# A list whose signature is awaiting a decision, or approved, has not declined.
SIGNED_STATUSES = (
    Signature.Status.PENDING,
    Signature.Status.CHANGES_REQUESTED,
    Signature.Status.APPROVED,
)


def _require_staff(moderator: AbstractBaseUser) -> None:
    if not moderator.has_perm(MODERATE_PERMISSION):
        raise PermissionDenied(_("Seule l’équipe de modération enregistre les invitations."))


def _check_date(at: date, *, what: str) -> None:
    if at is None:
        raise ValidationError({"at": _("Indiquez la date.")})
    if at > timezone.localdate():
        message = _("%(what)s ne peut pas être datée du futur.") % {"what": what}
        raise ValidationError({"at": message})


def _signatures_of(list_ids: list[int], campaign: Campaign) -> dict[int, Signature]:
    """The signature of the site's list tied to each official list (a query per batch)."""
    found = {}
    for start in range(0, len(list_ids), BATCH_SIZE):
        signatures = Signature.objects.filter(
            campaign=campaign,
            electoral_list__official_list_id__in=list_ids[start : start + BATCH_SIZE],
        ).select_related("electoral_list")
        found.update({s.electoral_list.official_list_id: s for s in signatures})
    return found


def _audit_entries(
    *,
    action: str,
    moderator: AbstractBaseUser,
    official_lists: list[OfficialList],
    campaign: Campaign,
    changes: dict,
    note: str,
    ip_address: str | None,
    now,
) -> list[AuditEntry]:
    signatures = _signatures_of([official_list.pk for official_list in official_lists], campaign)
    actor_name = moderator.get_full_name() or moderator.get_username()
    entries = []
    for official_list in official_lists:
        signature = signatures.get(official_list.pk)
        entries.append(
            AuditEntry(
                at=now,
                actor=moderator,
                actor_name=actor_name,
                action=action,
                pledge=signature,
                pledge_pseudonym=(
                    pseudonym_for(signature)
                    if signature is not None
                    else f"liste-officielle-{official_list.pk}"
                ),
                changes={"official_list": official_list.pk, **changes},
                note=note,
                ip_address=ip_address,
            )
        )
    return AuditEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)


@transaction.atomic
def mark_invited(
    *,
    official_lists: Iterable[OfficialList],
    moderator: AbstractBaseUser,
    at: date,
    channel: str,
    note: str = "",
    email: str = "",
    campaign: Campaign | None = None,
    ip_address: str | None = None,
) -> list[ListInvitation]:
    """Record that each list was invited (one invitation row per list, audited)."""
    _require_staff(moderator)
    return _record_invitations(
        official_lists=list(official_lists),
        account=moderator,
        at=at,
        channel=channel,
        note=note,
        email=email,
        campaign=campaign,
        ip_address=ip_address,
    )


def _record_invitations(
    *, official_lists, account, at, channel, note, email, campaign, ip_address, relay=None
) -> list[ListInvitation]:
    """The invitations of `official_lists` by `account` (staff, or a relay's), checked, made
    and audited; the caller checked that the account may record them."""
    campaign = campaign or Campaign.objects.current()
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Choisissez le moyen de l’invitation.")})
    _check_date(at, what=_("Une invitation"))
    note = note.strip()
    email = email.strip()
    if email:
        validate_email(email)
    if not official_lists:
        raise ValidationError(_("Choisissez au moins une liste à marquer comme invitée."))
    now = timezone.now()
    invitations = ListInvitation.objects.bulk_create(
        (
            ListInvitation(
                campaign=campaign,
                official_list=official_list,
                at=at,
                channel=channel,
                invited_by=account,
                email=email,
                note=note,
                recorded_at=now,
                relay=relay,
            )
            for official_list in official_lists
        ),
        batch_size=BATCH_SIZE,
    )
    changes = {"at": at.isoformat(), "channel": channel}
    if email:
        changes["email"] = email
    if relay is not None:
        changes["relay"] = relay.pk
    _audit_entries(
        action=AuditEntry.Action.LIST_INVITED,
        moderator=account,
        official_lists=official_lists,
        campaign=campaign,
        changes=changes,
        note=note,
        ip_address=ip_address,
        now=now,
    )
    return invitations


@transaction.atomic
def mark_invited_by_relay(
    *,
    official_list: OfficialList,
    relay,
    account: AbstractBaseUser,
    at: date,
    channel: str,
    note: str = "",
    campaign: Campaign | None = None,
    ip_address: str | None = None,
) -> ListInvitation:
    """A relay (pledges.relays) records from its space that it invited a list of its
    territory: the invitation carries the relay; audited under the relay's account. The
    caller checks that the account is the relay's and the list in its territory."""
    if not relay.is_active or not relay.accounts.filter(pk=account.pk).exists():
        raise PermissionDenied(_("Seul un compte du relais enregistre ses invitations."))
    (invitation,) = _record_invitations(
        official_lists=[official_list],
        account=account,
        at=at,
        channel=channel,
        note=note,
        email="",
        campaign=campaign,
        ip_address=ip_address,
        relay=relay,
    )
    return invitation


def send_letter_by_email(
    *,
    official_list: OfficialList,
    moderator: AbstractBaseUser,
    email: str,
    note: str = "",
    campaign: Campaign | None = None,
    ip_address: str | None = None,
) -> ListInvitation:
    """E-mail the list's invitation letter to `email`, recorded as an invitation by courriel
    dated today. The e-mail (the letter attached) leaves from a job once this commits."""
    email = (email or "").strip()
    if not email:
        raise ValidationError({"email": _("Indiquez l’adresse électronique de la liste.")})
    try:
        validate_email(email)
    except ValidationError:
        message = _("« %(email)s » n’est pas une adresse électronique valide.") % {"email": email}
        raise ValidationError({"email": message}) from None
    with transaction.atomic():
        (invitation,) = mark_invited(
            official_lists=[official_list],
            moderator=moderator,
            at=timezone.localdate(),
            channel=Channel.EMAIL,
            note=note,
            email=email,
            campaign=campaign,
            ip_address=ip_address,
        )
        emails.send_invitation_letter(invitation)
    return invitation


@transaction.atomic
def record_decline(
    *,
    official_list: OfficialList,
    moderator: AbstractBaseUser,
    at: date,
    reason: str = "",
    publish_reason: bool = False,
    campaign: Campaign | None = None,
    ip_address: str | None = None,
) -> ListDecline:
    """The list declined to sign: recorded on its behalf, once per list and campaign."""
    _require_staff(moderator)
    campaign = campaign or Campaign.objects.current()
    _check_date(at, what=_("Une réponse"))
    reason = reason.strip()
    if publish_reason and not reason:
        raise ValidationError(
            {"reason": _("Pour publier la raison du refus, écrivez-la : elle est vide.")}
        )
    # Lock the official list: two staff members recording the same refusal at once.
    official_list = OfficialList.objects.select_for_update().get(pk=official_list.pk)
    if ListDecline.objects.filter(campaign=campaign, official_list=official_list).exists():
        raise ValidationError(
            _("Le refus de la liste « %(name)s » est déjà enregistré.")
            % {"name": official_list.name}
        )
    signature = _signatures_of([official_list.pk], campaign).get(official_list.pk)
    if signature is not None and signature.status in SIGNED_STATUSES:
        raise ValidationError(
            _(
                "La liste « %(name)s » a signé sur le site (signature « %(status)s ») : "
                "un refus ne peut pas être enregistré pour elle."
            )
            % {"name": official_list.name, "status": signature.get_status_display()}
        )
    now = timezone.now()
    decline = ListDecline.objects.create(
        campaign=campaign,
        official_list=official_list,
        reason=reason,
        publish_reason=publish_reason,
        at=at,
        recorded_by=moderator,
        recorded_at=now,
    )
    _audit_entries(
        action=AuditEntry.Action.LIST_DECLINED,
        moderator=moderator,
        official_lists=[official_list],
        campaign=campaign,
        changes={"at": at.isoformat(), "publish_reason": publish_reason},
        note=reason,
        ip_address=ip_address,
        now=now,
    )
    return decline
