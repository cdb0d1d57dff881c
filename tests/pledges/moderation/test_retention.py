"""pledges.moderation.retention and `manage.py erase_private_data`: the retention table, at
each boundary, with time frozen (`now` passed in, or `timezone.now` patched for the command)."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from candidates.models import Candidate, CorrectionRequest
from pledges.certificates.services import pdf_name
from pledges.models import AuditEntry, Certificate, Signature, SignatureTrace
from pledges.moderation.retention import (
    JOB_RESULT_DAYS,
    PRIVATE_DATA_DAYS,
    SIGNATURE_MONTHS_AFTER_ELECTION,
    UNVERIFIED_ACCOUNT_DAYS,
    add_months,
    apply_retention,
    signatures_kept_until,
)
from pledges.moderation.services import approve_pledge
from pledges.signing.services import withdraw_pledge
from tests.factories import (
    REJECTION_DETAILS,
    approve,
    current_campaign,
    make_candidate,
    make_moderator,
    make_pledge,
    make_user,
)

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


# ---------------------------------------------------------------- the whole table, time frozen

# The 2020 campaign's second round was on 28 June 2020: its signatures that are not public
# are kept until 28 December 2020 included.
LAST_DAY_KEPT = datetime.datetime(2020, 12, 28, 23, 59, tzinfo=datetime.UTC)
FIRST_DAY_ERASED = datetime.datetime(2020, 12, 29, 0, 1, tzinfo=datetime.UTC)
NOW = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)


def test_the_signatures_are_kept_until_six_months_after_the_last_round():
    assert signatures_kept_until(current_campaign()) == datetime.date(2020, 12, 28)
    assert add_months(datetime.date(2020, 8, 31), 6) == datetime.date(2021, 2, 28)


def joined(days_ago: int, *, verified: bool = False, now=NOW, **fields):
    user = make_user(verified=verified, **fields)
    get_user_model().objects.filter(pk=user.pk).update(date_joined=now - days(days_ago))
    return user


def days(number: int) -> datetime.timedelta:
    return datetime.timedelta(days=number)


def test_an_account_never_verified_is_erased_after_thirty_days():
    young = joined(29)
    old = joined(31)
    verified = joined(400, verified=True)
    staff = joined(400, is_staff=True)
    superuser = get_user_model().objects.create_superuser("admin", "admin@coorace.test", "x")
    get_user_model().objects.filter(pk=superuser.pk).update(date_joined=NOW - days(400))
    counts = apply_retention(now=NOW)
    assert counts.unverified_accounts == 1
    remaining = set(get_user_model().objects.values_list("pk", flat=True))
    assert remaining == {young.pk, verified.pk, staff.pk, superuser.pk}
    assert not EmailAddress.objects.filter(user_id=old.pk).exists()


def test_an_account_with_one_verified_address_among_others_stays():
    user = joined(400, verified=True)
    EmailAddress.objects.create(user=user, email="nouvelle@exemple.test", verified=False)
    assert apply_retention(now=NOW).unverified_accounts == 0
    assert get_user_model().objects.filter(pk=user.pk).exists()


@pytest.fixture
def signatures_of_2020():
    """One signature in each status (and one withdrawn after approval, still public), the
    unpublished one with its certificate's PDF in storage."""
    Status = Signature.Status
    made = {status: make_pledge(status=status) for status in Status.values}
    unpublished = made[Status.UNPUBLISHED]
    certificate = Certificate.objects.get(pledge=unpublished)
    certificate.pdf.name = default_storage.save(
        pdf_name(certificate), ContentFile(b"%PDF\n%%EOF\n")
    )
    certificate.save(update_fields=["pdf"])
    made["withdrawn_after_approval"] = withdraw_pledge(pledge=make_pledge(status=Status.APPROVED))
    return made


def test_signatures_not_public_are_kept_on_the_last_day(signatures_of_2020):
    counts = apply_retention(now=LAST_DAY_KEPT)
    assert counts.signatures == 0
    assert Signature.objects.count() == len(signatures_of_2020)


def test_signatures_not_public_are_erased_the_day_after_and_the_record_stays(signatures_of_2020):
    Status = Signature.Status
    unpublished = signatures_of_2020[Status.UNPUBLISHED]
    (pdf,) = Certificate.objects.filter(pledge=unpublished).values_list("pdf", flat=True)
    assert default_storage.exists(pdf)
    rejected = signatures_of_2020[Status.REJECTED]
    counts = apply_retention(now=FIRST_DAY_ERASED)
    gone = [Status.PENDING, Status.CHANGES_REQUESTED, Status.REJECTED, Status.UNPUBLISHED]
    gone.append(Status.WITHDRAWN)  # withdrawn before any approval: never public
    assert counts.signatures == len(gone)
    kept = {
        signatures_of_2020[Status.APPROVED].pk,
        signatures_of_2020["withdrawn_after_approval"].pk,
    }
    assert set(Signature.objects.values_list("pk", flat=True)) == kept
    assert not default_storage.exists(pdf)
    # Staff keep a pseudonymous trace and a nameless audit log; the account stays.
    traces = SignatureTrace.objects.filter(erased_at=FIRST_DAY_ERASED)
    assert sorted(traces.values_list("last_status", flat=True)) == sorted(gone)
    refusal = AuditEntry.objects.get(action="rejected")
    assert refusal.pledge_id is None and REJECTION_DETAILS not in refusal.note
    assert Candidate.objects.filter(pk=rejected.candidate_id).exists()


def test_phones_and_audit_addresses_are_kept_twelve_months_at_the_day():
    kept = make_candidate(phone="06 00 00 00 01")
    erased = make_candidate(phone="06 00 00 00 02")
    Candidate.objects.filter(pk=kept.pk).update(updated_at=NOW - days(364))
    Candidate.objects.filter(pk=erased.pk).update(updated_at=NOW - days(366))
    for pledge, age in ((approve(make_pledge()), 364), (approve(make_pledge()), 366)):
        AuditEntry.objects.filter(pledge=pledge).update(
            at=NOW - days(age), ip_address=f"203.0.113.{age - 360}"
        )
    counts = apply_retention(now=NOW)
    assert (counts.phones, counts.ip_addresses) == (1, 1)
    assert dict(
        Candidate.objects.filter(pk__in=[kept.pk, erased.pk]).values_list("pk", "phone")
    ) == {
        kept.pk: "06 00 00 00 01",
        erased.pk: "",
    }
    assert set(AuditEntry.objects.values_list("ip_address", flat=True)) == {"203.0.113.4", None}


def finished_job(days_ago: int, status=TaskResultStatus.SUCCESSFUL, now=NOW) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=status,
        task_path="config.site.deliver_templated_email",
        args_kwargs={"args": [], "kwargs": {"to": ["camille@exemple.test"]}},
        backend_name="default",
        run_after=now - days(days_ago),
        finished_at=now - days(days_ago),
    )


def test_finished_jobs_holding_addresses_are_kept_thirty_days():
    recent = finished_job(29)
    finished_job(31)
    finished_job(31, TaskResultStatus.FAILED)
    waiting = DBTaskResult.objects.create(
        task_path="x.y", args_kwargs={}, backend_name="default", run_after=NOW
    )
    assert apply_retention(now=NOW).job_results == 2
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}


def test_expired_rate_limit_counters_and_their_addresses_go():
    caches["default"].set("allauth:rl:account:login:ip:203.0.113.9", [1.0], timeout=60)
    assert apply_retention(now=timezone.now()).rate_limit_entries == 0
    later = timezone.now() + datetime.timedelta(minutes=2)
    assert apply_retention(now=later).rate_limit_entries == 1
    assert caches["default"].get("allauth:rl:account:login:ip:203.0.113.9") is None


def test_a_dry_run_of_the_whole_table_changes_nothing(signatures_of_2020, monkeypatch, capsys):
    joined(31, now=FIRST_DAY_ERASED)
    finished_job(31, now=FIRST_DAY_ERASED)
    users, signatures = get_user_model().objects.count(), Signature.objects.count()
    files = sorted(name for name in Certificate.objects.values_list("pdf", flat=True) if name)
    monkeypatch.setattr(timezone, "now", lambda: FIRST_DAY_ERASED)
    call_command("erase_private_data", "--dry-run")
    monkeypatch.undo()
    output = capsys.readouterr().out
    assert "Comptes jamais vérifiés depuis plus de 30 jours seraient effacés : 1" in output
    assert "Signatures non publiques, 6 mois après l’élection, seraient effacées : 5" in output
    assert "Tâches terminées depuis plus de 30 jours seraient effacées : 1" in output
    assert "rien n’a été effacé" in output
    assert (get_user_model().objects.count(), Signature.objects.count()) == (users, signatures)
    assert DBTaskResult.objects.count() == 1 and not SignatureTrace.objects.exists()
    assert files and all(default_storage.exists(name) for name in files)


def test_the_published_table_says_what_the_job_applies(client):
    page = client.get("/donnees-personnelles/").content.decode()
    assert "Durées de conservation" in page
    assert f"{UNVERIFIED_ACCOUNT_DAYS} jours après l’inscription" in page
    assert f"jusqu’à {SIGNATURE_MONTHS_AFTER_ELECTION} mois après le dernier tour" in page
    assert PRIVATE_DATA_DAYS == 365 and "12 mois, puis effacés" in page
    assert f"<td>{JOB_RESULT_DAYS} jours</td>" in page
    from pledges.moderation.exports import EXPORT_FILE_HOURS

    assert "Exports des signataires préparés pour l’équipe" in page.replace("\u2019", "’")
    assert f"{EXPORT_FILE_HOURS} heures, puis effacés" in page


@pytest.mark.usefixtures("database_tasks")
def test_the_timer_enqueues_a_job_that_the_worker_applies(old_data, capsys):
    """On the database backend, as in production: the command only enqueues; nothing is
    erased until the worker runs the job, whose counts are its result."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from tests.jobs import run_worker

    old, recent = old_data
    call_command("erase_private_data")
    assert "Effacement mis en file" in capsys.readouterr().out
    old.candidate.refresh_from_db()
    assert old.candidate.phone != ""
    job = DBTaskResult.objects.get(
        task_path="pledges.moderation.retention_tasks.erase_private_data"
    )
    assert job.status == TaskResultStatus.READY
    run_worker()
    job.refresh_from_db()
    assert job.status == TaskResultStatus.SUCCESSFUL
    assert job.return_value["phones"] == 1
    old.candidate.refresh_from_db()
    recent.candidate.refresh_from_db()
    assert (old.candidate.phone, recent.candidate.phone) == ("", "06 00 00 00 02")
