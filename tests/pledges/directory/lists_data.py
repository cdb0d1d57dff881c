"""Lists for the directory's tests, made through the services as on the site.

A head signs (pledges.signing: the list is created from their list name), staff approve
(pledges.moderation); colistiers ask to join (pledges.lists) and the head confirms; a
colistier may then sign commitments beyond the list's, in their own name.
"""

import itertools

from candidates.models import Candidate
from communes.models import Commune, Secteur
from pledges.lists.services import decide_join, leave_list, remove_member, request_join
from pledges.models import ElectoralList, ListMembership, Signature
from pledges.signing.services import submit_pledge
from tests.factories import approve, commitments, make_candidate, make_pledge

_numbers = itertools.count(1)
Status = Signature.Status


def place(commune: str = "42218", secteur: int | None = None) -> dict:
    found = Commune.objects.get(insee_code=commune)
    return {
        "commune": found,
        "secteur": Secteur.objects.get(commune=found, number=secteur) if secteur else None,
    }


def make_list(
    name: str | None = None,
    *,
    commune: str = "42218",
    secteur: int | None = None,
    codes=("1.1", "2.1"),
    status=Status.APPROVED,
    political_label: str = "",
    head_name: str | None = None,
) -> ElectoralList:
    """A list whose head signed `codes` for it, taken to `status` (approved by default)."""
    name = name or f"Liste d’essai {next(_numbers)}"
    fields = {"last_name": head_name} if head_name else {}
    head = make_candidate(
        role=Candidate.Role.HEAD_OF_LIST,
        list_name=name,
        political_label=political_label,
        **place(commune, secteur),
        **fields,
    )
    pledge = make_pledge(head, codes=codes, status=status)
    return ElectoralList.objects.get(pk=pledge.electoral_list_id)


def add_member(
    electoral_list: ElectoralList, *, last_name: str | None = None, confirm: bool | None = True
) -> ListMembership:
    """A colistier who asked to join: confirmed (True), refused (False) or waiting (None)."""
    colistier = make_candidate(
        role=Candidate.Role.CANDIDATE,
        list_name=electoral_list.name,
        commune=electoral_list.commune,
        secteur=electoral_list.secteur,
        **({"last_name": last_name} if last_name else {}),
    )
    membership = request_join(candidate=colistier, electoral_list=electoral_list, consent=True)
    if confirm is not None:
        membership = decide_join(
            membership=membership, user=electoral_list.head.user, accept=confirm
        )
    return membership


def sign_personally(membership: ListMembership, *codes: str, approved: bool = True) -> Signature:
    """The colistier signs, in their own name, commitments beyond the list's."""
    pledge = submit_pledge(candidate=membership.candidate, commitments=commitments(*codes))
    return approve(pledge) if approved else pledge


def leave(membership: ListMembership) -> ListMembership:
    return leave_list(membership=membership)


def remove(membership: ListMembership) -> ListMembership:
    head = membership.electoral_list.head
    return remove_member(membership=membership, user=head.user)


def make_individual(
    *, commune: str, group: str = "", last_name: str | None = None, codes=("1.1",)
) -> Signature:
    """A candidate in a commune under 1,000 inhabitants, signing in their own name."""
    candidate = make_candidate(
        role=Candidate.Role.INDIVIDUAL,
        list_name=group,
        **place(commune),
        **({"last_name": last_name} if last_name else {}),
    )
    return make_pledge(candidate, codes=codes, status=Status.APPROVED)
