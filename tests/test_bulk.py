"""tests/bulk.py writes the rows the signing and moderation services write for the same steps."""

import pytest

from candidates.models import Candidate
from pledges.demo.seeding import Player, mail_set_aside
from pledges.models import Campaign, Signature
from tests.bulk import bulk_moderator, make_signatories, signatory_steps
from tests.factories import make_user
from tests.rows import signature_rows

pytestmark = pytest.mark.django_db

Status = Signature.Status

CASES = [
    pytest.param({}, id="approved"),
    pytest.param({"withdrawn_codes": ("3.1", "3.2")}, id="approved-commitments-withdrawn"),
    pytest.param({"status": Status.PENDING}, id="pending"),
    pytest.param({"status": Status.PENDING, "withdrawn_codes": ("1.2",)}, id="pending-edited"),
    pytest.param({"status": Status.CHANGES_REQUESTED}, id="changes-requested"),
    pytest.param({"status": Status.REJECTED}, id="rejected"),
    pytest.param({"status": Status.UNPUBLISHED}, id="unpublished"),
    pytest.param({"status": Status.WITHDRAWN}, id="withdrawn-before-approval"),
    pytest.param(
        {"status": Status.WITHDRAWN, "was_approved": True, "withdrawn_codes": ("1.2",)},
        id="withdrawn-after-approval",
    ),
]


@pytest.mark.parametrize("options", CASES)
def test_make_signatories_writes_what_the_services_write(options):
    (bulk,) = make_signatories(1, codes=("1.1", "2.1", "4.1"), **options)
    steps = signatory_steps(codes=("1.1", "2.1", "4.1"), at=bulk.submitted_at, **options)
    # The same candidate, under another account, signs through the services.
    twin = Candidate.objects.create(
        user=make_user(),
        **{
            field.attname: getattr(bulk.candidate, field.attname)
            for field in Candidate._meta.concrete_fields
            if field.attname not in ("id", "user_id", "created_at", "updated_at")
        },
    )
    with mail_set_aside():
        player = Player(campaign=Campaign.objects.current(), moderator=bulk_moderator())
        through_services = player.sign(twin, steps)

    expected, actual = signature_rows(through_services), signature_rows(bulk)
    for part in ("user", "addresses"):  # two accounts, on purpose
        del expected[part], actual[part]
    assert actual == expected
    assert actual["signature"][0]["status"] == options.get("status", Status.APPROVED)


def test_steps_the_services_would_refuse_are_refused():
    with pytest.raises(ValueError, match="cannot be"):
        signatory_steps(status=Status.REJECTED, was_approved=True)
    with pytest.raises(ValueError, match="unpublished"):
        signatory_steps(status=Status.UNPUBLISHED, was_approved=False)
