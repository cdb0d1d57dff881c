"""The dashboard's counts are read from indexes (migrations candidates 0008, pledges 0021
and 0022): on PostgreSQL, the plan of a count by day is an index-only scan of
`signature_counts` once the table is vacuumed, and autovacuum visits the signatures after
2 % of their rows changed."""

import pytest
from django.db import connection
from django.db.models import Count
from django.db.models.functions import TruncDate

from pledges.models import Signature
from tests.factories import approve, make_pledge

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def test_a_count_by_day_reads_the_index_alone(reference_data):
    pledges = [approve(make_pledge()) for _ in range(3)]
    campaign_id = pledges[0].campaign_id
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) pledges_signature")
        # A three-row table is read whole whatever its indexes: leave the planner only
        # index-only scans, which it can use only with an index holding every column read.
        for plan_kind in ("seqscan", "bitmapscan", "indexscan"):
            cursor.execute(f"SET enable_{plan_kind} = off")
        try:
            plan = (
                Signature.objects.filter(campaign_id=campaign_id)
                .values(day=TruncDate("submitted_at"))
                .annotate(n=Count("pk"))
                .explain()
            )
        finally:
            cursor.execute("RESET ALL")
    assert "Index Only Scan using signature_counts" in plan


def test_autovacuum_visits_the_signatures_often():
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'pledges_signature'")
        (options,) = cursor.fetchone()
    assert set(options) >= {
        "autovacuum_vacuum_scale_factor=0.02",
        "autovacuum_vacuum_insert_scale_factor=0.02",
    }
