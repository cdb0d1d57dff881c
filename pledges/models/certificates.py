"""The versions of a signature's « Attestation d’engagement »."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pledges.models.signatures import Signature


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
        Signature,
        verbose_name=_("signature"),
        on_delete=models.CASCADE,
        related_name="certificates",
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
