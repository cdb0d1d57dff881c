"""After the vote: the public follow-up of each commitment an elected list or candidate signed.

A signed commitment's status (SignedCommitment.follow_up_status) changes only when staff
approve an update that says why (FollowUpUpdate): its text, an optional link and document,
its source. Updates come from the elected list (head and members, « Mon espace »), from staff,
and from accounts staff allow (permission `pledges.post_follow_up`, given to Coorace's member
structures); every one is moderated before it is public and keeps its author and dates.
Reminders to report (FollowUpReminder) are logged one per signature and kind.
"""

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from candidates.validators import multiline_validator, single_line_validator
from pledges.models.signatures import FollowUpStatus, Signature, SignedCommitment

FOLLOW_UP_DOCUMENT_EXTENSIONS = ["pdf", "png", "jpg", "jpeg", "webp"]


class FollowUpUpdateQuerySet(models.QuerySet):
    def public(self):
        return self.filter(state=FollowUpUpdate.State.APPROVED)

    def pending(self):
        return self.filter(state=FollowUpUpdate.State.PENDING)


class FollowUpUpdate(models.Model):
    """A dated report on one signed commitment: the status it gives and why."""

    class State(models.TextChoices):
        PENDING = "pending", _("en attente de modération")
        APPROVED = "approved", _("publiée")
        REJECTED = "rejected", _("refusée")

    class AuthorRole(models.TextChoices):
        LIST = "list", _("la liste élue")
        STAFF = "staff", _("l’équipe Coorace")
        MEMBER = "member", _("une structure adhérente")

    signed_commitment = models.ForeignKey(
        SignedCommitment,
        verbose_name=_("engagement signé"),
        on_delete=models.CASCADE,
        related_name="follow_up_updates",
    )
    status = models.CharField(_("statut"), max_length=12, choices=FollowUpStatus.choices)
    text = models.TextField(
        _("ce qui a été fait"), max_length=3000, validators=[multiline_validator]
    )
    link = models.URLField(_("lien"), max_length=500, blank=True)
    document = models.FileField(
        _("document (PDF ou image)"),
        upload_to="suivi/%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator(FOLLOW_UP_DOCUMENT_EXTENSIONS)],
    )
    source = models.CharField(
        _("source"), max_length=300, blank=True, validators=[single_line_validator]
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur·e"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    author_name = models.CharField(_("nom de l’auteur·e"), max_length=200)
    author_role = models.CharField(_("au nom de"), max_length=10, choices=AuthorRole.choices)
    created_at = models.DateTimeField(_("envoyée le"))
    state = models.CharField(
        _("modération"), max_length=10, choices=State.choices, default=State.PENDING
    )
    decided_at = models.DateTimeField(_("modérée le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("modérée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_note = models.TextField(_("motif du refus"), blank=True)

    objects = FollowUpUpdateQuerySet.as_manager()

    class Meta:
        verbose_name = _("mise à jour du suivi")
        verbose_name_plural = _("mises à jour du suivi")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("post_follow_up", _("Peut proposer des mises à jour du suivi de toute liste élue")),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="follow_up_queue")]

    def __str__(self):
        status = self.get_status_display()
        return f"{self.signed_commitment_id} — {status} ({self.created_at:%d/%m/%Y})"


class FollowUpReminder(models.Model):
    """A reminder to report, sent to an elected signatory (or the staff digest), logged once."""

    class Kind(models.TextChoices):
        ONE_YEAR = "one_year", _("un an après la prise de fonctions")
        MID_TERM = "mid_term", _("mi-mandat")

    signature = models.ForeignKey(
        Signature,
        verbose_name=_("signature"),
        on_delete=models.CASCADE,
        related_name="follow_up_reminders",
    )
    kind = models.CharField(_("rappel"), max_length=10, choices=Kind.choices)
    email = models.EmailField(_("adresse"))
    due_on = models.DateField(_("prévu le"))
    sent_at = models.DateTimeField(_("envoyé le"))

    class Meta:
        verbose_name = _("rappel de suivi")
        verbose_name_plural = _("rappels de suivi")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["signature", "kind"], name="one_follow_up_reminder_per_kind"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.email}"
