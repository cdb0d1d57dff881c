"""The moderation queue's filters: waiting time, région, département, possible duplicate,
the match with the official roster, the ballot against the official candidatures."""

from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from candidates.models import RosterMatch
from communes.models import Departement, Region
from pledges.models import Signature, SignatureQuerySet
from pledges.moderation.ballot import against_the_files, against_the_hint
from pledges.moderation.scope import limit

Status = Signature.Status


def overdue_days() -> int:
    return settings.MODERATION_OVERDUE_DAYS


class SelectFilter(admin.SimpleListFilter):
    """A filter shown as a <select> in a GET form, not as a list of a hundred links.

    Works without JavaScript (a « Filtrer » button); static/js/admin-select-filter.js
    submits the form as soon as a value is chosen. The form carries the changelist's other
    parameters (search, other filters, sorting) as hidden fields, except the page number
    and those named in `clears` (a département of another région, say).

    A value that is not one of the list's (a code that does not exist, a NUL byte) is
    refused as Django refuses an unknown lookup: IncorrectLookupParameters, and the queue
    comes back unfiltered with a message (SignatureAdmin.get_changelist_instance).
    """

    template = "admin/pledges/signature/select_filter.html"
    clears: tuple[str, ...] = ()

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        if self.value() and self.value() not in {str(code) for code, _ in self.lookup_choices}:
            raise IncorrectLookupParameters(f"{self.parameter_name}: not a choice")
        dropped = {self.parameter_name, "p", *self.clears}
        self.kept_parameters = [
            (name, value)
            for name, values in request.GET.lists()
            if name not in dropped
            for value in values
        ]

    def choices(self, changelist):
        for choice, (value, _label) in zip(
            super().choices(changelist), [("", None), *self.lookup_choices], strict=True
        ):
            yield {**choice, "value": value}


class RegionFilter(SelectFilter):
    title = gettext_lazy("région")
    parameter_name = "region"
    clears = ("departement", "commune")
    # From the filtered model to its commune.
    commune_path = "candidate__commune"

    def lookups(self, request, model_admin):
        # French order (sort_key); a regional moderator is offered their régions only.
        regions = Region.objects.all()
        if request is not None:
            regions = limit(regions, request.user, "code")
        return list(regions.values_list("code", "name"))

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.commune_path}__departement__region_id": self.value()})
        return queryset


class DepartementFilter(SelectFilter):
    title = gettext_lazy("département")
    parameter_name = "departement"
    clears = ("commune",)
    commune_path = "candidate__commune"

    def lookups(self, request, model_admin):
        departements = limit(Departement.objects.order_by("code"), request.user, "region")
        region = request.GET.get("region")
        if region:
            departements = departements.filter(region_id=region)
        return [
            (code, f"{code} — {name}") for code, name in departements.values_list("code", "name")
        ]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.commune_path}__departement_id": self.value()})
        return queryset


class DuplicateFilter(admin.SimpleListFilter):
    """Signatures with a possible duplicate, of either kind or of one (« même personne deux
    fois », « même liste revendiquée deux fois »), by the rules the column and the detail
    page use (SignatureQuerySet.DUPLICATE_KINDS)."""

    title = gettext_lazy("doublon possible")
    parameter_name = "doublon"
    KINDS = {"personne": "person", "liste": "list"}

    def lookups(self, request, model_admin):
        kinds = SignatureQuerySet.DUPLICATE_KINDS
        return [
            ("oui", _("oui (l’un ou l’autre)")),
            *((code, kinds[kind]) for code, kind in self.KINDS.items()),
            ("non", _("non")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "oui":
            return queryset.possible_duplicates()
        if self.value() in self.KINDS:
            return queryset.possible_duplicates(self.KINDS[self.value()])
        if self.value() == "non":
            return queryset.exclude(pk__in=Signature.objects.possible_duplicates().values("pk"))
        return queryset


class WaitingFilter(admin.SimpleListFilter):
    title = gettext_lazy("attente")
    parameter_name = "attente"

    def lookups(self, request, model_admin):
        return [
            ("1", _("moins d’un jour")),
            ("2", _("de 1 à %(days)d jours") % {"days": overdue_days()}),
            ("retard", _("en retard (plus de %(days)d jours)") % {"days": overdue_days()}),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        waiting = queryset.filter(status=Status.PENDING)
        if self.value() == "1":
            return waiting.filter(submitted_at__gte=now - timedelta(days=1))
        if self.value() == "2":
            return waiting.filter(
                submitted_at__lt=now - timedelta(days=1),
                submitted_at__gte=now - timedelta(days=overdue_days()),
            )
        if self.value() == "retard":
            return waiting.filter(submitted_at__lt=now - timedelta(days=overdue_days()))
        return queryset


class KnownValuesFilter(admin.SimpleListFilter):
    """A filter whose value must be one of its choices, else IncorrectLookupParameters (the
    queue comes back unfiltered with a message), as SelectFilter does."""

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        if self.value() and self.value() not in {str(code) for code, _ in self.lookup_choices}:
            raise IncorrectLookupParameters(f"{self.parameter_name}: not a choice")


class RosterFilter(KnownValuesFilter):
    """How the signature compares with the official roster (pledges.roster.matching): its
    list's match for a list's signature, its candidate's for any other."""

    title = gettext_lazy("listes officielles")
    parameter_name = "officielles"
    CHOICES = {
        "trouvee": RosterMatch.FOUND,
        "ambigue": RosterMatch.AMBIGUOUS,
        "introuvable": RosterMatch.NOT_FOUND,
        "pas-comparee": RosterMatch.UNCHECKED,
        "confirmee": RosterMatch.CONFIRMED,
    }

    def lookups(self, request, model_admin):
        return [
            ("trouvee", _("trouvée")),
            ("ambigue", _("ambiguë (plusieurs possibles)")),
            ("introuvable", _("introuvable")),
            ("pas-comparee", _("pas encore comparée")),
            ("confirmee", _("confirmée par l’équipe")),
        ]

    def queryset(self, request, queryset):
        match = self.CHOICES.get(self.value())
        if match is None:
            return queryset
        return queryset.filter(
            Q(electoral_list__roster_match=match)
            | Q(electoral_list__isnull=True, candidate__roster_match=match)
        )


class OfficialBallotFilter(KnownValuesFilter):
    """Signatures whose role contradicts what the official candidatures say of the commune
    (a list where individual candidates stand, an individual where lists do)."""

    title = gettext_lazy("mode de scrutin")
    parameter_name = "scrutin"

    def lookups(self, request, model_admin):
        return [
            ("fichiers", _("contraire aux candidatures officielles")),
            ("indication", _("contraire à l’indication ou aux candidatures officielles")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "fichiers":
            return queryset.filter(against_the_files("candidate__"))
        if self.value() == "indication":
            return queryset.filter(against_the_hint("candidate__"))
        return queryset
