"""Who a mailing goes to, per audience and filter, against hand-built signatories."""

import pytest
from django.contrib.auth import get_user_model

from candidates.models import ListOutcome
from pledges.mailings.recipients import ELECTED_INDIVIDUAL, UNKNOWN, audience_of
from pledges.mailings.services import opt_out
from pledges.models import Commitment, Mailing, Signature
from pledges.signing.services import withdraw_commitment
from tests.factories import current_campaign, make_candidate, make_pledge, make_user
from tests.pledges.mailings.data import AURA, BRETAGNE, CORSE, regional_moderator, signatories
from tests.pledges.outcomes.factories import make_elected_candidate, make_elected_list

pytestmark = pytest.mark.django_db
Audience = Mailing.Audience


@pytest.fixture
def admin_user():
    return get_user_model().objects.create_superuser("admin", "admin@coorace.test", "x")


@pytest.fixture
def people():
    return signatories()


def addresses(user, audience=Audience.SIGNATORIES, **filters) -> set[str]:
    found = audience_of(campaign=current_campaign(), audience=audience, filters=filters, user=user)
    return {recipient.email for recipient in found.recipients}


def test_the_signatories_are_the_approved_signatures_and_the_confirmed_colistiers(
    people, admin_user
):
    assert addresses(admin_user) == {
        "alice@exemple.test",
        "dalila@exemple.test",
        "bruno@exemple.test",
        "chiara@exemple.test",
    }


def test_the_heads_are_the_heads_of_signed_lists_only(people, admin_user):
    assert addresses(admin_user, Audience.HEADS) == {"alice@exemple.test", "bruno@exemple.test"}


def test_the_elected_are_the_elected_lists_heads_and_elected_individuals(admin_user):
    majority = make_elected_list(outcome=ListOutcome.MAJORITY)
    opposition = make_elected_list(outcome=ListOutcome.OPPOSITION)
    make_elected_list(outcome=ListOutcome.NOT_ELECTED)
    individual = make_elected_candidate()
    make_pledge(status=Signature.Status.APPROVED)  # results not known
    assert addresses(admin_user, Audience.ELECTED) == {
        majority.candidate.user.email,
        opposition.candidate.user.email,
        individual.candidate.user.email,
    }


def test_an_elected_list_signature_not_approved_is_not_elected(admin_user):
    make_elected_list(status=Signature.Status.PENDING)
    assert addresses(admin_user, Audience.ELECTED, statuses=["pending"]) == set()


def test_the_outcome_filter(admin_user):
    majority = make_elected_list(outcome=ListOutcome.MAJORITY)
    beaten = make_elected_list(outcome=ListOutcome.NOT_ELECTED)
    individual = make_elected_candidate()
    unknown = make_pledge(status=Signature.Status.APPROVED)
    email = lambda pledge: pledge.candidate.user.email  # noqa: E731
    assert addresses(admin_user, outcomes=[ListOutcome.NOT_ELECTED]) == {email(beaten)}
    assert addresses(admin_user, outcomes=[ListOutcome.MAJORITY, ELECTED_INDIVIDUAL]) == {
        email(majority),
        email(individual),
    }
    assert addresses(admin_user, outcomes=[UNKNOWN]) == {email(unknown)}


def test_the_region_and_departement_filters(people, admin_user):
    assert addresses(admin_user, regions=[AURA]) == {"alice@exemple.test", "dalila@exemple.test"}
    assert addresses(admin_user, regions=[BRETAGNE, CORSE]) == {
        "bruno@exemple.test",
        "chiara@exemple.test",
    }
    assert addresses(admin_user, departements=["35"]) == {"bruno@exemple.test"}
    assert addresses(admin_user, regions=[AURA], departements=["35"]) == set()


def test_the_status_filter(people, admin_user):
    assert "fanny@exemple.test" not in addresses(admin_user)
    assert addresses(admin_user, statuses=["pending"]) == {"fanny@exemple.test"}
    assert "gaston@exemple.test" not in addresses(
        admin_user, statuses=[s.value for s in Signature.Status if s != "rejected"]
    )


def test_the_commitment_filter_counts_commitments_signed_and_not_withdrawn(people, admin_user):
    by_code = {
        c.code: c.pk for c in Commitment.objects.filter(proposal__campaign=current_campaign())
    }
    # The colistière goes with her list's signature.
    assert addresses(admin_user, commitments=[by_code["2.1"]]) == {
        "alice@exemple.test",
        "dalila@exemple.test",
    }
    assert addresses(admin_user, commitments=[by_code["1.1"], by_code["3.1"]]) == {
        "alice@exemple.test",
        "dalila@exemple.test",
        "bruno@exemple.test",
        "chiara@exemple.test",
    }
    loire = people.head_loire.signatures.get()
    withdraw_commitment(pledge=loire, commitment=Commitment.objects.get(pk=by_code["2.1"]))
    assert addresses(admin_user, commitments=[by_code["2.1"]]) == set()


def test_one_message_per_address_whatever_its_case_and_the_opted_out_set_aside(people, admin_user):
    make_pledge(
        make_candidate(make_user("ALICE@Exemple.test"), list_name="Autre liste"),
        status=Signature.Status.APPROVED,
    )
    opt_out(email="Bruno@EXEMPLE.test")
    found = audience_of(
        campaign=current_campaign(), audience=Audience.SIGNATORIES, filters={}, user=admin_user
    )
    emails = [r.email.lower() for r in found.recipients]
    assert sorted(emails) == ["alice@exemple.test", "chiara@exemple.test", "dalila@exemple.test"]
    assert [r.email for r in found.opted_out] == ["bruno@exemple.test"]
    assert found.count == 3


def test_the_merge_fields_of_each_recipient(people, admin_user):
    found = audience_of(
        campaign=current_campaign(), audience=Audience.SIGNATORIES, filters={}, user=admin_user
    )
    by_email = {r.email: r for r in found.recipients}
    assert by_email["dalila@exemple.test"].list_name == "Saint-Étienne solidaire"
    assert by_email["alice@exemple.test"].list_name == "Saint-Étienne solidaire"
    assert by_email["alice@exemple.test"].commune == "Saint-Étienne"
    assert by_email["bruno@exemple.test"].list_name == "Rennes en commun"
    assert by_email["chiara@exemple.test"].list_name == ""


def test_a_regional_moderator_counts_only_within_their_regions(people):
    moderator = regional_moderator(BRETAGNE)
    assert addresses(moderator) == {"bruno@exemple.test"}
    # A filter naming another région finds nobody: the scope applies on top.
    assert addresses(moderator, regions=[AURA]) == set()
