"""What a signature in the moderation queue is, and what it needs from staff.

Three kinds of signature: a list's (its head signed for it: staff verify the list once, its
existence and its head), a colistier's commitments in their own name (« à titre
personnel », beyond what their list signed), an individual candidate's (small communes).
`with_needs` adds to the queue's queryset what the column and the detail page read, as
subqueries of the page's one SELECT (a constant number of queries per page); `kind_of` and
`needs_of` turn a row into French sentences.
"""

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from candidates.models import Candidate, RosterMatch
from pledges.models import ListClaim, ListMembership, Signature
from pledges.moderation.ballot import contradicts_the_files, what_the_files_say

Status = Signature.Status
Membership = ListMembership.Status

LIST = "list"
PERSONAL = "personal"
INDIVIDUAL = "individual"


def _count(queryset, field: str):
    return Coalesce(
        Subquery(
            queryset.order_by().values(field).annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def members_count(list_ref: str = "electoral_list_id"):
    """Confirmed colistiers of the list `list_ref` names (the head not counted)."""
    return _count(
        ListMembership.objects.filter(
            electoral_list=OuterRef(list_ref), status=Membership.CONFIRMED
        ),
        "electoral_list",
    )


def with_needs(queryset):
    """The queue's rows, with what kind_of and needs_of read."""
    active = ListMembership.objects.filter(
        candidate=OuterRef("candidate_id"), status__in=ListMembership.ACTIVE
    )

    def membership(field):
        return Subquery(active.values(field)[:1])

    return queryset.select_related(
        "electoral_list__commune", "electoral_list__secteur", "electoral_list__head"
    ).annotate(
        list_members=members_count(),
        list_open_claims=_count(
            ListClaim.objects.filter(
                electoral_list=OuterRef("electoral_list_id"), settled_at__isnull=True
            ),
            "electoral_list",
        ),
        member_status=membership("status"),
        member_list_name=membership("electoral_list__name"),
        member_list_approved=Exists(
            active.filter(
                Q(electoral_list__signature__status=Status.APPROVED),
            )
        ),
    )


def kind_of(signature: Signature) -> str:
    if signature.electoral_list_id:
        return LIST
    if signature.candidate.role == Candidate.Role.INDIVIDUAL:
        return INDIVIDUAL
    return PERSONAL


def describe(signature: Signature) -> str:
    """One line: « Liste « X » — Marseille, 1er secteur — 3 colistier·es », « À titre
    personnel — colistier·e de « X » », « Candidature individuelle »."""
    kind = kind_of(signature)
    if kind == LIST:
        electoral_list = signature.electoral_list
        members = getattr(signature, "list_members", None)
        if members is None:
            members = electoral_list.memberships.filter(status=Membership.CONFIRMED).count()
        return _("Liste « %(name)s » — %(place)s — %(members)s") % {
            "name": electoral_list.name,
            "place": electoral_list.place,
            "members": ngettext("%(count)d colistier·e", "%(count)d colistier·es", members)
            % {"count": members},
        }
    if kind == INDIVIDUAL:
        group = signature.candidate.list_name
        if group:
            return _("Candidature individuelle — groupe « %(name)s »") % {"name": group}
        return _("Candidature individuelle")
    name = _member_list_name(signature)
    if name:
        return _("À titre personnel — colistier·e de « %(name)s »") % {"name": name}
    if signature.candidate.role == Candidate.Role.HEAD_OF_LIST:
        return _("Tête de liste, sans liste enregistrée")
    return _("À titre personnel — colistier·e sans liste")


def _member_list_name(signature):
    if hasattr(signature, "member_list_name"):
        return signature.member_list_name
    membership = _active(signature)
    return membership.electoral_list.name if membership else None


def _active(signature):
    return (
        ListMembership.objects.filter(
            candidate=signature.candidate_id, status__in=ListMembership.ACTIVE
        )
        .select_related("electoral_list")
        .first()
    )


def _member_facts(signature) -> tuple[str | None, bool]:
    if hasattr(signature, "member_status"):
        return signature.member_status, signature.member_list_approved
    membership = _active(signature)
    if membership is None:
        return None, False
    approved = Signature.objects.filter(
        electoral_list=membership.electoral_list_id, status=Status.APPROVED
    ).exists()
    return membership.status, approved


def needs_of(signature: Signature) -> list[str]:
    """What staff have to check before deciding; nothing once it is decided."""
    if signature.status not in Signature.EDITABLE_STATUSES:
        return []
    candidate = signature.candidate
    needs = []
    kind = kind_of(signature)
    if kind == LIST:
        electoral_list = signature.electoral_list
        needs.append(_("liste à vérifier : existence et tête de liste"))
        claims = getattr(signature, "list_open_claims", None)
        if claims is None:
            claims = electoral_list.claims.filter(settled_at__isnull=True).count()
        if claims:
            needs.append(
                ngettext(
                    "même liste revendiquée deux fois : %(count)d revendication à trancher "
                    "d’abord (fiche de la liste)",
                    "même liste revendiquée deux fois : %(count)d revendications à trancher "
                    "d’abord (fiche de la liste)",
                    claims,
                )
                % {"count": claims}
            )
        if electoral_list.review_note:
            needs.append(
                _("à vérifier : %(note)s") % {"note": electoral_list.review_note.splitlines()[0]}
            )
    elif kind == INDIVIDUAL:
        needs.append(_("candidature individuelle : la personne et sa commune"))
    else:
        status, approved = _member_facts(signature)
        if status == Membership.CONFIRMED and approved:
            needs.append(_("engagements à titre personnel d’un·e colistier·e de liste validée"))
        elif status == Membership.CONFIRMED:
            needs.append(
                _(
                    "engagements à titre personnel d’un·e colistier·e : sa liste n’est pas "
                    "encore validée"
                )
            )
        elif status == Membership.REQUESTED:
            needs.append(
                _(
                    "engagements à titre personnel d’un·e colistier·e : son adhésion à la "
                    "liste n’est pas encore confirmée"
                )
            )
        elif candidate.role == Candidate.Role.HEAD_OF_LIST:
            needs.append(_("tête de liste sans liste enregistrée : à vérifier"))
        else:
            needs.append(_("colistier·e qui n’est sur aucune liste : à vérifier"))
    needs += roster_needs(signature)
    if contradicts_the_files(candidate):
        need = _("mode de scrutin contraire aux candidatures officielles : %(files)s") % {
            "files": what_the_files_say(candidate)
        }
        if candidate.ballot_note:
            need += f" — « {candidate.ballot_note} »"
        needs.append(need)
    elif candidate.ballot_note and candidate.commune.votes_by_list is None:
        needs.append(
            _("mode de scrutin contraire à l’indication : « %(note)s »")
            % {"note": candidate.ballot_note}
        )
    return needs


def roster_needs(signature: Signature) -> list[str]:
    """What the comparison with the official roster leaves to staff (pledges.roster.matching):
    several possible records, or none; nothing once staff have checked it."""
    row = signature.electoral_list if signature.electoral_list_id else signature.candidate
    if row.roster_checked_at is not None:
        return []
    lists = signature.electoral_list_id is not None
    if row.roster_match == RosterMatch.AMBIGUOUS:
        return [
            _("listes officielles : plusieurs correspondent, choisissez la bonne")
            if lists
            else _("candidatures officielles : plusieurs correspondent, choisissez la bonne")
        ]
    if row.roster_match == RosterMatch.NOT_FOUND:
        return [
            _("introuvable sur les listes officielles")
            if lists
            else _("introuvable sur les candidatures officielles")
        ]
    return []
