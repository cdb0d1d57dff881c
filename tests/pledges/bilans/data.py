"""Hand-counted data for the bilans' tests: a few elected lists and candidates, a list not
elected, a pending signature, a withdrawn commitment, and updates approved, pending and
refused — through the signing and follow-up services, as on the site.

In commune `town` (Corse-du-Sud, 2A, région 94): « Majorité » (majorité; 3.1 réalisé, 1.1
en cours, 2.1 with a pending update only), « Opposition » (opposition; 3.1 en cours then a
refused update, 1.1 withdrawn) and « Battue » (non élue, 3.1). In `village` (2A): an
elected individual candidate (3.1 abandonné, 8.2). In Saint-Étienne (42218, Loire, 84):
« Loire élue » (majorité, 3.1 with no update) and « En attente » (elected, its signature
still pending).

So, among the elected: 3.1 — 3 lists and 1 candidate, réalisé 1, en cours 1, pas encore
commencé 1, abandonné 1; 1.1 — 1 list, en cours; 2.1 — 1 list, pas encore commencé; 8.2 —
1 candidate, pas encore commencé.
"""

from dataclasses import dataclass

from candidates.models import ListOutcome
from communes.models import Commune
from pledges.follow_up.services import approve_update, post_update, reject_update
from pledges.models import FollowUpStatus, Signature, SignedCommitment
from pledges.signing.services import withdraw_commitment
from tests.factories import a_moderator, commitments, make_commune
from tests.pledges.outcomes.factories import make_elected_candidate, make_elected_list

Status = FollowUpStatus


def signed(pledge: Signature, code: str) -> SignedCommitment:
    (commitment,) = commitments(code)
    return pledge.signed_commitments.get(commitment=commitment)


def report(pledge: Signature, code: str, status: str, *, decision: str | None = "approve"):
    """An update by the list (or candidate) itself, then approved, refused or left pending."""
    update = post_update(
        signed_commitment=signed(pledge, code),
        author=pledge.candidate.user,
        status=status,
        text=f"Où en est l’engagement {code}.",
        link="https://exemple.test/deliberation",
        source="Délibération du conseil municipal",
    )
    if decision == "approve":
        return approve_update(update, a_moderator())
    if decision == "reject":
        return reject_update(update, a_moderator(), note="Aucune source vérifiable.")
    return update


@dataclass
class BilanData:
    town: Commune
    village: Commune
    loire: Commune
    majority: Signature
    opposition: Signature
    beaten: Signature
    candidate: Signature
    loire_list: Signature
    pending: Signature


def make_bilan_data() -> BilanData:
    town = make_commune(name="Bourg-sur-Essai", population=5000, votes_by_list=True)
    village = make_commune(name="Hameau-d’Essai", population=300, votes_by_list=False)
    loire = Commune.objects.get(insee_code="42218")
    majority = make_elected_list(
        town, codes=("1.1", "2.1", "3.1"), list_name="Majorité pour Bourg", last_name="Albert"
    )
    opposition = make_elected_list(
        town,
        outcome=ListOutcome.OPPOSITION,
        codes=("1.1", "3.1"),
        list_name="Opposition constructive",
        last_name="Bernard",
    )
    beaten = make_elected_list(
        town,
        outcome=ListOutcome.NOT_ELECTED,
        codes=("3.1",),
        list_name="Battue de peu",
        last_name="Chevalier",
    )
    candidate = make_elected_candidate(
        village, codes=("3.1", "8.2"), first_name="Dominique", last_name="Durand"
    )
    loire_list = make_elected_list(
        loire, codes=("3.1",), list_name="Loire élue", last_name="Étienne"
    )
    pending = make_elected_list(
        loire,
        codes=("3.1", "1.1"),
        status=Signature.Status.PENDING,
        list_name="En attente",
        last_name="Fabre",
    )
    report(majority, "3.1", Status.IN_PROGRESS)
    report(majority, "3.1", Status.DONE)
    report(majority, "1.1", Status.IN_PROGRESS)
    report(majority, "2.1", Status.DONE, decision=None)
    report(opposition, "3.1", Status.IN_PROGRESS)
    report(opposition, "3.1", Status.DONE, decision="reject")
    report(opposition, "1.1", Status.DONE)
    (withdrawn,) = commitments("1.1")
    withdraw_commitment(pledge=opposition, commitment=withdrawn)
    report(candidate, "3.1", Status.ABANDONED)
    return BilanData(
        town, village, loire, majority, opposition, beaten, candidate, loire_list, pending
    )
