from django.conf import settings
from django.core.validators import MaxLengthValidator, URLValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from communes.models import Commune

STATEMENT_MAX_LENGTH = 600

# Only web addresses a visitor can safely follow: no javascript:, data:, ftp: …
website_validator = URLValidator(
    schemes=["http", "https"],
    message=_("Indiquez une adresse web complète commençant par http:// ou https://."),
)


class Candidate(models.Model):
    """Who a signatory is and where they stand: one profile per account."""

    class Role(models.TextChoices):
        HEAD_OF_LIST = "head_of_list", _("Tête de liste")
        CANDIDATE = "candidate", _("Candidat·e")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        on_delete=models.CASCADE,
        related_name="candidate",
    )
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="candidates"
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    list_name = models.CharField(_("nom de la liste"), max_length=200, blank=True)
    political_label = models.CharField(_("étiquette politique"), max_length=100, blank=True)
    website = models.URLField(
        _("site web"), max_length=300, blank=True, validators=[website_validator]
    )
    statement = models.TextField(
        _("déclaration publique"),
        blank=True,
        validators=[MaxLengthValidator(STATEMENT_MAX_LENGTH)],
        help_text=_("Texte brut, 600 caractères au plus."),
    )
    phone = models.CharField(
        _("téléphone (privé)"),
        max_length=30,
        blank=True,
        help_text=_("Jamais publié : l’équipe Coorace s’en sert pour vérifier la candidature."),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("candidat·e")
        verbose_name_plural = _("candidat·es")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("statement"), STATEMENT_MAX_LENGTH),
                name="statement_at_most_600_characters",
                violation_error_message=_("La déclaration publique compte 600 caractères au plus."),
            ),
            models.CheckConstraint(
                condition=~models.Q(first_name="") & ~models.Q(last_name=""),
                name="candidate_has_a_name",
                violation_error_message=_("Le prénom et le nom sont obligatoires."),
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class CorrectionRequest(models.Model):
    """A signatory asks staff to correct a locked field (name, commune, role, list)."""

    candidate = models.ForeignKey(
        Candidate,
        verbose_name=_("candidat·e"),
        on_delete=models.CASCADE,
        related_name="correction_requests",
    )
    message = models.TextField(_("message"), max_length=2000)
    created_at = models.DateTimeField(_("envoyée le"), auto_now_add=True)
    handled_at = models.DateTimeField(_("traitée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("demande de correction")
        verbose_name_plural = _("demandes de correction")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.candidate} — {self.created_at:%d/%m/%Y}"
