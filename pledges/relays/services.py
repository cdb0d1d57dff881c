"""Relays: their territory, their accounts, their invitations and what their links brought.

The only code that writes Relay's accounts and invitation, and Signature.relay:

- `invite_relay`: staff send the relay's contact a link to open the relay's account
  (/relais/invitation/<token>/, a courriel from a job), audited (AuditEntry relay_invited);
- `accept_invitation`: the contact's account (made through allauth's sign-up, or one they
  already had, once logged in) joins the relay; the token is then replaced, so that the
  link opens one account only (staff invite again for another);
- `remember_link` / `attribute_signature`: a visitor who followed a relay's personal link
  (/r/<code>/) and then signs for that official list has their signature attributed to the
  relay. Staff see it; no public page, file or API ever does.

A relay's territory is communes, départements and régions together (`territory_q`); a relay
account sees the official lists there and their public answers only.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Candidate, OfficialList
from config.site import absolute_url, send_email
from pledges.models import AuditEntry, Relay, RelayLink, Signature
from pledges.models.relays import new_relay_token
from pledges.moderation.scope import ALL, regions_of, scope_label

# The relay link this session followed (its code), kept through sign-up as the official
# list's code is (pledges.roster.views.OFFICIAL_INVITATION_KEY).
RELAY_LINK_KEY = "relay_link"
# The relay invitation this session followed, kept through sign-up and confirmation.
RELAY_INVITATION_KEY = "relay_invitation"


# ---------------------------------------------------------------- territory and access


def territory_q(relay: Relay, commune_path: str = "commune") -> Q:
    """Rows whose commune (at `commune_path`) lies in the relay's territory: its communes,
    the communes of its départements and of its régions (subqueries, no list of ids)."""
    return (
        Q(**{f"{commune_path}__in": relay.communes.values("pk")})
        | Q(**{f"{commune_path}__departement__in": relay.departements.values("pk")})
        | Q(**{f"{commune_path}__departement__region__in": relay.regions.values("pk")})
    )


def territory_lists(relay: Relay):
    """The standing official lists of the latest round in the relay's territory."""
    from pledges.roster.answers import latest_official_lists

    return latest_official_lists().filter(territory_q(relay))


def relays_of(user) -> list[Relay]:
    """The active relays this account belongs to (none for anyone else)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(user.relays.filter(is_active=True).order_by("name"))


def is_relay_account(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.relays.exists()


def touching(regions) -> Q:
    """Relays whose territory (régions, départements or communes) touches these régions."""
    return (
        Q(regions__in=regions)
        | Q(departements__region__in=regions)
        | Q(communes__departement__region__in=regions)
    )


def limit_relays(queryset, user):
    """The relays a staff account may see: those whose territory touches its régions
    (pledges.moderation.scope: none for a regional moderator outside them)."""
    regions = regions_of(user)
    if regions is ALL:
        return queryset
    return queryset.filter(touching(regions)).distinct()


def in_territory(relay: Relay, official_list: OfficialList) -> bool:
    return territory_lists(relay).filter(pk=official_list.pk).exists()


# ---------------------------------------------------------------- the relay's account


def invitation_url(relay: Relay) -> str:
    return absolute_url(reverse("pledges:relay_invitation", args=[relay.invitation_token]))


@transaction.atomic
def invite_relay(*, relay: Relay, actor: AbstractBaseUser, ip_address: str | None = None) -> Relay:
    """E-mail the relay's contact a new link to open the relay's account (a job, once this
    commits); a link sent before stops working. Audited."""
    if not actor.has_perm("pledges.change_relay"):
        raise PermissionDenied(_("Seule l’équipe Coorace invite les relais."))
    relay = Relay.objects.select_for_update().get(pk=relay.pk)
    if not relay.is_active:
        raise ValidationError(
            _("Le relais « %(name)s » n’est pas actif : activez-le avant de l’inviter.")
            % {"name": relay.name}
        )
    if not relay.contact_email:
        raise ValidationError(
            _("Le relais « %(name)s » n’a pas d’adresse électronique de contact.")
            % {"name": relay.name}
        )
    now = timezone.now()
    relay.invitation_token = new_relay_token()
    relay.invited_at = now
    relay.save(update_fields=["invitation_token", "invited_at"])
    send_email(
        "pledges/relays/emails/relay_invitation",
        to=[relay.contact_email],
        context={"relay": relay, "link": invitation_url(relay)},
    )
    AuditEntry.objects.create(
        at=now,
        actor=actor,
        actor_name=actor.get_full_name() or actor.get_username(),
        action=AuditEntry.Action.RELAY_INVITED,
        pledge=None,
        pledge_pseudonym=f"relais-{relay.pk}",
        changes={"relay": relay.pk, "name": relay.name, "email": relay.contact_email},
        ip_address=ip_address,
        scope=scope_label(actor),
    )
    return relay


def account_refusal(user) -> str:
    """Why this account cannot be a relay's, or « »: staff and candidates keep theirs apart."""
    if user.is_staff or user.is_superuser:
        return _(
            "Ce compte est un compte de l’équipe Coorace : ouvrez l’espace du relais avec un "
            "autre compte (déconnectez-vous, puis créez-le depuis ce lien)."
        )
    if Candidate.objects.filter(user=user).exists():
        return _(
            "Ce compte est celui d’une candidature : un relais a son propre compte. "
            "Déconnectez-vous, puis créez le compte du relais depuis ce lien, avec une autre "
            "adresse électronique."
        )
    return ""


@transaction.atomic
def accept_invitation(*, relay: Relay, user: AbstractBaseUser, token: str) -> Relay:
    """The invited contact's account joins the relay; the link is then spent."""
    relay = Relay.objects.select_for_update().get(pk=relay.pk)
    if not relay.is_active or relay.invitation_token != token:
        raise ValidationError(
            _("Ce lien d’invitation n’est plus valable : demandez-en un nouveau à Coorace.")
        )
    refusal = account_refusal(user)
    if refusal:
        raise ValidationError(refusal)
    relay.accounts.add(user)
    if relay.accepted_at is None:
        relay.accepted_at = timezone.now()
    relay.invitation_token = new_relay_token()
    relay.save(update_fields=["accepted_at", "invitation_token"])
    return relay


# ---------------------------------------------------------------- attribution


def remember_link(request, link: RelayLink) -> None:
    """The visitor followed this relay's link: kept in their session until they sign."""
    request.session[RELAY_LINK_KEY] = link.code


def followed_link(request) -> RelayLink | None:
    code = request.session.get(RELAY_LINK_KEY)
    if not isinstance(code, str):
        return None
    return (
        RelayLink.objects.select_related("relay").filter(code=code, relay__is_active=True).first()
    )


def attribute_signature(request, signature: Signature) -> bool:
    """After a signature is sent: if this session came through a relay's link and the
    signature is that official list's (its list is tied to it), the signature is attributed
    to the relay, once (a relay already set stays). True if attributed now."""
    link = followed_link(request)
    if link is None:
        return False
    # The list as it is now: the letter's tie-in (link_official_list) has just written it.
    updated = Signature.objects.filter(
        pk=signature.pk,
        relay__isnull=True,
        electoral_list__official_list=link.official_list_id,
    ).update(relay=link.relay)
    if updated:
        request.session.pop(RELAY_LINK_KEY, None)
        signature.relay = link.relay
    return bool(updated)
