"""pledges.moderation.retention and `manage.py erase_private_data`: private data kept a year."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from candidates.models import Candidate, CorrectionRequest
from pledges.models import AuditEntry, Signature
from pledges.moderation.services import approve_pledge
from tests.factories import make_candidate, make_moderator, make_pledge

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_data():
    """A candidate signed and was approved 400 days ago; another did so just now."""
    long_ago = timezone.now() - datetime.timedelta(days=400)  # far from the 12-month line
    old = make_pledge(make_candidate(phone="06 00 00 00 01"))
    approve_pledge(pledge=old, moderator=make_moderator(), ip_address="203.0.113.1")
    CorrectionRequest.objects.create(candidate=old.candidate, message="Mon nom s’écrit Lévy.")
    Candidate.objects.filter(pk=old.candidate.pk).update(updated_at=long_ago)
    CorrectionRequest.objects.update(created_at=long_ago)
    AuditEntry.objects.update(at=long_ago)
    recent = make_pledge(make_candidate(phone="06 00 00 00 02"))
    approve_pledge(pledge=recent, moderator=make_moderator(), ip_address="203.0.113.2")
    return old, recent


def test_a_dry_run_counts_and_erases_nothing(old_data, capsys):
    call_command("erase_private_data", "--dry-run")
    output = capsys.readouterr().out
    assert "téléphones seraient effacés : 1" in output
    assert "messages de correction seraient effacés : 1" in output
    assert "adresses IP du journal seraient effacés : 1" in output
    assert "rien n’a été effacé" in output
    assert Candidate.objects.exclude(phone="").count() == 2


def test_data_older_than_twelve_months_is_erased_and_the_record_stays(old_data, capsys):
    old, recent = old_data
    call_command("erase_private_data")
    assert "Effacement terminé." in capsys.readouterr().out
    old.candidate.refresh_from_db()
    recent.candidate.refresh_from_db()
    assert (old.candidate.phone, recent.candidate.phone) == ("", "06 00 00 00 02")
    assert CorrectionRequest.objects.get().message == ""
    entries = {e.ip_address for e in AuditEntry.objects.all()}
    assert entries == {None, "203.0.113.2"}
    # The published record and the pseudonymous trail are intact.
    assert Signature.objects.public().count() == 2
    assert all(e.pledge_pseudonym and e.actor_name for e in AuditEntry.objects.all())


def test_staff_choose_the_date(old_data):
    call_command("erase_private_data", "--before", "2000-01-01")
    assert Candidate.objects.exclude(phone="").count() == 2
    last_month = timezone.localdate() - datetime.timedelta(days=30)
    call_command("erase_private_data", "--before", last_month.isoformat())
    assert list(Candidate.objects.exclude(phone="").values_list("phone", flat=True)) == [
        "06 00 00 00 02"
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [("31/12/2020", "Date invalide : « 31/12/2020 »"), ("2999-01-01", "dans le futur")],
)
def test_a_bad_date_is_refused_clearly(value, message):
    with pytest.raises(CommandError, match=message):
        call_command("erase_private_data", "--before", value)
