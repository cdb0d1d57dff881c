"""Signing writes its commitments in one query, however many are ticked."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pledges.models import Commitment, SignedCommitment
from pledges.signing.services import submit_pledge
from tests.factories import commitments, current_campaign, make_candidate, make_user

pytestmark = pytest.mark.django_db


def queries_to_sign(candidate, ticked) -> int:
    with CaptureQueriesContext(connection) as queries:
        submit_pledge(candidate=candidate, commitments=ticked)
    return len(queries)


def test_signing_twenty_commitments_takes_as_many_queries_as_signing_one():
    every = list(
        Commitment.objects.filter(proposal__campaign=current_campaign()).select_related("proposal")
    )
    assert len(every) == 20
    one = make_candidate(user=make_user("une@exemple.test"))
    twenty = make_candidate(user=make_user("vingt@exemple.test"))

    assert queries_to_sign(one, commitments("1.1")) == queries_to_sign(twenty, every)
    assert SignedCommitment.objects.filter(pledge__candidate=twenty).count() == 20


def test_commitments_withdrawn_then_ticked_again_are_signed_again_in_one_query():
    candidate = make_candidate()
    pledge = submit_pledge(candidate=candidate, commitments=commitments("1.1", "2.1", "3.1"))
    submit_pledge(candidate=candidate, commitments=commitments("1.1"))
    first = queries_to_sign(candidate, commitments("1.1", "2.1"))
    submit_pledge(candidate=candidate, commitments=commitments("1.1"))

    assert queries_to_sign(candidate, commitments("1.1", "2.1", "3.1")) == first
    rows = pledge.signed_commitments.order_by("commitment__proposal__number")
    assert [row.withdrawn_at for row in rows] == [None, None, None]
    assert rows.count() == 3  # the same rows, signed again
