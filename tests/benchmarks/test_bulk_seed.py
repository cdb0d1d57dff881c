"""benchmarks/bulk_seed.py writes, in bulk, exactly the rows the services write.

The same stories (pledges.demo.stories) are played once through the signing and
moderation services (what `manage.py seed_demo` does) and once by the bulk seeder; every
row of every candidate must come out the same: account, profile, the list a head
creates and its signature, a colistier's membership (request, decision, leaving or
removal, consent), signature and its dates, signed commitments, history and its public
flags, certificate versions and what they say, audit log. Change a service's rule and
this test fails until the bulk seeder follows.
"""

from collections import Counter

import pytest

from benchmarks.bulk_seed import BulkSeeder, bulk_seed
from candidates.models import Candidate
from pledges.demo.seeding import (
    MODERATOR_EMAIL,
    Player,
    SeedSummary,
    demo_moderator,
    demo_users,
    mail_set_aside,
    purge_demo,
)
from pledges.demo.stories import Action, Storyteller
from pledges.models import Certificate, ElectoralList, ListMembership, Signature
from tests.rows import candidate_rows

pytestmark = pytest.mark.django_db

COUNT = 200
SEED = 1


def rows_by_email() -> dict[str, dict]:
    candidates = Candidate.objects.filter(user__in=demo_users().exclude(email=MODERATOR_EMAIL))
    return {c.user.email: candidate_rows(c) for c in candidates.select_related("user")}


def test_the_bulk_rows_equal_the_rows_the_services_write():
    teller = Storyteller(seed=SEED)
    stories = teller.stories(range(1, COUNT + 1))
    # The stories take every path the services offer, or the comparison proves less.
    assert {step.action for story in stories for step in story.steps} == {
        value for name, value in vars(Action).items() if name.isupper()
    }
    assert set(Counter(story.status for story in stories)) == {*Signature.Status.values, None}
    assert {story.profile["role"] for story in stories} == set(Candidate.Role.values)
    assert any(story.profile["secteur"] for story in stories)

    with mail_set_aside():
        player = Player(campaign=teller.campaign, moderator=demo_moderator())
        for story in stories:
            player.play(story)
    through_services = rows_by_email()
    assert Certificate.objects.filter(version__gt=1).exists()  # re-issued after a change
    assert ElectoralList.objects.exists()
    assert set(ListMembership.objects.values_list("status", flat=True)) == set(
        ListMembership.Status.values
    )
    purge_demo()

    BulkSeeder(seed=0).write(stories, SeedSummary())
    in_bulk = rows_by_email()

    assert len(in_bulk) == len(through_services) == COUNT
    for email, rows in through_services.items():
        assert in_bulk[email] == rows, email


def test_the_bulk_seeder_tells_the_same_stories_as_seed_demo(django_capture_on_commit_callbacks):
    summary = bulk_seed(signatories=40, seed=5)
    bulk = rows_by_email()
    purge_demo()

    from pledges.demo import seed_demo

    assert seed_demo(signatories=40, seed=5).statuses == summary.statuses
    assert rows_by_email() == bulk
    assert summary.signatories == 40 and summary.certificates > 0 and summary.lists > 0


def test_a_step_the_services_refuse_is_refused_in_bulk_too():
    from datetime import timedelta

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from benchmarks.bulk_seed import RowWriter
    from pledges.demo.stories import Step
    from pledges.models import Campaign
    from tests.factories import commitments, make_candidate

    at = timezone.now() - timedelta(days=3)
    (commitment,) = commitments("1.1")
    steps = [
        Step(Action.SUBMIT, at, (commitment.pk,)),
        Step(Action.APPROVE, at + timedelta(hours=1)),
        Step(Action.REQUEST_CHANGES, at + timedelta(hours=2), note="Trop tard."),
    ]
    campaign, moderator = Campaign.objects.current(), demo_moderator()
    with pytest.raises(ValidationError), mail_set_aside():
        Player(campaign=campaign, moderator=moderator).sign(make_candidate(), steps)
    with pytest.raises(ValidationError, match="ne peut pas devenir"):
        RowWriter(campaign=campaign, moderator=moderator).write([(make_candidate(), steps)])
