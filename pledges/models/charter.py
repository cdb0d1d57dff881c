"""The charter: a campaign, its numbered proposals, their « Je m’engage à … » commitments."""

from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.signals import request_started
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class SigningOverride(models.TextChoices):
    AUTO = "auto", _("selon les dates des tours")
    OPEN = "open", _("ouvertes (décision de l’équipe)")
    CLOSED = "closed", _("fermées (décision de l’équipe)")


# The current campaign as last read in this request (reset when a request starts), so
# that every page's banner (pledges.directory.context_processors.signing_rounds) costs no
# query on the pages that read the campaign anyway.
_request_campaign: ContextVar = ContextVar("request_campaign", default=None)


def forget_request_campaign(**kwargs) -> None:
    _request_campaign.set(None)


def request_campaign():
    """The current campaign, read once per request."""
    remembered = _request_campaign.get()
    if remembered is not None:
        return remembered[0]
    return Campaign.objects.current()


request_started.connect(forget_request_campaign, dispatch_uid="pledges.request_campaign")

BANNER_FIELDS = (
    "is_current",
    "first_round_polls_open_at",
    "second_round_polls_open_at",
    "signing_override",
)


def _remember_current(sender, instance, **kwargs) -> None:
    """A current campaign loaded with its dates (select_related too) is the one to show."""
    loaded = instance.__dict__
    if loaded.get("is_current") and all(name in loaded for name in BANNER_FIELDS):
        _request_campaign.set((instance,))


class CampaignQuerySet(models.QuerySet):
    def current(self):
        """The campaign the site shows (the most recent one marked current)."""
        campaign = self.filter(is_current=True).order_by("-first_round_date").first()
        _request_campaign.set((campaign,))
        return campaign


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
    # The rounds drive signing (pledges.signing.rounds): open until round 1's polls open,
    # then only for round-2 lists, closed from round 2's. None: no date known (open).
    first_round_polls_open_at = models.DateTimeField(
        _("ouverture des bureaux de vote du premier tour"),
        null=True,
        blank=True,
        help_text=_("Par ex. 15/03/2020 08:00 : les signatures ferment à cette heure."),
    )
    second_round_polls_open_at = models.DateTimeField(
        _("ouverture des bureaux de vote du second tour"),
        null=True,
        blank=True,
        help_text=_(
            "Par ex. 28/06/2020 08:00 (reporté du 22 mars) : jusque-là, seules les listes "
            "présentes au second tour peuvent signer."
        ),
    )
    # The staff's decision, dated and audited (pledges.signing.rounds.override_signing).
    signing_override = models.CharField(
        _("signatures"),
        max_length=10,
        choices=SigningOverride.choices,
        default=SigningOverride.AUTO,
    )
    signing_override_at = models.DateTimeField(_("décision du"), null=True, blank=True)
    signing_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décision de"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    signing_override_note = models.TextField(_("motif de la décision"), blank=True)

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
                condition=models.Q(second_round_polls_open_at__isnull=True)
                | models.Q(first_round_polls_open_at__lt=models.F("second_round_polls_open_at")),
                name="second_round_polls_after_first",
                violation_error_message=_(
                    "Le second tour doit suivre le premier tour (et le premier tour être daté)."
                ),
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

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        forget_request_campaign()

    @property
    def signing_open(self) -> bool:
        """Someone may still sign now (between the rounds, only round-2 lists)."""
        from pledges.signing.rounds import Phase, signing_phase

        return signing_phase(self) != Phase.CLOSED

    @property
    def introduction_paragraphs(self) -> list[str]:
        return [p.strip() for p in self.introduction.split("\n\n") if p.strip()]


models.signals.post_init.connect(
    _remember_current, sender=Campaign, dispatch_uid="pledges.remember_current_campaign"
)


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
        return self.pk is not None and self.signed_commitments.exists()

    @property
    def code(self) -> str:
        """« 1.2 »: the proposal's number, then the commitment's position in it."""
        return f"{self.proposal.number}.{self.position}"
