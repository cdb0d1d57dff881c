"""The elected on a signature's admin page: the match, the list's outcome, staff's decisions.

`elected_panel` is what the page's block (admin/pledges/signature/_elected.html) shows, once
the commune's results are in (or a decision was taken): the councillor found (name, function,
the list they sat for), the homonyms to choose from, the commune's councillors to correct
with; for a list's signature, its outcome and whether staff set it. `elected_view` takes the
block's forms (POST, …/<id>/elu-e/) and calls pledges.outcomes.decisions, through
pledges.moderation.scope.limit (another région's signature is a 404).
"""

from dataclasses import dataclass, field

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from candidates.models import Candidate, ElectedCouncillor, ElectedImport, ListOutcome, RosterMatch
from candidates.official import admin as official_admin
from pledges.models import ElectoralList, Signature
from pledges.moderation.scope import COMMUNE_REGION, NationalOnlyMixin, ScopedAdminMixin
from pledges.outcomes.decisions import (
    FROM_FILE,
    OUTCOMES_STAFF_SET,
    compare_elected_again,
    confirm_elected,
    mark_not_elected,
    set_list_outcome,
)
from pledges.outcomes.matching import councillors_for, list_outcome_from_file
from pledges.outcomes.queries import ELECTED_OUTCOMES, SURE_MATCHES

MAX_CHOICES = 200


@dataclass
class ElectedPanel:
    candidate: Candidate
    has_results: bool
    possibilities: list = field(default_factory=list)
    choices: list = field(default_factory=list)
    electoral_list: ElectoralList | None = None
    file_outcome: str = ""
    outcomes: list = field(default_factory=list)

    @property
    def checked(self) -> bool:
        return self.candidate.elected_checked_at is not None

    @property
    def can_confirm(self) -> bool:
        return (
            self.candidate.elected_councillor_id is not None
            and self.candidate.elected_match == RosterMatch.FOUND
        )

    @property
    def file_outcome_label(self) -> str:
        return ListOutcome(self.file_outcome).label


def _councillors():
    return ElectedCouncillor.objects.select_related("official_candidate__official_list")


def elected_panel(signature: Signature) -> ElectedPanel | None:
    """The block's content, or None before the commune's results (and any decision)."""
    candidate = Candidate.objects.select_related("elected_checked_by").get(
        pk=signature.candidate_id
    )
    if candidate.elected_councillor_id:
        candidate.elected_councillor = _councillors().get(pk=candidate.elected_councillor_id)
    electoral_list = None
    if signature.electoral_list_id is not None:
        electoral_list = ElectoralList.objects.select_related("outcome_set_by").get(
            pk=signature.electoral_list_id
        )
    sitting = _councillors().sitting().filter(commune_id=candidate.commune_id)
    has_results = sitting.exists()
    decided = candidate.elected_checked_at is not None or (
        electoral_list is not None and electoral_list.outcome_set_by_id is not None
    )
    if not has_results and not decided:
        return None
    possibilities = []
    if candidate.elected_match == RosterMatch.AMBIGUOUS:
        found = {c.pk for c in councillors_for(candidate)}
        possibilities = list(_councillors().filter(pk__in=found))
    return ElectedPanel(
        candidate=candidate,
        has_results=has_results,
        possibilities=possibilities,
        choices=list(sitting.order_by("last_name", "first_name")[:MAX_CHOICES]),
        electoral_list=electoral_list,
        file_outcome=list_outcome_from_file(electoral_list) if electoral_list else "",
        outcomes=[(value, ListOutcome(value).label) for value in OUTCOMES_STAFF_SET],
    )


def _chosen(value: str) -> ElectedCouncillor:
    if not value.isdigit() or len(value) > 18:
        raise ValidationError(_("Choisissez un·e élu·e dans la liste."))
    councillor = ElectedCouncillor.objects.filter(pk=int(value)).first()
    if councillor is None:
        raise ValidationError(
            _("Cet·te élu·e n’existe plus : rechargez la page et choisissez-en un·e autre.")
        )
    return councillor


def _elected_decision(signature: Signature, decision: str, post, who: dict) -> str:
    if decision == "confirmer":
        councillor = _chosen(post.get("councillor", ""))
        confirm_elected(signature=signature, councillor=councillor, **who)
        return _("Élu·e confirmé·e : %(councillor)s.") % {"councillor": councillor}
    if decision == "non-elu":
        mark_not_elected(signature=signature, **who)
        return _("Marqué·e « non élu·e ».")
    if decision == "recomparer":
        candidate = compare_elected_again(signature=signature, **who)
        return _("Comparé·e à nouveau : %(match)s.") % {
            "match": candidate.get_elected_match_display()
        }
    if decision == "resultat":
        outcome = post.get("outcome", "")
        electoral_list = set_list_outcome(signature=signature, outcome=outcome, **who)
        return (
            _("Résultat de la liste rendu au fichier des élu·es : %(outcome)s.")
            if outcome == FROM_FILE
            else _("Résultat de la liste fixé : %(outcome)s.")
        ) % {"outcome": electoral_list.get_outcome_display()}
    raise ValidationError(_("Cette décision n’existe pas : choisissez un des boutons."))


def elected_view(model_admin, request, pledge_id: int):
    # Imported here: the moderation admin's queue imports this module.
    from pledges.moderation.admin.decisions import panel_decision_view

    return panel_decision_view(model_admin, request, pledge_id, _elected_decision)


class ElectedFilter(admin.SimpleListFilter):
    """The queue's « élu·es » filter: who is to be checked (homonyms), elected, or not. An
    unknown value is refused (the queue comes back unfiltered with a message), as the
    queue's other filters do (pledges.moderation.admin.filters.KnownValuesFilter)."""

    title = gettext_lazy("élu·es")
    parameter_name = "elu"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        if self.value() and self.value() not in {code for code, _label in self.lookup_choices}:
            raise IncorrectLookupParameters(f"{self.parameter_name}: not a choice")

    def lookups(self, request, model_admin):
        return [
            ("a-verifier", _("élu·e à vérifier")),
            ("elu", _("élu·e")),
            ("liste-elue", _("liste élue (majorité ou opposition)")),
            ("non-elu", _("non élu·e")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "a-verifier":
            return queryset.filter(
                candidate__elected_match=RosterMatch.AMBIGUOUS,
                candidate__elected_checked_at__isnull=True,
            )
        if value == "elu":
            return queryset.filter(
                candidate__elected_councillor__isnull=False,
                candidate__elected_match__in=SURE_MATCHES,
            )
        if value == "liste-elue":
            return queryset.filter(electoral_list__outcome__in=ELECTED_OUTCOMES)
        if value == "non-elu":
            return queryset.filter(candidate__elected_match=RosterMatch.NOT_FOUND)
        return queryset


# The elected's read-only admins (candidates/official/admin.py), registered again with the
# scope, which candidates cannot import, as pledges/roster/admin.py does for the roster's: a
# regional moderator reads the councillors of their régions (moderators read them to decide);
# an import's report covers every région, so national staff alone read it.
MODERATE = "pledges.moderate_pledge"
admin.site.unregister(ElectedCouncillor)
admin.site.unregister(ElectedImport)


@admin.register(ElectedCouncillor)
class ElectedCouncillorAdmin(ScopedAdminMixin, official_admin.ElectedCouncillorAdmin):
    region_path = COMMUNE_REGION

    def has_module_permission(self, request):
        return request.user.has_perm(MODERATE) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(MODERATE) or super().has_view_permission(request, obj)


@admin.register(ElectedImport)
class ElectedImportAdmin(NationalOnlyMixin, official_admin.ElectedImportAdmin):
    pass
