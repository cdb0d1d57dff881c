"""Mailings: staff's campaign messages to signatories, and who asked not to get them.

A Mailing keeps its author, date, audience and filter (as chosen in the admin), subject and
text, and its counts; one MailingDelivery per recipient records whether it left. Campaign
messages carry an unsubscribe link; an address that used it (EmailOptOut, kind « campaign »)
is left out of later mailings. Follow-up reminders have their own opt-out (kind « reminders »);
transactional courriels (receipts, decisions, password) ignore both.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from candidates.models import Candidate
from candidates.validators import multiline_validator, single_line_validator


class Mailing(models.Model):
    class Audience(models.TextChoices):
        SIGNATORIES = "signatories", _("les signataires")
        HEADS = "heads", _("les têtes de liste")
        ELECTED = "elected", _("les signataires élu·es")

    class State(models.TextChoices):
        DRAFT = "draft", _("brouillon")
        SENDING = "sending", _("en cours d’envoi")
        SENT = "sent", _("envoyé")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur·e"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    author_name = models.CharField(_("nom de l’auteur·e"), max_length=150)
    created_at = models.DateTimeField(_("créé le"))
    audience = models.CharField(_("destinataires"), max_length=12, choices=Audience.choices)
    # The filter as chosen: {"regions": [...], "departements": [...], "statuses": [...],
    # "commitments": [...], "outcomes": [...]}; the author's scope is applied on top.
    filters = models.JSONField(_("filtre"), default=dict, blank=True)
    scope = models.CharField(_("périmètre de l’auteur·e"), max_length=300, blank=True)
    subject = models.CharField(_("objet"), max_length=200, validators=[single_line_validator])
    body = models.TextField(_("message"), max_length=10000, validators=[multiline_validator])
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.DRAFT)
    recipient_count = models.PositiveIntegerField(_("destinataires"), default=0)
    sent_count = models.PositiveIntegerField(_("envoyés"), default=0)
    failed_count = models.PositiveIntegerField(_("échecs"), default=0)
    sent_at = models.DateTimeField(_("envoi demandé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("envoi terminé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("envoi aux signataires")
        verbose_name_plural = _("envois aux signataires")
        ordering = ["-created_at"]
        permissions = [("send_mailing", _("Peut envoyer un message aux signataires"))]

    def __str__(self):
        return self.subject


class MailingDelivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("à envoyer")
        SENT = "sent", _("envoyé")
        FAILED = "failed", _("échec")
        SKIPPED = "skipped", _("écarté (désinscrit·e)")

    mailing = models.ForeignKey(
        Mailing, verbose_name=_("envoi"), on_delete=models.CASCADE, related_name="deliveries"
    )
    candidate = models.ForeignKey(
        Candidate,
        verbose_name=_("candidat·e"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    email = models.EmailField(_("adresse"))
    state = models.CharField(_("état"), max_length=10, choices=State.choices, default=State.PENDING)
    error = models.TextField(_("erreur"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("destinataire d’un envoi")
        verbose_name_plural = _("destinataires d’un envoi")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["mailing", "email"], name="one_delivery_per_address"),
        ]
        indexes = [models.Index(fields=["mailing", "state"], name="mailing_delivery_state")]

    def __str__(self):
        return f"{self.mailing_id} → {self.email}"


class EmailOptOut(models.Model):
    """An address that unsubscribed from one kind of non-transactional courriel."""

    class Kind(models.TextChoices):
        CAMPAIGN = "campaign", _("messages de campagne")
        REMINDERS = "reminders", _("rappels de suivi des engagements")

    email = models.EmailField(_("adresse"))
    kind = models.CharField(_("courriels"), max_length=10, choices=Kind.choices)
    at = models.DateTimeField(_("désinscrite le"))

    class Meta:
        verbose_name = _("désinscription")
        verbose_name_plural = _("désinscriptions")
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), "kind", name="one_opt_out_per_address_and_kind"
            ),
        ]

    def __str__(self):
        return f"{self.email} ({self.get_kind_display()})"
