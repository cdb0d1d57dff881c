from django.conf import settings
from django.core.validators import MaxLengthValidator, URLValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from candidates.official.models import (  # noqa: F401 (registers the roster's models)
    ElectedCouncillor,
    ElectedImport,
    ListOutcome,
    OfficialCandidate,
    OfficialList,
    RosterImport,
    RosterMatch,
)
from candidates.validators import multiline_validator, single_line_validator
from communes.models import Commune, Secteur
from communes.search import normalize_name

STATEMENT_MAX_LENGTH = 600
SEARCH_KEY_MAX_LENGTH = 600
# The fields the search key is made of: saving any of them refreshes it.
SEARCH_KEY_SOURCES = {"first_name", "last_name", "list_name"}

# Only web addresses a visitor can safely follow: no javascript:, data:, ftp: …
website_validator = URLValidator(
    schemes=["http", "https"],
    message=_("Indiquez une adresse web complète commençant par http:// ou https://."),
)


class Candidate(models.Model):
    """Who a signatory is and where they stand: one profile per account."""

    class Role(models.TextChoices):
        HEAD_OF_LIST = "head_of_list", _("Tête de liste")
        CANDIDATE = "candidate", _("Colistier·e (candidat·e sur une liste)")
        # Communes under 1,000 inhabitants: candidates stand one by one (scrutin
        # plurinominal), optionally with the name of the group they run with (list_name).
        INDIVIDUAL = "individual", _("Candidat·e à titre individuel (moins de 1 000 habitants)")

    LIST_ROLES = (Role.HEAD_OF_LIST, Role.CANDIDATE)

    # What the public record and the certificate say of the person: locked once staff have
    # decided on a signature (the candidate then asks for a correction), edited by staff
    # through pledges.moderation.services.edit_candidate_identity, audited.
    IDENTITY_FIELDS = ("first_name", "last_name", "commune", "secteur", "role", "list_name")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        on_delete=models.CASCADE,
        related_name="candidate",
    )
    first_name = models.CharField(_("prénom"), max_length=100, validators=[single_line_validator])
    last_name = models.CharField(_("nom"), max_length=100, validators=[single_line_validator])
    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="candidates"
    )
    secteur = models.ForeignKey(
        Secteur,
        verbose_name=_("secteur"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="candidates",
        help_text=_("À Paris, Lyon et Marseille, les listes se présentent par secteur."),
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    # A head's list name (the list record, pledges.models.lists, is created from it when
    # they sign); a colistier's list as they typed it; an individual candidate's group.
    list_name = models.CharField(
        _("nom de la liste ou du groupe"),
        max_length=200,
        blank=True,
        validators=[single_line_validator],
    )
    ballot_note = models.CharField(
        _("explication du mode de scrutin"),
        max_length=300,
        blank=True,
        validators=[single_line_validator],
        help_text=_(
            "Pourquoi le mode de scrutin choisi n’est pas celui que suggère la population de "
            "la commune (elle n’est qu’une indication avant l’import des candidatures)."
        ),
    )
    political_label = models.CharField(
        _("étiquette politique"), max_length=100, blank=True, validators=[single_line_validator]
    )
    website = models.URLField(
        _("site web"),
        max_length=300,
        blank=True,
        validators=[website_validator, single_line_validator],
    )
    statement = models.TextField(
        _("déclaration publique"),
        blank=True,
        validators=[MaxLengthValidator(STATEMENT_MAX_LENGTH), multiline_validator],
        help_text=_("Texte brut, 600 caractères au plus."),
    )
    # The label and the statement may reveal political opinions (RGPD, article 9): stored
    # only with the explicit consent ticked beside them in « Ma candidature », whose text
    # and date are kept here (candidates.services.OPINIONS_CONSENT); emptied with them.
    opinions_consent_text = models.TextField(
        _("consentement pour l’étiquette et la déclaration (texte)"),
        blank=True,
        editable=False,
    )
    opinions_consent_at = models.DateTimeField(
        _("consentement pour l’étiquette et la déclaration (date)"),
        null=True,
        blank=True,
        editable=False,
    )
    phone = models.CharField(
        _("téléphone (privé)"),
        max_length=30,
        blank=True,
        validators=[single_line_validator],
        help_text=_("Jamais publié : l’équipe Coorace s’en sert pour vérifier la candidature."),
    )
    # Compared with the official roster (pledges.roster.matching); staff confirm or correct.
    official_candidate = models.ForeignKey(
        "candidates.OfficialCandidate",
        verbose_name=_("candidature officielle"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="site_candidates",
    )
    roster_match = models.CharField(
        _("comparaison avec les candidatures officielles"),
        max_length=12,
        choices=RosterMatch.choices,
        default=RosterMatch.UNCHECKED,
        blank=True,
    )
    roster_checked_at = models.DateTimeField(_("vérifiée par l’équipe le"), null=True, blank=True)
    roster_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vérifiée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Elected (import_elus, pledges.outcomes): the RNE's councillor this signatory is, found by
    # commune and name (and list), confirmed by staff when ambiguous.
    elected_councillor = models.ForeignKey(
        ElectedCouncillor,
        verbose_name=_("élu·e (répertoire national des élus)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="signatories",
    )
    elected_match = models.CharField(
        _("comparaison avec les élu·es"),
        max_length=12,
        choices=RosterMatch.choices,
        default=RosterMatch.UNCHECKED,
        blank=True,
    )
    elected_checked_at = models.DateTimeField(
        _("élu·e vérifié·e par l’équipe le"), null=True, blank=True
    )
    elected_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("élu·e vérifié·e par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    search_key = models.CharField(
        _("clé de recherche"),
        max_length=SEARCH_KEY_MAX_LENGTH,
        db_index=True,
        editable=False,
        help_text=_("Prénom et nom (dans les deux ordres) et liste, sans accents ni espaces."),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("candidat·e")
        verbose_name_plural = _("candidat·es")
        ordering = ["last_name", "first_name"]
        # Counting signatures by place joins every candidate to its commune: from this index
        # alone, not from the wide rows.
        indexes = [models.Index(fields=["id", "commune"], name="candidate_commune")]
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

    def save(self, *args, **kwargs):
        self.search_key = candidate_search_key(
            first_name=self.first_name, last_name=self.last_name, list_name=self.list_name
        )
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and SEARCH_KEY_SOURCES & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_key"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def stands_on_a_list(self) -> bool:
        return self.role in self.LIST_ROLES


def candidate_search_key(*, first_name: str, last_name: str, list_name: str) -> str:
    """What a signatory search is matched against, space-separated parts of a-z0-9 text.

    « Camille Martin », « Martin Camille » and the list name are each normalised like a
    commune name (communes.search.normalize_name), so a query matches within one part:
    « martin camille » finds her, « camille ensemble » finds nothing.
    """
    parts = [
        normalize_name(f"{first_name} {last_name}"),
        normalize_name(f"{last_name} {first_name}"),
        normalize_name(list_name),
    ]
    return " ".join(part for part in parts if part)[:SEARCH_KEY_MAX_LENGTH]


class CorrectionRequest(models.Model):
    """A signatory asks staff to correct a locked field (name, commune, role, list)."""

    candidate = models.ForeignKey(
        Candidate,
        verbose_name=_("candidat·e"),
        on_delete=models.CASCADE,
        related_name="correction_requests",
    )
    message = models.TextField(_("message"), max_length=2000, validators=[multiline_validator])
    created_at = models.DateTimeField(_("envoyée le"), auto_now_add=True)
    handled_at = models.DateTimeField(_("traitée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("demande de correction")
        verbose_name_plural = _("demandes de correction")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.candidate} — {self.created_at:%d/%m/%Y}"
