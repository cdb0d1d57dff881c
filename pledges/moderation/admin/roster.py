"""The signature's match with the official roster, on its admin page, and staff's decisions.

`roster_panel` is what the page's block (admin/pledges/signature/_roster_match.html) shows:
the official list found (panel, name, head, nuance, number of candidates) or candidate, the
several possible ones, or « introuvable »; and what staff may choose instead (every official
list of the commune and secteur; for a person, the candidates of their list's official
list, or the commune's individual candidates). `roster_view` takes the block's forms
(POST, …/<id>/listes-officielles/) and calls pledges.roster.decisions.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from candidates.models import Candidate, OfficialCandidate, OfficialList, RosterMatch
from candidates.official.models import RosterKind
from pledges.models import ElectoralList, Signature
from pledges.moderation.admin.decisions import panel_decision_view
from pledges.roster.decisions import compare_again, confirm_match, mark_not_found
from pledges.roster.matching import official_candidates_for, official_lists_for

Match = RosterMatch
# At most this many records offered to choose from (a Paris secteur has hundreds of
# candidates; the lists' are few).
MAX_CHOICES = 200


@dataclass
class RosterPanel:
    is_list: bool
    row: object  # the ElectoralList, or the Candidate
    official: object | None
    possibilities: list = field(default_factory=list)
    choices: list = field(default_factory=list)
    head: Candidate | None = None  # a list's head, with their own match
    files_in: bool = False

    @property
    def checked(self) -> bool:
        return self.row.roster_checked_at is not None

    @property
    def settled(self) -> bool:
        """Decided by staff, or confirmed by the head signing through the list's letter."""
        return self.checked or self.row.roster_match == Match.CONFIRMED

    @property
    def can_confirm(self) -> bool:
        return self.official is not None and self.row.roster_match == Match.FOUND


def _standing_lists(row):
    return (
        OfficialList.objects.standing()
        .filter(commune_id=row.commune_id, secteur_id=row.secteur_id)
        .order_by("-tour", "panel_number")[:MAX_CHOICES]
    )


def _candidate_choices(candidate: Candidate, possibilities: list) -> list:
    official = OfficialCandidate.objects.standing().select_related("official_list")
    if candidate.role == Candidate.Role.INDIVIDUAL:
        rows = official.filter(commune_id=candidate.commune_id, kind=RosterKind.INDIVIDUALS)
    else:
        # The candidates of their list's official list (headed or joined), if it has one.
        list_ids = {oc.official_list_id for oc in possibilities if oc.official_list_id}
        list_ids |= set(
            candidate.headed_lists.filter(official_list__isnull=False).values_list(
                "official_list_id", flat=True
            )
        )
        list_ids |= set(
            candidate.list_memberships.filter(
                status__in=("requested", "confirmed"), electoral_list__official_list__isnull=False
            ).values_list("electoral_list__official_list_id", flat=True)
        )
        rows = official.filter(official_list_id__in=list_ids)
    rows = list(rows.order_by("-tour", "panel_number", "number")[:MAX_CHOICES])
    return rows + [oc for oc in possibilities if oc not in rows]


def roster_panel(signature: Signature) -> RosterPanel:
    candidate = Candidate.objects.select_related(
        "commune", "secteur", "official_candidate__official_list", "roster_checked_by"
    ).get(pk=signature.candidate_id)
    files_in = candidate.commune.votes_by_list is not None
    if signature.electoral_list_id is not None:
        electoral_list = ElectoralList.objects.select_related(
            "commune", "secteur", "head", "official_list", "roster_checked_by"
        ).get(pk=signature.electoral_list_id)
        possibilities = (
            official_lists_for(electoral_list)
            if electoral_list.roster_match == Match.AMBIGUOUS
            else []
        )
        return RosterPanel(
            is_list=True,
            row=electoral_list,
            official=electoral_list.official_list,
            possibilities=possibilities,
            choices=list(_standing_lists(electoral_list)) if files_in else [],
            head=candidate if electoral_list.head_id == candidate.pk else electoral_list.head,
            files_in=files_in,
        )
    possibilities = (
        official_candidates_for(candidate) if candidate.roster_match == Match.AMBIGUOUS else []
    )
    if possibilities:
        by_pk = {
            oc.pk: oc
            for oc in OfficialCandidate.objects.select_related("official_list").filter(
                pk__in=[oc.pk for oc in possibilities]
            )
        }
        possibilities = [by_pk[oc.pk] for oc in possibilities]
    return RosterPanel(
        is_list=False,
        row=candidate,
        official=candidate.official_candidate,
        possibilities=possibilities,
        choices=_candidate_choices(candidate, possibilities) if files_in else [],
        files_in=files_in,
    )


def _chosen(signature: Signature, value: str):
    model = OfficialList if signature.electoral_list_id else OfficialCandidate
    if not value.isdigit() or len(value) > 18:
        raise ValidationError(_("Choisissez une candidature officielle dans la liste."))
    official = model.objects.filter(pk=int(value)).first()
    if official is None:
        raise ValidationError(
            _(
                "Cette candidature officielle n’existe plus : rechargez la page et "
                "choisissez-en une autre."
            )
        )
    return official


def _roster_decision(signature: Signature, decision: str, post, who: dict) -> str:
    if decision == "confirmer":
        row = confirm_match(
            signature=signature, official=_chosen(signature, post.get("official", "")), **who
        )
        return _("Correspondance confirmée : %(official)s.") % {
            "official": row.official_list if signature.electoral_list_id else row.official_candidate
        }
    if decision == "introuvable":
        mark_not_found(signature=signature, **who)
        return (
            _("Liste marquée « introuvable sur les listes officielles ».")
            if signature.electoral_list_id
            else _("Candidature marquée « introuvable sur les candidatures officielles ».")
        )
    if decision == "recomparer":
        row = compare_again(signature=signature, **who)
        return _("Comparée à nouveau : %(match)s.") % {"match": row.get_roster_match_display()}
    raise ValidationError(_("Cette décision n’existe pas : choisissez un des boutons."))


def roster_view(model_admin, request, pledge_id: int):
    return panel_decision_view(model_admin, request, pledge_id, _roster_decision)
