"""The official roster: every list and candidate standing, per round, as the Ministry publishes it.

Imported by `manage.py import_candidatures` (candidates/official/importer.py). Each row keeps the
key the importer gives it (`row_key`, unique per round) so that a second run of the same file
changes nothing and a newer file of the same round updates, adds and marks what disappeared
(`gone_at`). Nothing here knows about signatures: pledges ties its lists (ElectoralList.
official_list) and candidates (Candidate.official_candidate) to these rows.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from communes.models import Commune, Secteur
from communes.search import normalize_name

# Characters of the short invitation code: no 0/O, 1/l/I, so that a letter can be typed.
INVITATION_CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
INVITATION_CODE_LENGTH = 8


def new_invitation_code() -> str:
    return "".join(secrets.choice(INVITATION_CODE_ALPHABET) for _ in range(INVITATION_CODE_LENGTH))


def person_key(first_name: str, last_name: str) -> str:
    """« prénom nom » without case, accents, spaces or hyphens: what « the same name » is."""
    return normalize_name(f"{first_name} {last_name}").replace(" ", "")


class Tour(models.IntegerChoices):
    FIRST = 1, _("premier tour")
    SECOND = 2, _("second tour")


class RosterKind(models.TextChoices):
    LISTS = "listes", _("Livre des listes et candidats (1 000 habitants et plus)")
    INDIVIDUALS = "plurinominal", _("Livre des candidats, scrutin plurinominal (moins de 1 000)")


class RosterMatch(models.TextChoices):
    """How a signature's list or candidate compares with the official roster."""

    UNCHECKED = "", _("pas encore comparée (candidatures non importées)")
    FOUND = "found", _("trouvée sur les listes officielles")
    AMBIGUOUS = "ambiguous", _("ambiguë (plusieurs correspondances)")
    NOT_FOUND = "not_found", _("introuvable sur les listes officielles")
    CONFIRMED = "confirmed", _("confirmée par l’équipe")


class ListOutcome(models.TextChoices):
    """What a list got from the vote, once the elected are imported (blank before: unknown)."""

    UNKNOWN = "", _("résultats non importés")
    MAJORITY = "majority", _("majorité")
    OPPOSITION = "opposition", _("opposition")
    NOT_ELECTED = "not_elected", _("non élue")


class RosterImport(models.Model):
    """One run of `import_candidatures` (not kept for a --dry-run)."""

    tour = models.PositiveSmallIntegerField(_("tour"), choices=Tour.choices)
    kind = models.CharField(_("fichier"), max_length=12, choices=RosterKind.choices)
    file_name = models.CharField(_("nom du fichier"), max_length=300)
    file_sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    encoding = models.CharField(_("encodage"), max_length=20)
    started_at = models.DateTimeField(_("commencé le"))
    finished_at = models.DateTimeField(_("terminé le"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("importé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rows_read = models.PositiveIntegerField(_("lignes lues"), default=0)
    candidates_added = models.PositiveIntegerField(_("candidat·es ajouté·es"), default=0)
    candidates_updated = models.PositiveIntegerField(_("candidat·es modifié·es"), default=0)
    candidates_gone = models.PositiveIntegerField(_("candidat·es disparu·es"), default=0)
    lists_added = models.PositiveIntegerField(_("listes ajoutées"), default=0)
    lists_updated = models.PositiveIntegerField(_("listes modifiées"), default=0)
    lists_gone = models.PositiveIntegerField(_("listes disparues"), default=0)
    unplaced = models.PositiveIntegerField(_("lignes non placées"), default=0)
    report = models.TextField(
        _("rapport"), blank=True, help_text=_("Les lignes non placées, avec leur numéro.")
    )

    class Meta:
        verbose_name = _("import des candidatures")
        verbose_name_plural = _("imports des candidatures")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.get_kind_display()}, {self.get_tour_display()} ({self.file_name})"


class OfficialListQuerySet(models.QuerySet):
    def standing(self):
        """Lists in the latest file of their round (not gone)."""
        return self.filter(gone_at__isnull=True)


class OfficialList(models.Model):
    """A list as filed at the préfecture: the rows of a commune (or secteur) and panel number."""

    tour = models.PositiveSmallIntegerField(_("tour"), choices=Tour.choices)
    # « 01004|3 »: the place (INSEE code, or Secteur.code « 75056-05 ») and the panel number.
    row_key = models.CharField(_("clé dans le fichier"), max_length=40)
    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="official_lists"
    )
    secteur = models.ForeignKey(
        Secteur,
        verbose_name=_("secteur"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="official_lists",
    )
    panel_number = models.PositiveSmallIntegerField(_("n° de panneau"))
    short_name = models.CharField(_("libellé abrégé"), max_length=200, blank=True)
    name = models.CharField(_("libellé étendu"), max_length=300)
    # Normalized as pledges.models.lists.list_name_key: no case, accents, spaces, punctuation.
    name_key = models.CharField(_("libellé normalisé"), max_length=300, db_index=True)
    short_name_key = models.CharField(_("libellé abrégé normalisé"), max_length=200, blank=True)
    nuance = models.CharField(_("nuance"), max_length=10, blank=True)
    head_first_name = models.CharField(_("prénom de la tête de liste"), max_length=100, blank=True)
    head_last_name = models.CharField(_("nom de la tête de liste"), max_length=100, blank=True)
    # person_key(prénom, nom).
    head_key = models.CharField(_("tête de liste normalisée"), max_length=200, blank=True)
    candidate_count = models.PositiveSmallIntegerField(_("nombre de candidat·es"), default=0)
    # Round 2: the round-1 list it continues (same list, maybe renamed), or the lists it merged.
    continues = models.ForeignKey(
        "self",
        verbose_name=_("continue la liste du premier tour"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="continued_by",
    )
    merged_from = models.ManyToManyField(
        "self",
        verbose_name=_("issue de la fusion de"),
        symmetrical=False,
        blank=True,
        related_name="merged_into",
    )
    # The short code of the invitation letter's link (/l/<code>/).
    invitation_code = models.CharField(
        _("code d’invitation"), max_length=12, unique=True, default=new_invitation_code
    )
    first_import = models.ForeignKey(
        RosterImport, verbose_name=_("premier import"), on_delete=models.PROTECT, related_name="+"
    )
    last_import = models.ForeignKey(
        RosterImport, verbose_name=_("dernier import"), on_delete=models.PROTECT, related_name="+"
    )
    gone_at = models.DateTimeField(_("absente du dernier fichier depuis le"), null=True, blank=True)
    # From the elected (import_elus): majorité if its candidates include the mayor, opposition
    # if some were elected, non élue if none; blank until the commune's results are imported.
    outcome = models.CharField(
        _("résultat"), max_length=12, choices=ListOutcome.choices, default="", blank=True
    )

    objects = OfficialListQuerySet.as_manager()

    class Meta:
        verbose_name = _("liste officielle")
        verbose_name_plural = _("listes officielles")
        ordering = ["commune__name", "secteur__number", "tour", "panel_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["tour", "row_key"],
                name="official_list_once_per_tour",
                violation_error_message=_("Cette liste figure déjà pour ce tour."),
            ),
        ]
        indexes = [models.Index(fields=["commune", "tour"], name="official_list_commune")]

    def __str__(self):
        return f"{self.name} (n° {self.panel_number}, {self.get_tour_display()})"

    @property
    def head_name(self) -> str:
        return f"{self.head_first_name} {self.head_last_name}".strip()


class OfficialCandidateQuerySet(models.QuerySet):
    def standing(self):
        return self.filter(gone_at__isnull=True)


class OfficialCandidate(models.Model):
    """A candidate as filed: on a list (official_list) or standing alone (plurinominal)."""

    tour = models.PositiveSmallIntegerField(_("tour"), choices=Tour.choices)
    kind = models.CharField(_("fichier"), max_length=12, choices=RosterKind.choices)
    # « L|01004|3|12 » (list: place, panel, number) or « P|01001|7 » (plurinominal: commune, panel).
    row_key = models.CharField(_("clé dans le fichier"), max_length=60)
    commune = models.ForeignKey(
        Commune,
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="official_candidates",
    )
    secteur = models.ForeignKey(
        Secteur,
        verbose_name=_("secteur"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="official_candidates",
    )
    official_list = models.ForeignKey(
        OfficialList,
        verbose_name=_("liste officielle"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="candidates",
    )
    panel_number = models.PositiveSmallIntegerField(_("n° de panneau"), null=True, blank=True)
    number = models.PositiveSmallIntegerField(_("n° sur la liste"), null=True, blank=True)
    sex = models.CharField(_("sexe"), max_length=1, blank=True)
    last_name = models.CharField(_("nom"), max_length=100)
    first_name = models.CharField(_("prénom"), max_length=100)
    # person_key(prénom, nom).
    name_key = models.CharField(_("nom normalisé"), max_length=200, db_index=True)
    nationality = models.CharField(_("nationalité"), max_length=10, blank=True)
    communautaire = models.BooleanField(
        _("candidat·e au conseil communautaire"), null=True, blank=True
    )
    last_import = models.ForeignKey(
        RosterImport, verbose_name=_("dernier import"), on_delete=models.PROTECT, related_name="+"
    )
    gone_at = models.DateTimeField(
        _("absent·e du dernier fichier depuis le"), null=True, blank=True
    )

    objects = OfficialCandidateQuerySet.as_manager()

    class Meta:
        verbose_name = _("candidature officielle")
        verbose_name_plural = _("candidatures officielles")
        ordering = ["commune__name", "tour", "panel_number", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["tour", "row_key"],
                name="official_candidate_once_per_tour",
                violation_error_message=_("Cette candidature figure déjà pour ce tour."),
            ),
        ]
        indexes = [models.Index(fields=["commune", "tour"], name="official_candidate_commune")]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def is_head(self) -> bool:
        return self.official_list_id is not None and self.number == 1


class ElectedImport(models.Model):
    """One run of `import_elus` (Répertoire national des élus, conseillers municipaux)."""

    file_name = models.CharField(_("nom du fichier"), max_length=300)
    file_sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    encoding = models.CharField(_("encodage"), max_length=20)
    delimiter = models.CharField(_("séparateur"), max_length=1)
    started_at = models.DateTimeField(_("commencé le"))
    finished_at = models.DateTimeField(_("terminé le"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("importé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rows_read = models.PositiveIntegerField(_("lignes lues"), default=0)
    added = models.PositiveIntegerField(_("élu·es ajouté·es"), default=0)
    updated = models.PositiveIntegerField(_("élu·es modifié·es"), default=0)
    gone = models.PositiveIntegerField(_("élu·es disparu·es"), default=0)
    unplaced = models.PositiveIntegerField(_("lignes non placées"), default=0)
    report = models.TextField(
        _("lignes écartées"),
        blank=True,
        help_text=_("Une ligne par ligne du fichier non importée : son numéro et la raison."),
    )

    class Meta:
        verbose_name = _("import des élu·es")
        verbose_name_plural = _("imports des élu·es")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.file_name} ({self.started_at:%d/%m/%Y %H:%M})"


class ElectedCouncillorQuerySet(models.QuerySet):
    def sitting(self):
        return self.filter(gone_at__isnull=True)


class ElectedCouncillor(models.Model):
    """A conseiller municipal as the RNE lists them, tied to their official candidacy if found."""

    # « 01004|martinCamille|1980-02-03 »: the commune, person_key and birth date.
    row_key = models.CharField(_("clé dans le fichier"), max_length=120, unique=True)
    commune = models.ForeignKey(
        Commune,
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="elected_councillors",
    )
    last_name = models.CharField(_("nom"), max_length=100)
    first_name = models.CharField(_("prénom"), max_length=100)
    # person_key(prénom, nom).
    name_key = models.CharField(_("nom normalisé"), max_length=200, db_index=True)
    sex = models.CharField(_("sexe"), max_length=1, blank=True)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    mandate_start = models.DateField(_("début du mandat"), null=True, blank=True)
    function = models.CharField(_("fonction"), max_length=100, blank=True)
    is_mayor = models.BooleanField(_("maire"), default=False)
    # The candidacy they were elected on (the latest round they stood in), which gives the list.
    official_candidate = models.ForeignKey(
        OfficialCandidate,
        verbose_name=_("candidature officielle"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="elected",
    )
    roster_match = models.CharField(
        _("comparaison avec les candidatures officielles"),
        max_length=12,
        choices=RosterMatch.choices,
        default=RosterMatch.UNCHECKED,
        blank=True,
    )
    first_import = models.ForeignKey(
        ElectedImport, verbose_name=_("premier import"), on_delete=models.PROTECT, related_name="+"
    )
    last_import = models.ForeignKey(
        ElectedImport, verbose_name=_("dernier import"), on_delete=models.PROTECT, related_name="+"
    )
    gone_at = models.DateTimeField(
        _("absent·e du dernier fichier depuis le"), null=True, blank=True
    )

    objects = ElectedCouncillorQuerySet.as_manager()

    class Meta:
        verbose_name = _("élu·e municipal·e")
        verbose_name_plural = _("élu·es municipaux·ales")
        ordering = ["commune__name", "last_name", "first_name"]
        indexes = [models.Index(fields=["commune", "name_key"], name="elected_commune_name")]

    def __str__(self):
        return f"{self.first_name} {self.last_name} ({self.function or _('conseiller·e')})"
