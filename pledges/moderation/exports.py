"""Staff CSV export of signatories with their private contact data.

French Excel opens it as is: UTF-8 with a byte-order mark, `;` between cells. Cells a
spreadsheet would read as a formula are defused by pledges.csv.neutralise.
"""

import csv
import io

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from pledges.csv import neutralise
from pledges.models import Signature, SignedCommitment

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


def staff_csv(pledges: QuerySet[Signature]) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([name for name, _ in STAFF_COLUMNS])
    for pledge in staff_export_queryset(pledges).iterator(chunk_size=2000):
        writer.writerow([neutralise(get(pledge)) for _, get in STAFF_COLUMNS])
    return buffer.getvalue()
