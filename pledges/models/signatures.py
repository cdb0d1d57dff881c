"""A candidate's signature of the charter, the commitments it signs, its dated history."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from candidates.models import Candidate
from pledges.models.charter import Campaign, Commitment


class SignatureQuerySet(models.QuerySet):
    def public(self):
        """The pledges anyone may see: approved by staff, or approved then withdrawn."""
        return self.filter(
            models.Q(status=Signature.Status.APPROVED)
            | models.Q(status=Signature.Status.WITHDRAWN, approved_at__isnull=False)
        )


class Signature(models.Model):
    """A candidate's signature of a campaign's charter, with its consents and status."""

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente de validation")
        CHANGES_REQUESTED = "changes_requested", _("à compléter")
        APPROVED = "approved", _("validée")
        REJECTED = "rejected", _("refusée")
        UNPUBLISHED = "unpublished", _("dépubliée")
        WITHDRAWN = "withdrawn", _("retirée")

    # A withdrawn signature stays on the public record (« signature retirée le … ») only if
    # staff had approved it; `approved_at` tells which.
    EDITABLE_STATUSES = (Status.PENDING, Status.CHANGES_REQUESTED)

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campagne"), on_delete=models.PROTECT, related_name="signatures"
    )
    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidat·e"), on_delete=models.CASCADE, related_name="signatures"
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    submitted_at = models.DateTimeField(_("envoyée le"))
    approved_at = models.DateTimeField(_("validée le"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("retirée le"), null=True, blank=True)
    consent_candidacy_text = models.TextField(_("attestation de candidature (texte)"))
    consent_candidacy_at = models.DateTimeField(_("attestation de candidature (date)"))
    consent_publication_text = models.TextField(_("consentement à la publication (texte)"))
    consent_publication_at = models.DateTimeField(_("consentement à la publication (date)"))

    objects = SignatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["-submitted_at"]
        permissions = [
            ("moderate_pledge", _("Peut valider, refuser ou dépublier une signature")),
            ("export_pledges", _("Peut exporter les signataires avec leurs coordonnées")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "candidate"],
                name="one_pledge_per_candidate_and_campaign",
                violation_error_message=_("Cette candidature a déjà signé la charte."),
            ),
        ]

    def __str__(self):
        return f"{self.candidate} — {self.get_status_display()}"

    def get_absolute_url(self):
        """The public page of the signatory (a 404 unless the pledge is public)."""
        return reverse("pledges:signatory", kwargs={"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def was_approved(self) -> bool:
        return self.approved_at is not None

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.APPROVED or (
            self.status == self.Status.WITHDRAWN and self.was_approved
        )

    def active_signatures(self):
        return self.signed_commitments.filter(withdrawn_at__isnull=True)


class SignedCommitment(models.Model):
    """One commitment signed within a pledge; withdrawn ones stay, dated."""

    pledge = models.ForeignKey(
        Signature,
        verbose_name=_("signature"),
        on_delete=models.CASCADE,
        related_name="signed_commitments",
    )
    commitment = models.ForeignKey(
        Commitment,
        verbose_name=_("engagement"),
        on_delete=models.PROTECT,
        related_name="signed_commitments",
    )
    signed_at = models.DateTimeField(_("signé le"))
    withdrawn_at = models.DateTimeField(_("retiré le"), null=True, blank=True)

    class Meta:
        verbose_name = _("engagement signé")
        verbose_name_plural = _("engagements signés")
        ordering = ["commitment__proposal__number", "commitment__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "commitment"],
                name="one_signature_per_commitment",
                violation_error_message=_("Cet engagement figure déjà dans la signature."),
            ),
        ]

    def __str__(self):
        return f"{self.pledge_id} — {self.commitment_id}"


class SignatureEvent(models.Model):
    """The dated history of a pledge. Public events are shown in the directory."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("signature envoyée")
        EDITED = "edited", _("signature modifiée avant validation")
        RESUBMITTED = "resubmitted", _("signature complétée et renvoyée")
        APPROVED = "approved", _("signature validée")
        CHANGES_REQUESTED = "changes_requested", _("compléments demandés")
        REJECTED = "rejected", _("signature refusée")
        UNPUBLISHED = "unpublished", _("signature dépubliée")
        COMMITMENT_ADDED = "commitment_added", _("engagement ajouté")
        COMMITMENT_WITHDRAWN = "commitment_withdrawn", _("engagement retiré")
        WITHDRAWN = "withdrawn", _("signature retirée")

    # Once staff have approved a signature, these events are part of its public record;
    # before that, and any other kind (a request for changes, a refusal, a note), never.
    PUBLIC_KINDS = frozenset(
        {Kind.APPROVED, Kind.COMMITMENT_ADDED, Kind.COMMITMENT_WITHDRAWN, Kind.WITHDRAWN}
    )

    pledge = models.ForeignKey(
        Signature, verbose_name=_("signature"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices)
    commitment = models.ForeignKey(
        Commitment,
        verbose_name=_("engagement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("date"))
    is_public = models.BooleanField(_("public"), default=False)
    note = models.TextField(_("message"), blank=True)
    reason = models.ForeignKey(
        "RejectionReason",
        verbose_name=_("motif"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("historique")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.at:%d/%m/%Y} {self.get_kind_display()}"

    @classmethod
    def is_public_kind(cls, kind: str, *, signature: Signature) -> bool:
        """The one rule of what the public history shows (signature as it is after the event)."""
        return signature.was_approved and kind in cls.PUBLIC_KINDS


class SignatureTrace(models.Model):
    """What staff keep of an erased account: no name, no contact, only what was decided."""

    pseudonym = models.CharField(_("pseudonyme"), max_length=32, unique=True)
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campagne"), on_delete=models.PROTECT, related_name="+"
    )
    commune_insee_code = models.CharField(_("code INSEE de la commune"), max_length=5)
    last_status = models.CharField(
        _("dernier statut"), max_length=20, choices=Signature.Status.choices
    )
    submitted_at = models.DateTimeField(_("envoyée le"))
    approved_at = models.DateTimeField(_("validée le"), null=True, blank=True)
    decisions = models.JSONField(_("décisions"), default=list)
    erased_at = models.DateTimeField(_("effacée le"))

    class Meta:
        verbose_name = _("trace pseudonyme")
        verbose_name_plural = _("traces pseudonymes (comptes supprimés)")
        ordering = ["-erased_at"]

    def __str__(self):
        return self.pseudonym
