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

from django.db.models import QuerySet
from django.utils import timezone

from candidates.models import Candidate
from pledges.csv import neutralise
from pledges.models import Signature, SignedCommitment

EXPORT_FOLDER = "exports"
EXPORT_FILE_HOURS = 24

# Column → the value of the signature's row it writes (read with `values()`, see below).
STAFF_COLUMNS = [
    ("id", "pk"),
    ("statut", "status"),
    ("prenom", "candidate__first_name"),
    ("nom", "candidate__last_name"),
    ("email", "candidate__user__email"),
    ("telephone", "candidate__phone"),
    ("role", "candidate__role"),
    ("liste", "candidate__list_name"),
    ("etiquette", "candidate__political_label"),
    ("site_web", "candidate__website"),
    ("commune", "candidate__commune__name"),
    ("code_insee", "candidate__commune__insee_code"),
    ("departement", "candidate__commune__departement_id"),
    ("region", "candidate__commune__departement__region_id"),
    ("envoyee_le", "submitted_at"),
    ("validee_le", "approved_at"),
    ("retiree_le", "withdrawn_at"),
    ("engagements", None),  # the codes of the commitments it still signs, in charter order
]
CHUNK = 2000


def _date(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


def _codes(pledge_ids: list[int]) -> dict[int, str]:
    """Signature pk → « 1.1 2.3 … », the commitments it still signs (one query)."""
    codes: dict[int, list[str]] = {}
    active = (
        SignedCommitment.objects.filter(pledge_id__in=pledge_ids, withdrawn_at__isnull=True)
        .order_by("commitment__proposal__number", "commitment__position")
        .values_list("pledge_id", "commitment__proposal__number", "commitment__position")
    )
    for pledge_id, number, position in active:
        codes.setdefault(pledge_id, []).append(f"{number}.{position}")
    return {pledge_id: " ".join(each) for pledge_id, each in codes.items()}


def write_staff_csv(pledges: QuerySet[Signature], out: TextIO) -> int:
    """Write the export of `pledges` to a text stream (opened with newline=""); returns
    how many signatures it holds.

    Rows are read as values, 2,000 at a time with their commitments in one query per
    chunk, and the labels looked up once: building a model instance per signature, candidate,
    account, commune and signed commitment cost about a millisecond a row."""
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([name for name, _ in STAFF_COLUMNS])
    labels = {
        "status": {value: str(label) for value, label in Signature.Status.choices},
        "candidate__role": {value: str(label) for value, label in Candidate.Role.choices},
    }
    dates = {"submitted_at", "approved_at", "withdrawn_at"}
    fields = [field for _, field in STAFF_COLUMNS if field]
    rows = 0
    chunk: list[dict] = []

    def flush():
        codes = _codes([row["pk"] for row in chunk])
        for row in chunk:
            cells = []
            for _, field in STAFF_COLUMNS:
                if field is None:
                    value = codes.get(row["pk"], "")
                elif field in labels:
                    value = labels[field].get(row[field], row[field])
                elif field in dates:
                    value = _date(row[field])
                else:
                    value = row[field]
                cells.append(neutralise(value))
            writer.writerow(cells)
        chunk.clear()

    for row in pledges.values(*fields).iterator(chunk_size=CHUNK):
        chunk.append(row)
        rows += 1
        if len(chunk) == CHUNK:
            flush()
    flush()
    return rows


def staff_csv(pledges: QuerySet[Signature]) -> str:
    buffer = io.StringIO()
    write_staff_csv(pledges, buffer)
    return buffer.getvalue()


def export_filename(day: datetime.date) -> str:
    """The name the browser saves an export under."""
    return f"signataires-coorace-{day:%Y-%m-%d}.csv"
