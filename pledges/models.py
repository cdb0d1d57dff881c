from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from candidates.models import Candidate


class CampaignQuerySet(models.QuerySet):
    def current(self):
        """The campaign the site shows (the most recent one marked current)."""
        return self.filter(is_current=True).order_by("-first_round_date").first()


class Campaign(models.Model):
    """An election campaign with its charter. Several can exist side by side."""

    slug = models.SlugField(_("identifiant"), max_length=60, unique=True)
    name = models.CharField(_("nom"), max_length=100, help_text=_("Par ex. « #Municipales2020 »."))
    title = models.CharField(_("titre"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=100, default="Coorace")
    introduction = models.TextField(
        _("introduction"), help_text=_("Paragraphes séparés par une ligne vide.")
    )
    election_name = models.CharField(
        _("élection"), max_length=100, help_text=_("Par ex. « élections municipales 2020 ».")
    )
    first_round_date = models.DateField(_("date du premier tour"))
    second_round_date = models.DateField(_("date du second tour"), null=True, blank=True)
    is_current = models.BooleanField(
        _("campagne en cours"),
        default=False,
        help_text=_("La campagne que le site présente. Une seule à la fois."),
    )
    signing_open = models.BooleanField(
        _("signatures ouvertes"),
        default=True,
        help_text=_(
            "Décochez pour fermer les signatures (les candidats peuvent encore consulter)."
        ),
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campagne")
        verbose_name_plural = _("campagnes")
        ordering = ["-first_round_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="single_current_campaign",
                violation_error_message=_("Une seule campagne peut être en cours à la fois."),
            ),
            models.CheckConstraint(
                condition=models.Q(second_round_date__isnull=True)
                | models.Q(second_round_date__gt=models.F("first_round_date")),
                name="second_round_after_first",
                violation_error_message=_("Le second tour doit suivre le premier tour."),
            ),
        ]

    def __str__(self):
        return f"{self.name} — {self.title}"

    @property
    def introduction_paragraphs(self) -> list[str]:
        return [p.strip() for p in self.introduction.split("\n\n") if p.strip()]


class Proposal(models.Model):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campagne"), on_delete=models.CASCADE, related_name="proposals"
    )
    number = models.PositiveSmallIntegerField(_("numéro"))
    title = models.CharField(_("titre"), max_length=200)
    context = models.TextField(
        _("contexte"), help_text=_("Le paragraphe qui présente la proposition.")
    )

    class Meta:
        verbose_name = _("proposition")
        verbose_name_plural = _("propositions")
        ordering = ["campaign", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "number"],
                name="unique_proposal_number",
                violation_error_message=_("Cette campagne a déjà une proposition de ce numéro."),
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1),
                name="proposal_number_positive",
                violation_error_message=_("Le numéro d’une proposition commence à 1."),
            ),
        ]

    def __str__(self):
        return f"#{self.number}. {self.title}"

    def get_absolute_url(self):
        return reverse("pledges:proposal", kwargs={"number": self.number})


class Commitment(models.Model):
    """One « Je m’engage à … » sentence, signed word for word by candidates."""

    proposal = models.ForeignKey(
        Proposal,
        verbose_name=_("proposition"),
        on_delete=models.CASCADE,
        related_name="commitments",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.TextField(
        _("texte"), help_text=_("La phrase exacte, commençant par « Je m’engage à ».")
    )

    class Meta:
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        ordering = ["proposal__campaign", "proposal__number", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "position"],
                name="unique_commitment_position",
                violation_error_message=_(
                    "Cette proposition a déjà un engagement à cette position."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(position__gte=1),
                name="commitment_position_positive",
                violation_error_message=_("La position d’un engagement commence à 1."),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.text}"

    def save(self, *args, **kwargs):
        # The same rule outside forms: a signed sentence never changes under its signatures.
        if self.pk and self.wording_is_locked():
            self.clean()
        super().save(*args, **kwargs)

    def clean(self):
        if self.pk and self.wording_is_locked():
            stored = Commitment.objects.only("text").get(pk=self.pk).text
            if stored != self.text:
                raise ValidationError(
                    {
                        "text": _(
                            "Cet engagement a déjà été signé : son texte ne peut plus changer. "
                            "Les signataires ont signé ces mots-là."
                        )
                    }
                )

    def wording_is_locked(self) -> bool:
        return self.pk is not None and self.signatures.exists()

    @property
    def code(self) -> str:
        """« 1.2 »: the proposal's number, then the commitment's position in it."""
        return f"{self.proposal.number}.{self.position}"


class PledgeQuerySet(models.QuerySet):
    def public(self):
        """The pledges anyone may see: approved by staff, or approved then withdrawn."""
        return self.filter(
            models.Q(status=Pledge.Status.APPROVED)
            | models.Q(status=Pledge.Status.WITHDRAWN, approved_at__isnull=False)
        )


class Pledge(models.Model):
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
        Campaign, verbose_name=_("campagne"), on_delete=models.PROTECT, related_name="pledges"
    )
    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidat·e"), on_delete=models.CASCADE, related_name="pledges"
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

    objects = PledgeQuerySet.as_manager()

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
        return self.signatures.filter(withdrawn_at__isnull=True)


class Signature(models.Model):
    """One commitment signed within a pledge; withdrawn ones stay, dated."""

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("signature"), on_delete=models.CASCADE, related_name="signatures"
    )
    commitment = models.ForeignKey(
        Commitment,
        verbose_name=_("engagement"),
        on_delete=models.PROTECT,
        related_name="signatures",
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


class PledgeEvent(models.Model):
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

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("signature"), on_delete=models.CASCADE, related_name="events"
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


class PledgeTrace(models.Model):
    """What staff keep of an erased account: no name, no contact, only what was decided."""

    pseudonym = models.CharField(_("pseudonyme"), max_length=32, unique=True)
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campagne"), on_delete=models.PROTECT, related_name="+"
    )
    commune_insee_code = models.CharField(_("code INSEE de la commune"), max_length=5)
    last_status = models.CharField(
        _("dernier statut"), max_length=20, choices=Pledge.Status.choices
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


class RejectionReason(models.Model):
    """A reason staff give when they refuse a signature; its text is sent to the candidate."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    label = models.CharField(_("libellé"), max_length=200)
    candidate_text = models.TextField(
        _("texte envoyé au candidat"),
        help_text=_("Repris dans l’e-mail qui annonce le refus."),
    )
    requires_free_text = models.BooleanField(
        _("précision obligatoire"),
        default=False,
        help_text=_("Le modérateur doit alors écrire une précision (motif « autre »)."),
    )
    is_active = models.BooleanField(_("actif"), default=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("motif de refus")
        verbose_name_plural = _("motifs de refus")
        ordering = ["position", "label"]

    def __str__(self):
        return self.label

    def is_used(self) -> bool:
        return self.pk is not None and self.events.exists()


class AuditEntry(models.Model):
    """Who did what to which signature, when, from where, with the values before and after.

    Entries outlive the account they are about: the candidate's name is not copied here,
    only a pseudonym of the pledge, so that the trail stays after an erasure.
    """

    class Action(models.TextChoices):
        APPROVED = "approved", _("validation")
        CHANGES_REQUESTED = "changes_requested", _("demande de compléments")
        REJECTED = "rejected", _("refus")
        UNPUBLISHED = "unpublished", _("dépublication")
        IDENTITY_EDITED = "identity_edited", _("modification de l’identité par l’équipe")
        CERTIFICATE_REISSUED = "certificate_reissued", _("réémission de l’attestation")

    at = models.DateTimeField(_("date"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("membre de l’équipe"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    actor_name = models.CharField(_("nom du membre de l’équipe"), max_length=150)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    pledge = models.ForeignKey(
        Pledge,
        verbose_name=_("signature"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    pledge_pseudonym = models.CharField(_("pseudonyme de la signature"), max_length=32)
    changes = models.JSONField(_("valeurs avant → après"), default=dict, blank=True)
    note = models.TextField(_("message ou motif"), blank=True)
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("journal des décisions")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor_name} — {self.get_action_display()}"


class CertificateQuerySet(models.QuerySet):
    def current(self):
        """The latest version of each pledge's certificate."""
        return self.filter(superseded_at__isnull=True)


class Certificate(models.Model):
    """One version of a pledge's « Attestation d’engagement ».

    `content` is what the certificate says, frozen when it was issued; `fingerprint` is
    the SHA-256 of its canonical JSON (with the reference, version and date of issue), so
    that anyone holding the PDF can check it against the verification page.
    """

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("signature"), on_delete=models.CASCADE, related_name="certificates"
    )
    version = models.PositiveSmallIntegerField(_("version"))
    reference = models.CharField(_("référence"), max_length=20, unique=True)
    issued_at = models.DateTimeField(_("émise le"))
    superseded_at = models.DateTimeField(_("remplacée le"), null=True, blank=True)
    content = models.JSONField(_("contenu certifié"))
    fingerprint = models.CharField(_("empreinte SHA-256"), max_length=64)
    pdf = models.FileField(_("PDF"), upload_to="attestations/%Y/%m/", blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("attestation")
        verbose_name_plural = _("attestations")
        ordering = ["pledge", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "version"],
                name="one_certificate_per_version",
                violation_error_message=_("Cette version de l’attestation existe déjà."),
            ),
            models.UniqueConstraint(
                fields=["pledge"],
                condition=models.Q(superseded_at__isnull=True),
                name="one_current_certificate_per_pledge",
                violation_error_message=_("Une seule attestation en vigueur par signature."),
            ),
        ]

    def __str__(self):
        return f"{self.reference} (v{self.version})"

    def get_absolute_url(self):
        return reverse("pledges:verify", kwargs={"reference": self.reference})
