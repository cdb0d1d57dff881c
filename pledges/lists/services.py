"""Lists: created or claimed by their head when they sign, joined by their colistiers.

The only code that writes ElectoralList, ListMembership and ListClaim rows (the migration
of free-text list names aside). Keyword arguments, one transaction each, a French
ValidationError when a rule says no; e-mails leave once the transaction has committed.

- A head's list is found by its normalised name in the head's commune (or secteur) when the
  head signs: created if new; taken over if it has no head (staff are told, the list is
  flagged for review); refused if someone else heads it — the claim is kept for staff, who
  settle it (settle_claim), and the claimant gets a clear message.
- A colistier asks to join (request_join), with their consent to publication; the head
  confirms or refuses (decide_join) — staff too, and only staff when the list's
  `joins_need_staff` is set. Leaving and removal are dated, never deleted.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Candidate, RosterMatch
from communes.grammar import a_lieu
from pledges.certificates.services import issue_certificate
from pledges.directory.queries import invalidate_public_caches
from pledges.lists import emails
from pledges.models import Campaign, ElectoralList, ListClaim, ListMembership, Signature
from pledges.models.lists import list_name_key
from pledges.roster.matching import match_candidate_on_commit

MODERATE_PERMISSION = "pledges.moderate_pledge"

# What is published and where, and how it ends (leaving the list ends the naming:
# pledges.directory.lists and the lists' open data show confirmed members only).
JOIN_CONSENT = (
    "J’accepte que mon nom, ma commune et ma place sur la liste « {name} » soient publiés "
    "une fois mon adhésion confirmée et la liste validée par Coorace : sur la page de la "
    "liste, dans les données ouvertes du site sous Licence Ouverte (chacun peut les "
    "réutiliser et en garder des copies) et auprès des moteurs de recherche, par le plan du "
    "site. Il s’agit d’une opinion politique : je peux retirer ce consentement à tout moment, "
    "en quittant la liste ou en supprimant mon compte ; le site cesse alors de me nommer, "
    "mais les copies déjà faites par d’autres ne peuvent pas être effacées par Coorace."
)

Membership = ListMembership.Status


class ListAlreadyHeaded(ValidationError):
    """A second person claimed to head a list: the claim is kept, staff are told."""


def _list_fields(candidate: Candidate) -> dict:
    return {
        "name": candidate.list_name.strip(),
        "political_label": candidate.political_label,
        "website": candidate.website,
    }


def _find_or_create(*, candidate: Candidate, campaign: Campaign, now):
    """(list, None) when the candidate heads it now; (list, claim) when someone else does."""
    # `of=("self",)`: PostgreSQL refuses to lock the nullable side of a join, and the
    # secteur is one (select_related, and the lists' default ordering by secteur number).
    mine = (
        ElectoralList.objects.select_for_update(of=("self",))
        .filter(campaign=campaign, head=candidate)
        .select_related("commune", "secteur")
        .first()
    )
    wanted_key = list_name_key(candidate.list_name)
    if mine is not None:
        if (mine.name_key, mine.secteur_id) == (wanted_key, candidate.secteur_id) or (
            _is_public(mine)
        ):
            return mine, None
        # Renamed (or moved to another secteur) in « Ma candidature » before approval.
        other = (
            ElectoralList.objects.same_name(
                campaign=campaign,
                commune=candidate.commune,
                secteur=candidate.secteur,
                name=candidate.list_name,
            )
            .exclude(pk=mine.pk)
            .first()
        )
        if other is None:
            for name, value in _list_fields(candidate).items():
                setattr(mine, name, value)
            mine.commune, mine.secteur = candidate.commune, candidate.secteur
            mine.save()
            return mine, None
        if Signature.objects.filter(electoral_list=mine).exists():
            raise ValidationError(
                _(
                    "Une autre liste s’appelle déjà « %(name)s » %(place)s : gardez le nom "
                    "de votre liste, ou écrivez à l’équipe Coorace."
                )
                % {"name": other.name, "place": a_lieu(other.place)}
            )
        # Not signed yet: the candidate leaves that empty list and claims the other one.
        mine.delete()
    existing = (
        ElectoralList.objects.select_for_update(of=("self",))
        .same_name(
            campaign=campaign,
            commune=candidate.commune,
            secteur=candidate.secteur,
            name=candidate.list_name,
        )
        .first()
    )
    if existing is None:
        try:
            with transaction.atomic():
                created = ElectoralList.objects.create(
                    campaign=campaign,
                    commune=candidate.commune,
                    secteur=candidate.secteur,
                    head=candidate,
                    created_at=now,
                    **_list_fields(candidate),
                )
            return created, None
        except IntegrityError:
            # Created by another request in the meantime: claim it as below.
            existing = ElectoralList.objects.select_for_update(of=("self",)).get(
                campaign=campaign,
                commune=candidate.commune,
                secteur=candidate.secteur,
                name_key=wanted_key,
            )
    if existing.head_id is None:
        existing.head = candidate
        existing.review_note = _append(
            existing.review_note,
            _("Liste sans tête reprise par %(name)s le %(date)s : à vérifier.")
            % {"name": candidate.full_name, "date": f"{now:%d/%m/%Y}"},
        )
        existing.save(update_fields=["head", "review_note"])
        transaction.on_commit(lambda: emails.notify_staff_of_takeover(existing))
        return existing, None
    if existing.head_id == candidate.pk:
        return existing, None
    claim = ListClaim.objects.filter(
        electoral_list=existing, candidate=candidate, settled_at__isnull=True
    ).first() or ListClaim.objects.create(electoral_list=existing, candidate=candidate, at=now)
    return existing, claim


def _append(note: str, line: str) -> str:
    return f"{note}\n{line}".strip()


def _is_public(electoral_list: ElectoralList) -> bool:
    signature = Signature.objects.filter(electoral_list=electoral_list).first()
    return signature is not None and signature.was_approved


def list_for_head(*, candidate: Candidate, campaign: Campaign) -> ElectoralList:
    """The list the head signs for: theirs, new, or taken over; ListAlreadyHeaded otherwise.

    A refused claim is committed before the error is raised, so that staff see it even
    though the signature is not recorded.
    """
    now = timezone.now()
    with transaction.atomic():
        electoral_list, claim = _find_or_create(candidate=candidate, campaign=campaign, now=now)
        if claim is not None:
            transaction.on_commit(lambda: emails.notify_staff_of_claim(claim), robust=True)
    if claim is None:
        return electoral_list
    raise ListAlreadyHeaded(
        _(
            "La liste « %(name)s » %(place)s a déjà une tête de liste : une liste n’a qu’une "
            "tête et qu’une signature. L’équipe Coorace est prévenue et vous recontactera. "
            "Si vous êtes colistier·e de cette liste, choisissez « Colistier·e » dans « Ma "
            "candidature » pour la rejoindre."
        )
        % {"name": electoral_list.name, "place": a_lieu(electoral_list.place)},
        code="list_already_headed",
    )


def link_official_list(*, electoral_list: ElectoralList, official_list) -> bool:
    """Tie the list to the official list whose invitation letter its head followed to sign
    (pledges.roster.views), as confirmed (pledges.roster.matching never changes it again),
    with the panel number and nuance of the files; unless staff have checked the list's
    match themselves. Only in the official list's own commune and secteur. True if tied."""
    if (electoral_list.commune_id, electoral_list.secteur_id) != (
        official_list.commune_id,
        official_list.secteur_id,
    ):
        return False
    with transaction.atomic():
        electoral_list = ElectoralList.objects.select_for_update(of=("self",)).get(
            pk=electoral_list.pk
        )
        if electoral_list.roster_checked_at is not None:
            return electoral_list.official_list_id == official_list.pk
        electoral_list.official_list = official_list
        electoral_list.roster_match = RosterMatch.CONFIRMED
        electoral_list.panel_number = official_list.panel_number
        electoral_list.nuance = official_list.nuance
        electoral_list.save(
            update_fields=["official_list", "roster_match", "panel_number", "nuance"]
        )
        transaction.on_commit(invalidate_public_caches)
    return True


# ---------------------------------------------------------------- colistiers


def active_membership(candidate: Candidate) -> ListMembership | None:
    return (
        ListMembership.objects.filter(candidate=candidate, status__in=ListMembership.ACTIVE)
        .select_related("electoral_list__commune", "electoral_list__secteur")
        .first()
    )


def joinable_lists(*, candidate: Candidate, campaign: Campaign):
    """The lists a colistier may ask to join: their commune's (and secteur's)."""
    return ElectoralList.objects.filter(
        campaign=campaign, commune=candidate.commune, secteur=candidate.secteur
    ).select_related("head", "secteur")


@transaction.atomic
def request_join(
    *,
    candidate: Candidate,
    electoral_list: ElectoralList,
    consent: bool,
    via_invitation: bool = False,
) -> ListMembership:
    """A colistier asks to join; the head (or staff) confirms. Asking twice asks once."""
    Candidate.objects.select_for_update(of=("self",)).filter(pk=candidate.pk).first()
    if candidate.role != Candidate.Role.CANDIDATE:
        raise ValidationError(
            _(
                "Pour rejoindre une liste, choisissez le rôle « Colistier·e » dans « Ma "
                "candidature »."
            )
        )
    if (electoral_list.commune_id, electoral_list.secteur_id) != (
        candidate.commune_id,
        candidate.secteur_id,
    ):
        raise ValidationError(
            _(
                "La liste « %(name)s » se présente %(place)s : votre candidature (« Ma "
                "candidature ») est ailleurs."
            )
            % {"name": electoral_list.name, "place": a_lieu(electoral_list.place)}
        )
    if not consent:
        raise ValidationError(
            {"consent": _("Cochez le consentement à la publication pour rejoindre la liste.")}
        )
    current = active_membership(candidate)
    if current is not None:
        if current.electoral_list_id == electoral_list.pk:
            return current
        raise ValidationError(
            _(
                "Vous êtes déjà sur la liste « %(name)s » (ou l’avez demandé) : quittez-la "
                "d’abord depuis « Mon espace »."
            )
            % {"name": current.electoral_list.name}
        )
    now = timezone.now()
    membership = ListMembership.objects.create(
        electoral_list=electoral_list,
        candidate=candidate,
        via_invitation=via_invitation,
        consent_publication_text=JOIN_CONSENT.format(name=electoral_list.name),
        consent_publication_at=now,
        requested_at=now,
    )
    emails.notify_head_of_request(membership)
    match_candidate_on_commit(candidate)  # on their list's official list, preferably
    return membership


def can_decide(user: AbstractBaseUser, membership: ListMembership) -> bool:
    """Staff with the moderation permission; the list's head unless staff confirm its joins."""
    if user.has_perm(MODERATE_PERMISSION):
        return True
    head = membership.electoral_list.head
    return (
        head is not None
        and head.user_id == user.pk
        and not membership.electoral_list.joins_need_staff
    )


def _locked_membership(membership: ListMembership) -> ListMembership:
    return (
        ListMembership.objects.select_for_update(of=("self",))
        .select_related("electoral_list__head", "candidate__user")
        .get(pk=membership.pk)
    )


@transaction.atomic
def decide_join(*, membership: ListMembership, user: AbstractBaseUser, accept: bool):
    """The head (or staff) confirms or refuses a request to join."""
    membership = _locked_membership(membership)
    if not can_decide(user, membership):
        raise PermissionDenied(_("Seule la tête de liste (ou l’équipe Coorace) en décide."))
    if membership.status != Membership.REQUESTED:
        raise ValidationError(
            _("Cette demande est déjà traitée : « %(status)s ».")
            % {"status": membership.get_status_display()}
        )
    membership.status = Membership.CONFIRMED if accept else Membership.REFUSED
    membership.decided_at = timezone.now()
    membership.decided_by = user
    membership.save(update_fields=["status", "decided_at", "decided_by"])
    emails.send_join_decided(membership)
    transaction.on_commit(invalidate_public_caches)
    return membership


@transaction.atomic
def leave_list(*, membership: ListMembership) -> ListMembership:
    """The colistier leaves (or withdraws their request): dated, shown on the list's history."""
    membership = _locked_membership(membership)
    if not membership.is_active:
        raise ValidationError(_("Vous n’êtes plus sur cette liste."))
    membership.status = Membership.LEFT
    membership.ended_at = timezone.now()
    membership.save(update_fields=["status", "ended_at"])
    transaction.on_commit(invalidate_public_caches)
    return membership


@transaction.atomic
def remove_member(*, membership: ListMembership, user: AbstractBaseUser) -> ListMembership:
    """The head (or staff) removes a confirmed colistier: dated, shown on the history."""
    membership = _locked_membership(membership)
    if not can_decide(user, membership):
        raise PermissionDenied(_("Seule la tête de liste (ou l’équipe Coorace) en décide."))
    if membership.status != Membership.CONFIRMED:
        raise ValidationError(_("Seul·e un·e membre confirmé·e peut être retiré·e de la liste."))
    membership.status = Membership.REMOVED
    membership.ended_at = timezone.now()
    membership.decided_by = user
    membership.save(update_fields=["status", "ended_at", "decided_by"])
    emails.send_member_removed(membership)
    transaction.on_commit(invalidate_public_caches)
    return membership


@transaction.atomic
def settle_claim(
    *, claim: ListClaim, moderator: AbstractBaseUser, give_list: bool, note: str = ""
) -> ListClaim:
    """Staff settle a claim: the claimant becomes the list's head, or the claim is closed."""
    claim = (
        ListClaim.objects.select_for_update(of=("self",))
        .select_related("electoral_list")
        .get(pk=claim.pk)
    )
    if claim.settled_at is not None:
        raise ValidationError(_("Cette revendication est déjà traitée."))
    now = timezone.now()
    if give_list:
        electoral_list = ElectoralList.objects.select_for_update(of=("self",)).get(
            pk=claim.electoral_list_id
        )
        electoral_list.head = claim.candidate
        electoral_list.save(update_fields=["head"])
        signature = Signature.objects.filter(electoral_list=electoral_list).first()
        if signature is not None and signature.status == Signature.Status.APPROVED:
            issue_certificate(pledge=signature)  # it names the head
        transaction.on_commit(invalidate_public_caches)
    claim.settled_at, claim.settled_by, claim.note = now, moderator, note
    claim.save(update_fields=["settled_at", "settled_by", "note"])
    return claim
