from django.db import models
from django.db.models import Case, IntegerField, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from communes import grammar
from communes.search import normalize_name, normalize_postal_query

_TNCC_HELP = _(
    "Type de nom en clair de l’INSEE : l’article du nom et sa forme après « de » "
    "(communes/data/README.md)."
)


class Region(models.Model):
    code = models.CharField(_("code INSEE"), max_length=3, primary_key=True)
    name = models.CharField(_("nom"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100)
    # The names in French order on any database (« Île-de-France » among the I).
    sort_key = models.CharField(_("clé de tri"), max_length=100, editable=False, default="")

    class Meta:
        verbose_name = _("région")
        verbose_name_plural = _("régions")
        ordering = ["sort_key", "name"]

    def __str__(self):
        return self.name

    @property
    def phrase_dans(self) -> str:
        """« en Bretagne », « dans le Grand Est », « à La Réunion »."""
        return grammar.region_phrases(self.code, self.name)[0]

    @property
    def phrase_de(self) -> str:
        """« de Bretagne », « du Grand Est », « d’Île-de-France »."""
        return grammar.region_phrases(self.code, self.name)[1]

    @property
    def is_overseas(self) -> bool:
        """Overseas régions (01–06) and the pseudo-régions of the COMs (975, 987, 988)."""
        return len(self.code) == 3 or self.code < "10"


class Departement(models.Model):
    code = models.CharField(_("code INSEE"), max_length=3, primary_key=True)
    name = models.CharField(_("nom"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100)
    region = models.ForeignKey(
        Region, verbose_name=_("région"), on_delete=models.PROTECT, related_name="departements"
    )
    tncc = models.PositiveSmallIntegerField(
        _("article du nom (tncc)"), choices=grammar.Tncc.choices, default=0, help_text=_TNCC_HELP
    )

    class Meta:
        verbose_name = _("département")
        verbose_name_plural = _("départements")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def phrase_de(self) -> str:
        """« du Nord », « de la Gironde », « des Bouches-du-Rhône », « de l’Ain », « de Paris »."""
        return grammar.departement_phrase_de(self.name, self.tncc)

    @property
    def phrase_dans(self) -> str:
        """« dans le Nord », « en Gironde », « dans l’Ain », « à Paris »."""
        return grammar.departement_phrase_dans(self.code, self.name, self.tncc)

    @property
    def phrase_le(self) -> str:
        """« le Nord », « la Gironde », « l’Ain », « Paris »."""
        return grammar.departement_phrase_le(self.name, self.tncc)


class CommuneQuerySet(models.QuerySet):
    def electing(self):
        """Communes that elect a municipal council (not the six « morts pour la France »)."""
        return self.filter(elects_council=True)

    def search(self, query: str):
        """Communes matching `query` by name or postal code, best matches first.

        Name matching ignores case, accents, hyphens, apostrophes, spaces and ligatures,
        and reads « St »/« Ste » as « Saint »/« Sainte ». Order: exact name (or postal
        code), then names (or postal codes) starting with the query, then names
        containing it; ties go to the most populated commune. The same SQL runs on
        SQLite and PostgreSQL since it only compares normalised ASCII strings.
        """
        postal_prefix = normalize_postal_query(query)
        if postal_prefix is not None:
            return self._search_postal_code(postal_prefix)
        key = normalize_name(query)
        if len(key) < 2:
            return self.none()
        return (
            self.filter(search_key__contains=key)
            .annotate(
                match_rank=Case(
                    When(search_key=key, then=Value(0)),
                    When(search_key__startswith=key, then=Value(1)),
                    default=Value(2),
                    output_field=IntegerField(),
                )
            )
            .order_by("match_rank", models.F("population").desc(nulls_last=True), "name")
        )

    def _search_postal_code(self, prefix: str):
        # A range on the indexed code column finds every code starting with the prefix.
        codes = PostalCode.objects.filter(code__gte=prefix, code__lt=prefix + "~")
        exact = PostalCode.objects.filter(commune=models.OuterRef("pk"), code=prefix)
        return (
            self.filter(pk__in=codes.values("commune_id"))
            .annotate(
                match_rank=Case(
                    When(models.Exists(exact), then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
            .order_by("match_rank", models.F("population").desc(nulls_last=True), "name")
        )


# Communes of 1,000 inhabitants or more vote for lists (scrutin de liste).
LIST_BALLOT_POPULATION = 1000
# Paris, Marseille, Lyon: their lists stand per secteur (communes/data/secteurs-2020.csv).
SECTOR_CITIES = frozenset({"75056", "13055", "69123"})


class Commune(models.Model):
    insee_code = models.CharField(_("code INSEE"), max_length=5, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100)
    departement = models.ForeignKey(
        Departement,
        verbose_name=_("département"),
        on_delete=models.PROTECT,
        related_name="communes",
    )
    postal_codes = models.CharField(
        _("codes postaux"),
        max_length=300,
        blank=True,
        help_text=_("Séparés par des espaces, tels que publiés par La Poste."),
    )
    population = models.PositiveIntegerField(_("population municipale"), null=True, blank=True)
    elects_council = models.BooleanField(
        _("élit un conseil municipal"),
        default=True,
        help_text=_(
            "Faux pour les six villages de la Meuse « morts pour la France », "
            "administrés par une commission nommée par le préfet."
        ),
    )
    search_key = models.CharField(
        _("clé de recherche"), max_length=100, db_index=True, editable=False
    )
    tncc = models.PositiveSmallIntegerField(
        _("article du nom (tncc)"), choices=grammar.Tncc.choices, default=0, help_text=_TNCC_HELP
    )
    # Set by the import of the official candidatures (candidates.official): True when lists
    # stand there, False when individual candidates do; None until a round's files are in.
    votes_by_list = models.BooleanField(
        _("scrutin de liste (d’après les candidatures officielles)"), null=True, blank=True
    )

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name", "insee_code"]

    def __str__(self):
        return f"{self.name} ({self.departement_id})"

    def get_absolute_url(self):
        return reverse("pledges:commune", kwargs={"insee_code": self.insee_code})

    @property
    def phrase_de(self) -> str:
        """« de Paris », « d’Évry », « du Mans », « des Lilas », « de La Rochelle »."""
        return grammar.commune_phrase_de(self.name, self.tncc)

    @property
    def phrase_dans(self) -> str:
        """« à Paris », « au Mans », « aux Lilas », « à La Rochelle »."""
        return grammar.commune_phrase_a(self.name, self.tncc)

    @property
    def votes_by_secteur(self) -> bool:
        """Paris, Lyon and Marseille: lists stand per secteur, not for the whole city."""
        return self.insee_code in SECTOR_CITIES

    @property
    def list_ballot_hint(self) -> bool:
        """Whether the commune votes by list: from the official candidatures once imported,
        else a hint (1,000 inhabitants or more).

        The shipped populations are not those in force in March 2020 (see
        communes/data/README.md); the official candidatures decide.
        """
        if self.votes_by_list is not None:
            return self.votes_by_list
        return self.votes_by_secteur or (self.population or 0) >= LIST_BALLOT_POPULATION

    @property
    def postal_code_list(self) -> list[str]:
        return self.postal_codes.split()


class PostalCode(models.Model):
    """One row per (postal code, commune), so that a code prefix is an index range."""

    code = models.CharField(_("code postal"), max_length=5, db_index=True)
    commune = models.ForeignKey(
        Commune,
        verbose_name=_("commune"),
        on_delete=models.CASCADE,
        related_name="postal_code_set",
    )

    class Meta:
        verbose_name = _("code postal")
        verbose_name_plural = _("codes postaux")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "commune"],
                name="unique_postal_code_per_commune",
                violation_error_message=_("Ce code postal est déjà associé à cette commune."),
            )
        ]

    def __str__(self):
        return self.code


class Arrondissement(models.Model):
    """A municipal arrondissement of Paris, Lyon or Marseille.

    Candidates sign in the commune; arrondissements are kept for reference and search.
    """

    insee_code = models.CharField(_("code INSEE"), max_length=5, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    commune = models.ForeignKey(
        Commune,
        verbose_name=_("commune"),
        on_delete=models.CASCADE,
        related_name="arrondissements",
    )
    postal_codes = models.CharField(_("codes postaux"), max_length=100, blank=True)
    population = models.PositiveIntegerField(_("population municipale"), null=True, blank=True)

    class Meta:
        verbose_name = _("arrondissement municipal")
        verbose_name_plural = _("arrondissements municipaux")
        ordering = ["insee_code"]

    def __str__(self):
        return self.name


class Secteur(models.Model):
    """An electoral secteur of Paris, Lyon or Marseille at the 2020 elections."""

    code = models.CharField(
        _("code"), max_length=8, unique=True, help_text=_("Code INSEE de la ville, tiret, numéro.")
    )
    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), on_delete=models.CASCADE, related_name="secteurs"
    )
    number = models.PositiveSmallIntegerField(_("numéro"))
    name = models.CharField(_("nom"), max_length=100)
    arrondissement_codes = models.CharField(
        _("arrondissements"), max_length=100, help_text=_("Codes INSEE, séparés par des espaces.")
    )

    class Meta:
        verbose_name = _("secteur électoral")
        verbose_name_plural = _("secteurs électoraux")
        ordering = ["commune", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "number"],
                name="unique_secteur_number_per_commune",
                violation_error_message=_("Ce secteur existe déjà dans cette commune."),
            )
        ]

    def __str__(self):
        return self.name

    @property
    def phrase_dans(self) -> str:
        """« à Paris 5e arrondissement », « à Marseille 1er secteur (…) »."""
        return "à " + self.name

    @staticmethod
    def code_for(insee_code: str, number: int) -> str:
        return f"{insee_code}-{number:02d}"
