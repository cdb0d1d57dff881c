"""The directory's named reads and the cache of its counters (pledges/directory/queries.py)."""

import pytest

from pledges.directory.queries import (
    commitment_counts,
    directory_stats,
    invalidate_public_caches,
    load_signatories,
    public_pledges,
)
from pledges.models import Commitment, Signature
from pledges.signing.account import delete_account
from tests.bulk import make_signatories, make_signatory
from tests.factories import approve, current_campaign, make_pledge

pytestmark = pytest.mark.django_db

Status = Signature.Status


def test_the_counters_count_only_approved_signatories():
    make_signatories(2, commune="42218")
    make_signatory(commune="69123")
    make_signatory(commune="2A004")
    for status in (Status.PENDING, Status.CHANGES_REQUESTED, Status.REJECTED, Status.UNPUBLISHED):
        make_signatory(commune="75056", status=status)
    make_signatory(commune="13055", status=Status.WITHDRAWN, was_approved=True)
    stats = directory_stats(current_campaign())
    assert (stats.signatories, stats.communes, stats.departements) == (4, 3, 3)
    assert stats.by_departement == {"42": 2, "69": 1, "2A": 1}
    assert stats.by_region == {"84": 3, "94": 1}


def test_the_counters_come_from_the_cache_until_invalidated(django_assert_num_queries):
    campaign = current_campaign()
    make_signatory()
    assert directory_stats(campaign).signatories == 1
    make_signatories(2)
    with django_assert_num_queries(0):
        assert directory_stats(campaign).signatories == 1
    invalidate_public_caches()
    with django_assert_num_queries(1):
        assert directory_stats(campaign).signatories == 3


def test_moderation_then_invalidation_publishes_at_once(client):
    pledge = make_pledge()
    assert client.get(f"/signataires/{pledge.pk}/").status_code == 404
    assert 'counters__value">0</span>' in client.get("/").content.decode()
    approve(pledge)
    invalidate_public_caches()  # what the moderation service calls after a decision
    assert client.get(f"/signataires/{pledge.pk}/").status_code == 200
    assert 'counters__value">1</span> signataire<' in client.get("/").content.decode()


def test_erasing_an_account_recounts_at_once(django_capture_on_commit_callbacks):
    campaign = current_campaign()
    pledge = make_signatory()
    assert directory_stats(campaign).signatories == 1
    with django_capture_on_commit_callbacks(execute=True):
        delete_account(user=pledge.candidate.user)
    assert directory_stats(campaign).signatories == 0


def test_commitment_counts_leave_out_withdrawn_commitments_and_signatures():
    make_signatories(2, commune="42218", codes=("1.1",), withdrawn_codes=("1.2",))
    make_signatory(commune="13055", codes=("1.1", "1.2"))
    make_signatory(commune="13055", codes=("1.1",), status=Status.WITHDRAWN, was_approved=True)
    counts = commitment_counts(current_campaign())
    first, second = Commitment.objects.filter(proposal__number=1).order_by("position")[:2]
    assert counts[first.pk] == {"84": 2, "93": 1}
    assert counts[second.pk] == {"93": 1}


def test_a_signatory_row_knows_what_is_signed_and_what_was_withdrawn():
    make_signatory(codes=("3.2", "1.1"), withdrawn_codes=("2.1",))
    make_signatory(codes=("1.1",), status=Status.WITHDRAWN, was_approved=True)
    active, withdrawn = load_signatories(public_pledges(current_campaign()).order_by("status"))
    assert (active.active_codes, active.withdrawn_codes) == (["1.1", "3.2"], ["2.1"])
    assert (withdrawn.active_codes, withdrawn.withdrawn_codes) == ([], ["1.1"])
    assert withdrawn.withdrawn_on(withdrawn.signed_commitments[0]) == withdrawn.pledge.withdrawn_at
