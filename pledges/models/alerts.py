"""Voters' alerts: an address that asked to be told what the lists of a commune do.

Double opt-in: a subscription is stored pending (`confirmed_at` empty) with a random token,
confirmed from the link of its confirmation courriel. The address serves that commune's
daily digest only, and unsubscribing deletes the row (pledges.alerts.services).
"""

import secrets

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from communes.models import Commune


def new_alert_token() -> str:
    return secrets.token_urlsafe(24)


class AlertSubscriptionQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def pending(self):
        return self.filter(confirmed_at__isnull=True)


class AlertSubscription(models.Model):
    """One address following one commune (pending until confirmed)."""

    commune = models.ForeignKey(
        Commune,
        verbose_name=_("commune"),
        on_delete=models.CASCADE,
        related_name="alert_subscriptions",
    )
    email = models.EmailField(_("adresse de courriel"))
    token = models.CharField(_("jeton"), max_length=40, unique=True, default=new_alert_token)
    created_at = models.DateTimeField(_("demandée le"))
    confirmed_at = models.DateTimeField(_("confirmée le"), null=True, blank=True)
    # The end of the period the last digest covered: the next one starts there.
    last_sent_at = models.DateTimeField(_("dernier envoi le"), null=True, blank=True)

    objects = AlertSubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("alerte par courriel")
        verbose_name_plural = _("alertes par courriel")
        constraints = [
            models.UniqueConstraint(
                "commune",
                Lower("email"),
                name="alert_one_per_address_and_commune",
                violation_error_message=_("Cette adresse suit déjà cette commune."),
            ),
        ]

    def __str__(self):
        return f"{self.commune} ({self.pk})"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None
