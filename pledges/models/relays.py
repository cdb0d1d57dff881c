"""Relays: Coorace's member structures taking the campaign to the lists of their territory.

Staff create a relay (its name, its territory — communes, départements or régions — and a
contact) and invite its contact to an account; from « Espace relais » the relay sees the
official roster of its territory with each list's public answer, and gets one personal link
per official list (RelayLink, /r/<code>/) to send or print on the invitation letter. A
signature that comes through that link is attributed to the relay (Signature.relay), which
staff see and the public never does.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from candidates.models import OfficialList
from candidates.official.models import new_invitation_code
from candidates.validators import single_line_validator
from communes.models import Commune, Departement, Region


def new_relay_token() -> str:
    return secrets.token_urlsafe(24)


class Relay(models.Model):
    """A member structure (or regional federation) relaying the campaign in its territory."""

    name = models.CharField(
        _("nom de la structure"), max_length=200, validators=[single_line_validator]
    )
    regions = models.ManyToManyField(
        Region, verbose_name=_("régions"), blank=True, related_name="relays"
    )
    departements = models.ManyToManyField(
        Departement, verbose_name=_("départements"), blank=True, related_name="relays"
    )
    communes = models.ManyToManyField(
        Commune, verbose_name=_("communes"), blank=True, related_name="relays"
    )
    contact_name = models.CharField(
        _("personne à contacter"), max_length=200, validators=[single_line_validator]
    )
    contact_email = models.EmailField(_("adresse électronique du contact"))
    contact_phone = models.CharField(
        _("téléphone du contact"), max_length=30, blank=True, validators=[single_line_validator]
    )
    accounts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("comptes"), blank=True, related_name="relays"
    )
    invitation_token = models.CharField(
        _("jeton d’invitation du compte"), max_length=40, unique=True, default=new_relay_token
    )
    invited_at = models.DateTimeField(_("invitée le"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("compte ouvert le"), null=True, blank=True)
    is_active = models.BooleanField(_("structure active"), default=True)
    created_at = models.DateTimeField(_("créée le"))

    class Meta:
        verbose_name = _("relais")
        verbose_name_plural = _("relais")
        ordering = ["name"]

    def __str__(self):
        return self.name


class RelayLink(models.Model):
    """A relay's personal invitation link for one official list (/r/<code>/)."""

    relay = models.ForeignKey(
        Relay, verbose_name=_("relais"), on_delete=models.CASCADE, related_name="links"
    )
    official_list = models.ForeignKey(
        OfficialList,
        verbose_name=_("liste officielle"),
        on_delete=models.CASCADE,
        related_name="relay_links",
    )
    code = models.CharField(
        _("code du lien"), max_length=12, unique=True, default=new_invitation_code
    )
    created_at = models.DateTimeField(_("créé le"))

    class Meta:
        verbose_name = _("lien d’invitation d’un relais")
        verbose_name_plural = _("liens d’invitation des relais")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["relay", "official_list"], name="one_relay_link_per_list"
            ),
        ]

    def __str__(self):
        return f"{self.relay} → {self.official_list}"
