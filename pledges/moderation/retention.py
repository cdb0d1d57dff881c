"""Retention: what the site erases, and when (manage.py erase_private_data).

The published retention table (README « Retention », « Données personnelles ») is this
module's, period by period:

- an account whose e-mail address was never verified: erased 30 days after sign-up
  (`UNVERIFIED_ACCOUNT_DAYS`), as `delete_account` erases any account;
- a signature that is not public (refused, unpublished, withdrawn before approval, or never
  decided): erased 6 months after the campaign's last round (`SIGNATURE_MONTHS_AFTER_ELECTION`),
  with its certificates' files; staff keep a pseudonymous trace and a nameless audit log,
  as after an account's erasure. The account and its profile stay;
- private contacts and addresses, 12 months (`PRIVATE_DATA_DAYS`): phones of profiles
  unchanged for that long, the messages of correction requests, the IP addresses of the
  audit log;
- finished jobs, whose arguments hold e-mail addresses, 30 days (`JOB_RESULT_DAYS`), and the
  rate limits' expired counters, whose keys hold IP addresses, as soon as they expire.
- voters' alert subscriptions never confirmed: erased 7 days after they were asked for
  (`pledges.alerts.services.PENDING_DAYS`); a confirmed one lasts until its unsubscribe link
  deletes it.
- the staff's exports of signatories (files of the default storage under `exports/`, with
  private contacts): deleted 24 hours after they were written
  (`pledges.moderation.exports.EXPORT_FILE_HOURS`); their page stops giving them at that
  hour already (pledges.moderation.admin.export).

Every function takes `now`, so that a test freezes time by passing it.
"""

import calendar
import datetime
from dataclasses import dataclass, fields

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from candidates.models import Candidate, CorrectionRequest
from pledges.alerts.services import PENDING_DAYS as PENDING_ALERT_DAYS
from pledges.models import AlertSubscription, AuditEntry, Campaign, Signature
from pledges.moderation.exports import EXPORT_FILE_HOURS, EXPORT_FOLDER
from pledges.signing.account import delete_account, erase_pledges

UNVERIFIED_ACCOUNT_DAYS = 30
SIGNATURE_MONTHS_AFTER_ELECTION = 6
PRIVATE_DATA_DAYS = 365
JOB_RESULT_DAYS = 30


@dataclass
class ErasureCounts:
    unverified_accounts: int = 0
    signatures: int = 0
    phones: int = 0
    correction_messages: int = 0
    ip_addresses: int = 0
    job_results: int = 0
    rate_limit_entries: int = 0
    pending_alerts: int = 0
    export_files: int = 0

    def __add__(self, other: "ErasureCounts") -> "ErasureCounts":
        return ErasureCounts(
            *(getattr(self, f.name) + getattr(other, f.name) for f in fields(self))
        )


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the month's last day if it has fewer days)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def signatures_kept_until(campaign: Campaign) -> datetime.date:
    """The last day a campaign's non-public signatures are kept: 6 months after its last round."""
    last_round = campaign.second_round_date or campaign.first_round_date
    return add_months(last_round, SIGNATURE_MONTHS_AFTER_ELECTION)


def unverified_accounts(*, now: datetime.datetime):
    """Accounts with e-mail addresses none of which was ever verified, older than 30 days.

    Staff accounts, and accounts with no address at all (made with createsuperuser or in
    the admin, never through sign-up), are not candidates' and are left alone.
    """
    verified = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
    any_address = EmailAddress.objects.filter(user=OuterRef("pk"))
    return get_user_model().objects.filter(
        Exists(any_address),
        ~Exists(verified),
        is_staff=False,
        is_superuser=False,
        date_joined__lt=now - datetime.timedelta(days=UNVERIFIED_ACCOUNT_DAYS),
    )


def expired_signatures(*, now: datetime.datetime):
    """Signatures that are not public, of campaigns whose last round was over 6 months ago."""
    today = now.date()
    over = [c.pk for c in Campaign.objects.all() if signatures_kept_until(c) < today]
    public = Signature.objects.public().values("pk")
    return (
        Signature.objects.filter(campaign__in=over)
        .exclude(pk__in=public)
        .select_related("candidate__commune")
    )


def _rate_limit_table() -> str | None:
    """The table of the rate limits' cache (config/cache.py), if it is a database cache."""
    if not isinstance(caches["default"], DatabaseCache):
        return None
    return settings.CACHES["default"]["LOCATION"]


def _expired_rate_limits(*, now: datetime.datetime, delete: bool) -> int:
    table = _rate_limit_table()
    if table is None:
        return 0
    quoted = connection.ops.quote_name(table)
    expires = connection.ops.quote_name("expires")
    value = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        if delete:
            cursor.execute(f"DELETE FROM {quoted} WHERE {expires} < %s", [value])
            return cursor.rowcount
        cursor.execute(f"SELECT COUNT(*) FROM {quoted} WHERE {expires} < %s", [value])
        return cursor.fetchone()[0]


def expired_export_files(*, now: datetime.datetime) -> list[str]:
    """The storage names of the staff's export files written over 24 hours before `now`."""
    if not default_storage.exists(EXPORT_FOLDER):
        return []
    cutoff = now - datetime.timedelta(hours=EXPORT_FILE_HOURS)
    _folders, files = default_storage.listdir(EXPORT_FOLDER)
    names = [f"{EXPORT_FOLDER}/{file}" for file in files]
    return sorted(name for name in names if default_storage.get_modified_time(name) < cutoff)


def erase_private_data(
    *, before: datetime.datetime, now: datetime.datetime, dry_run: bool = False
) -> ErasureCounts:
    """Erase private contact data older than `before` (a timezone-aware datetime): phones
    of profiles last changed before it, messages of correction requests sent before it,
    IP addresses of audit entries written before it; and the expired rate limits' counters
    (at `now`). The published record and the audit trail's pseudonymous entries stay."""
    phones = Candidate.objects.filter(updated_at__lt=before).exclude(phone="")
    messages = CorrectionRequest.objects.filter(created_at__lt=before).exclude(message="")
    addresses = AuditEntry.objects.filter(at__lt=before, ip_address__isnull=False)
    counts = ErasureCounts(
        phones=phones.count(),
        correction_messages=messages.count(),
        ip_addresses=addresses.count(),
        rate_limit_entries=_expired_rate_limits(now=now, delete=False),
    )
    if not dry_run:
        with transaction.atomic():
            # update() leaves updated_at alone: the profile itself did not change.
            phones.update(phone="")
            messages.update(message="")
            addresses.update(ip_address=None)
            counts.rate_limit_entries = _expired_rate_limits(now=now, delete=True)
    return counts


def apply_retention(
    *, now: datetime.datetime, before: datetime.datetime | None = None, dry_run: bool = False
) -> ErasureCounts:
    """Apply the whole retention table at `now` (see the module). `before` moves the
    12 months' line of private contacts and addresses to another date."""
    if before is None:
        before = now - datetime.timedelta(days=PRIVATE_DATA_DAYS)
    accounts = list(unverified_accounts(now=now))
    signatures = list(expired_signatures(now=now))
    jobs = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
        finished_at__lt=now - datetime.timedelta(days=JOB_RESULT_DAYS),
    )
    pending_alerts = AlertSubscription.objects.pending().filter(
        created_at__lt=now - datetime.timedelta(days=PENDING_ALERT_DAYS)
    )
    export_files = expired_export_files(now=now)
    counts = ErasureCounts(
        unverified_accounts=len(accounts),
        signatures=len(signatures),
        job_results=jobs.count(),
        pending_alerts=pending_alerts.count(),
        export_files=len(export_files),
    )
    if not dry_run:
        for user in accounts:
            delete_account(user=user)
        for signature in signatures:
            with transaction.atomic():
                erase_pledges(pledges=[signature], candidate=signature.candidate, now=now)
        jobs.delete()
        pending_alerts.delete()
        for name in export_files:
            default_storage.delete(name)
    return counts + erase_private_data(before=before, now=now, dry_run=dry_run)
