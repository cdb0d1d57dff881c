"""The campaign's dealings with the official lists: invitations sent, answers declined.

A list's answer (pledges.roster.answers) is read from these and from the site's lists: signed
(an ElectoralList tied to the official list has a public signature), declined, invited, or
no answer yet (« n’a pas (encore) répondu »).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from candidates.models import OfficialList
from pledges.models.charter import Campaign


class ListInvitation(models.Model):
    """Staff (or a relay) invited an official list to sign: when, how, by whom."""

    class Channel(models.TextChoices):
        LETTER = "letter", _("courrier")
        EMAIL = "email", _("courriel")
        HAND = "hand", _("en main propre")
        PHONE = "phone", _("téléphone")
        OTHER = "other", _("autre")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campagne"), on_delete=models.PROTECT, related_name="+"
    )
    official_list = models.ForeignKey(
        OfficialList,
        verbose_name=_("liste officielle"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    at = models.DateField(_("date"))
    channel = models.CharField(_("moyen"), max_length=10, choices=Channel.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    email = models.EmailField(_("adresse (si envoyée par courriel)"), blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(_("enregistrée le"))
    # Recorded by a relay from its space (blank: by staff).
    relay = models.ForeignKey(
        "pledges.Relay",
        verbose_name=_("relais"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
    )

    class Meta:
        verbose_name = _("invitation d’une liste")
        verbose_name_plural = _("invitations des listes")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.official_list} — {self.get_channel_display()} le {self.at:%d/%m/%Y}"


class ListDecline(models.Model):
    """An official list said it would not sign; recorded on its behalf by staff."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campagne"), on_delete=models.PROTECT, related_name="+"
    )
    official_list = models.ForeignKey(
        OfficialList,
        verbose_name=_("liste officielle"),
        on_delete=models.CASCADE,
        related_name="declines",
    )
    reason = models.TextField(_("raison donnée par la liste"), blank=True)
    publish_reason = models.BooleanField(
        _("la liste accepte que sa raison soit publiée"), default=False
    )
    at = models.DateField(_("date de la réponse"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enregistrée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("enregistrée le"))

    class Meta:
        verbose_name = _("refus d’une liste")
        verbose_name_plural = _("refus des listes")
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "official_list"],
                name="one_decline_per_list",
                violation_error_message=_("Le refus de cette liste est déjà enregistré."),
            ),
        ]

    def __str__(self):
        return f"{self.official_list} a décliné"
