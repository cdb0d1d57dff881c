"""Staff CSV export of signatories with their private contact data.

French Excel opens it as is: UTF-8 with a byte-order mark, `;` between cells. Cells a
spreadsheet would read as a formula are defused by pledges.csv.neutralise.

The queue's « Exporter ces signataires (CSV) » writes it in a job
(pledges.moderation.export_tasks) to a private file of the default storage, under
`EXPORT_FOLDER`, which the nightly retention deletes `EXPORT_FILE_HOURS` after it was written.
"""

import csv
import datetime
import io
from typing import TextIO

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from pledges.csv import neutralise
from pledges.models import Signature, SignedCommitment

EXPORT_FOLDER = "exports"
EXPORT_FILE_HOURS = 24

STAFF_COLUMNS = [
    ("id", lambda p: p.pk),
    ("statut", lambda p: p.get_status_display()),
    ("prenom", lambda p: p.candidate.first_name),
    ("nom", lambda p: p.candidate.last_name),
    ("email", lambda p: p.candidate.user.email),
    ("telephone", lambda p: p.candidate.phone),
    ("role", lambda p: p.candidate.get_role_display()),
    ("liste", lambda p: p.candidate.list_name),
    ("etiquette", lambda p: p.candidate.political_label),
    ("site_web", lambda p: p.candidate.website),
    ("commune", lambda p: p.candidate.commune.name),
    ("code_insee", lambda p: p.candidate.commune.insee_code),
    ("departement", lambda p: p.candidate.commune.departement_id),
    ("region", lambda p: p.candidate.commune.departement.region_id),
    ("envoyee_le", lambda p: _date(p.submitted_at)),
    ("validee_le", lambda p: _date(p.approved_at)),
    ("retiree_le", lambda p: _date(p.withdrawn_at)),
    ("engagements", lambda p: " ".join(s.commitment.code for s in p.active)),
]


def _date(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


def staff_export_queryset(pledges: QuerySet) -> QuerySet:
    return pledges.select_related(
        "candidate__user", "candidate__commune__departement"
    ).prefetch_related(
        Prefetch(
            "signed_commitments",
            queryset=SignedCommitment.objects.filter(withdrawn_at__isnull=True).select_related(
                "commitment__proposal"
            ),
            to_attr="active",
        )
    )


def write_staff_csv(pledges: QuerySet[Signature], out: TextIO) -> int:
    """Write the export of `pledges` to a text stream (opened with newline=""); returns
    how many signatures it holds."""
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([name for name, _ in STAFF_COLUMNS])
    rows = 0
    for pledge in staff_export_queryset(pledges).iterator(chunk_size=2000):
        writer.writerow([neutralise(get(pledge)) for _, get in STAFF_COLUMNS])
        rows += 1
    return rows


def staff_csv(pledges: QuerySet[Signature]) -> str:
    buffer = io.StringIO()
    write_staff_csv(pledges, buffer)
    return buffer.getvalue()


def export_filename(day: datetime.date) -> str:
    """The name the browser saves an export under."""
    return f"signataires-coorace-{day:%Y-%m-%d}.csv"
