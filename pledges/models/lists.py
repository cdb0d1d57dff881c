"""Lists: what voters choose in communes of 1,000 inhabitants or more.

A list stands in a commune (in Paris, Lyon and Marseille, in a secteur), led by its tête
de liste. The head signs for the list (the list's one Signature, `Signature.electoral_list`);
colistiers join it (ListMembership), confirmed by the head or by staff. A second person
claiming to head a list that has one is stopped, and the claim is kept for staff (ListClaim).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from candidates.models import Candidate, ListOutcome, OfficialList, RosterMatch
from candidates.validators import single_line_validator
from communes.models import Commune, Secteur
from communes.search import normalize_name
from pledges.models.charter import Campaign


def new_invitation_token() -> str:
    return secrets.token_urlsafe(18)


def list_name_key(name: str) -> str:
    """A list's name without case, accents, spaces or punctuation: what « the same name » is."""
    return normalize_name(name).replace(" ", "")


class ElectoralListQuerySet(models.QuerySet):
    def public(self):
        """Lists whose signature is public (approved, or approved then withdrawn)."""
        from pledges.models.signatures import Signature

        return self.filter(
            Q(signature__status=Signature.Status.APPROVED)
            | Q(signature__status=Signature.Status.WITHDRAWN, signature__approved_at__isnull=False)
        )

    def same_name(self, *, campaign, commune, secteur, name: str):
        """The list of this name in this commune (or secteur), if there is one."""
        return self.filter(
            campaign=campaign, commune=commune, secteur=secteur, name_key=list_name_key(name)
        )


class ElectoralList(models.Model):
    """A list standing in a commune, or in a secteur of Paris, Lyon or Marseille."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campagne"), on_delete=models.PROTECT, related_name="lists"
    )
    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="lists"
    )
    secteur = models.ForeignKey(
        Secteur,
        verbose_name=_("secteur"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lists",
    )
    name = models.CharField(_("nom"), max_length=200, validators=[single_line_validator])
    name_key = models.CharField(
        _("nom normalisé"),
        max_length=200,
        editable=False,
        help_text=_("Sans majuscules, accents, espaces ni ponctuation : unique par commune."),
    )
    short_name = models.CharField(
        _("nom court"), max_length=60, blank=True, validators=[single_line_validator]
    )
    head = models.ForeignKey(
        Candidate,
        verbose_name=_("tête de liste"),
        # An erased account leaves its list without a head, flagged for staff.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_lists",
    )
    political_label = models.CharField(
        _("étiquette politique"), max_length=100, blank=True, validators=[single_line_validator]
    )
    website = models.URLField(_("site web"), max_length=300, blank=True)
    # Filled by the import of the official candidatures (Ministry of the Interior).
    panel_number = models.PositiveSmallIntegerField(_("n° de panneau"), null=True, blank=True)
    nuance = models.CharField(_("nuance"), max_length=10, blank=True)
    # Its record on the official roster (pledges.roster.matching), confirmed or corrected by
    # staff; the one of the latest round it was matched in.
    official_list = models.ForeignKey(
        OfficialList,
        verbose_name=_("liste officielle"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="site_lists",
    )
    roster_match = models.CharField(
        _("comparaison avec les listes officielles"),
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
    # After the vote (pledges.outcomes): from its official list's outcome, or set by staff.
    outcome = models.CharField(
        _("résultat"), max_length=12, choices=ListOutcome.choices, default="", blank=True
    )
    outcome_at = models.DateTimeField(_("résultat connu le"), null=True, blank=True)
    outcome_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("résultat fixé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Vide quand le résultat vient du fichier des élu·es."),
    )
    invitation_token = models.CharField(
        _("jeton d’invitation"), max_length=32, unique=True, default=new_invitation_token
    )
    joins_need_staff = models.BooleanField(
        _("adhésions vérifiées par l’équipe"),
        default=False,
        help_text=_(
            "Par défaut, la tête de liste confirme seule ses colistier·es une fois la liste "
            "validée ; cochez pour que l’équipe Coorace confirme aussi chaque adhésion."
        ),
    )
    review_note = models.TextField(
        _("à vérifier par l’équipe"),
        blank=True,
        help_text=_("Vide si rien n’est à vérifier (deux têtes, pas de tête, liste reprise…)."),
    )
    created_at = models.DateTimeField(_("créée le"))

    objects = ElectoralListQuerySet.as_manager()

    class Meta:
        verbose_name = _("liste")
        verbose_name_plural = _("listes")
        ordering = ["commune__name", "secteur__number", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "commune", "name_key"],
                condition=Q(secteur__isnull=True),
                name="one_list_name_per_commune",
                violation_error_message=_("Une liste de ce nom existe déjà dans cette commune."),
            ),
            models.UniqueConstraint(
                fields=["campaign", "secteur", "name_key"],
                condition=Q(secteur__isnull=False),
                name="one_list_name_per_secteur",
                violation_error_message=_("Une liste de ce nom existe déjà dans ce secteur."),
            ),
            models.CheckConstraint(
                condition=~Q(name_key=""),
                name="list_has_a_name",
                violation_error_message=_("Une liste a un nom."),
            ),
        ]
        indexes = [models.Index(fields=["commune", "name_key"], name="list_commune_name")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = list_name_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("pledges:list", kwargs={"pk": self.pk})

    @property
    def place(self) -> str:
        """« Marseille, 1er secteur », or the commune's name."""
        if self.secteur_id:
            return f"{self.commune.name}, {self.secteur.name}"
        return self.commune.name


class ListMembership(models.Model):
    """A colistier's place on a list: asked, then confirmed or refused; left or removed, dated."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("demande en attente")
        CONFIRMED = "confirmed", _("membre")
        REFUSED = "refused", _("demande refusée")
        LEFT = "left", _("a quitté la liste")
        REMOVED = "removed", _("retiré·e de la liste")

    ACTIVE = (Status.REQUESTED, Status.CONFIRMED)

    electoral_list = models.ForeignKey(
        ElectoralList,
        verbose_name=_("liste"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    candidate = models.ForeignKey(
        Candidate,
        verbose_name=_("colistier·e"),
        on_delete=models.CASCADE,
        related_name="list_memberships",
    )
    status = models.CharField(
        _("statut"), max_length=12, choices=Status.choices, default=Status.REQUESTED
    )
    via_invitation = models.BooleanField(_("par le lien d’invitation"), default=False)
    consent_publication_text = models.TextField(_("consentement à la publication (texte)"))
    consent_publication_at = models.DateTimeField(_("consentement à la publication (date)"))
    requested_at = models.DateTimeField(_("demandée le"))
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décidée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ended_at = models.DateTimeField(_("terminée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("colistier·e")
        verbose_name_plural = _("colistier·es")
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate"],
                condition=Q(status__in=["requested", "confirmed"]),
                name="one_active_list_per_candidate",
                violation_error_message=_("Vous êtes déjà sur une liste (ou l’avez demandé)."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["requested", "confirmed", "refused", "left", "removed"]),
                name="membership_status_is_known",
                violation_error_message=_("Ce statut d’adhésion n’existe pas."),
            ),
        ]

    def __str__(self):
        return f"{self.candidate} — {self.electoral_list} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class ListClaim(models.Model):
    """Someone claimed to head a list that already had a head: kept for staff to settle."""

    electoral_list = models.ForeignKey(
        ElectoralList, verbose_name=_("liste"), on_delete=models.CASCADE, related_name="claims"
    )
    candidate = models.ForeignKey(
        Candidate,
        verbose_name=_("candidat·e"),
        on_delete=models.CASCADE,
        related_name="list_claims",
    )
    at = models.DateTimeField(_("date"))
    settled_at = models.DateTimeField(_("traitée le"), null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("traitée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("décision"), blank=True)

    class Meta:
        verbose_name = _("revendication de tête de liste")
        verbose_name_plural = _("revendications de tête de liste")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.candidate} revendique {self.electoral_list}"
