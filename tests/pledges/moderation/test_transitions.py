"""The one table of status transitions and the constraints tying each status to its dates."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from pledges.models import RejectionReason, Signature
from pledges.moderation.services import approve_pledge, reject_pledge
from tests.factories import make_moderator, make_pledge

pytestmark = pytest.mark.django_db

Status = Signature.Status


def test_every_status_has_a_row_in_the_table():
    assert set(Signature.TRANSITIONS) == set(Status)
    assert all(set(targets) <= set(Status) for targets in Signature.TRANSITIONS.values())


@pytest.mark.parametrize(
    ("current", "new", "was_approved"),
    [
        (Status.REJECTED, Status.APPROVED, False),
        (Status.UNPUBLISHED, Status.APPROVED, True),
        (Status.APPROVED, Status.PENDING, True),
        (Status.CHANGES_REQUESTED, Status.APPROVED, False),
        (Status.WITHDRAWN, Status.PENDING, True),  # its withdrawal is on the public record
    ],
)
def test_an_illegal_move_is_refused_naming_both_statuses(current, new, was_approved):
    signature = Signature(status=current, approved_at=timezone.now() if was_approved else None)
    with pytest.raises(ValidationError) as error:
        signature.check_transition(new)
    assert error.value.messages == [
        f"Cette signature est « {Status(current).label} » : elle ne peut pas devenir "
        f"« {Status(new).label} »."
    ]


def test_a_legal_move_passes():
    Signature(status=Status.PENDING).check_transition(Status.APPROVED)
    Signature(status=Status.WITHDRAWN).check_transition(Status.PENDING)  # never approved


def test_moderation_follows_the_table(monkeypatch):
    """Allow « refusée » → « validée » in the table: the moderation service then does it."""
    moderator = make_moderator()
    pledge = make_pledge()
    reject_pledge(
        pledge=pledge, moderator=moderator, reason=RejectionReason.objects.get(code="doublon")
    )
    with pytest.raises(ValidationError):
        approve_pledge(pledge=pledge, moderator=moderator)
    table = {**Signature.TRANSITIONS, Status.REJECTED: frozenset({Status.APPROVED})}
    monkeypatch.setattr(Signature, "TRANSITIONS", table)
    approve_pledge(pledge=pledge, moderator=moderator)
    pledge.refresh_from_db()
    assert pledge.status == Status.APPROVED


# ---------------------------------------------------------------- the database constraints


def write(pledge, **fields):
    """An UPDATE that goes around every service: only the database stands in the way."""
    with transaction.atomic():
        Signature.objects.filter(pk=pledge.pk).update(**fields)


@pytest.mark.parametrize(
    ("status", "dates", "constraint"),
    [
        pytest.param(Status.WITHDRAWN, {}, "signature_withdrawn_iff_dated", id="withdrawn-undated"),
        pytest.param(
            Status.PENDING,
            {"withdrawn_at": 1},
            "signature_withdrawn_iff_dated",
            id="pending-withdrawn_at",
        ),
        pytest.param(
            Status.APPROVED, {}, "signature_approval_dated_by_status", id="approved-undated"
        ),
        pytest.param(
            Status.UNPUBLISHED, {}, "signature_approval_dated_by_status", id="unpublished-undated"
        ),
        pytest.param(
            Status.PENDING,
            {"approved_at": 1},
            "signature_approval_dated_by_status",
            id="pending-approved_at",
        ),
        pytest.param(
            Status.REJECTED,
            {"approved_at": 1},
            "signature_approval_dated_by_status",
            id="rejected-approved_at",
        ),
        pytest.param(
            Status.CHANGES_REQUESTED,
            {"approved_at": 1},
            "signature_approval_dated_by_status",
            id="changes_requested-approved_at",
        ),
        pytest.param("archived", {}, "signature_status_is_known", id="unknown-status"),
    ],
)
def test_the_database_refuses_a_status_without_its_dates(status, dates, constraint):
    pledge = make_pledge()
    now = timezone.now() + timedelta(hours=1)
    with pytest.raises(IntegrityError, match=constraint):
        write(pledge, status=status, **dict.fromkeys(dates, now))


def test_the_constraints_accept_what_the_services_write():
    pledge = make_pledge()
    now = timezone.now()
    write(pledge, status=Status.WITHDRAWN, withdrawn_at=now)  # withdrawn before approval
    write(pledge, status=Status.WITHDRAWN, withdrawn_at=now, approved_at=now)  # and after
    write(pledge, status=Status.UNPUBLISHED, withdrawn_at=None, approved_at=now)


def test_model_validation_gives_the_french_message():
    pledge = make_pledge()
    pledge.status = Status.APPROVED
    with pytest.raises(ValidationError) as error:
        pledge.full_clean()
    assert (
        "Une signature validée ou dépubliée porte sa date de validation ; une signature en "
        "attente, à compléter ou refusée n’en porte pas." in error.value.messages
    )
