"""The factories other tests use give what pledges.outcomes.queries calls elected."""

import pytest

from candidates.models import ListOutcome
from pledges.outcomes.queries import elected_signatures
from tests.pledges.outcomes.factories import make_elected_candidate, make_elected_list

pytestmark = pytest.mark.django_db


def test_elected_list_and_candidate_are_elected_signatures():
    majority = make_elected_list()
    opposition = make_elected_list(outcome=ListOutcome.OPPOSITION)
    beaten = make_elected_list(outcome=ListOutcome.NOT_ELECTED)
    individual = make_elected_candidate(is_mayor=True)

    assert majority.electoral_list.outcome == ListOutcome.MAJORITY
    assert majority.candidate.elected_councillor.is_mayor
    assert not opposition.candidate.elected_councillor.is_mayor
    assert beaten.candidate.elected_councillor is None
    assert set(elected_signatures()) == {majority, opposition, individual}
