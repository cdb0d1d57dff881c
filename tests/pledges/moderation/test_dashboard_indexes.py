"""The dashboard's counts are read from indexes (migrations candidates 0008, pledges 0021
and 0022): on PostgreSQL, the plan of a count by day of approval is an index-only scan of
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
    """The approved signatures counted by day of approval (the shape of the coverage's and
    the per-day counts) read `signature_counts` alone: when an index holds every column a
    query reads, PostgreSQL plans an Index Only Scan on it, whatever the table's visibility
    map says (that only changes its cost). Without the index, or without `id` in it (Django
    counts COUNT(id)), the plan reads the table."""
    for _ in range(3):
        approve(make_pledge())
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) pledges_signature")
        # A three-row table is read whole whatever its indexes: forbid that, so that the
        # planner takes the index that `status` leads (no other does).
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_bitmapscan = off")
        try:
            plan = (
                Signature.objects.filter(status=Signature.Status.APPROVED)
                .values(day=TruncDate("approved_at"))
                .annotate(n=Count("pk"))
                .explain()
            )
        finally:
            cursor.execute("RESET ALL")
    assert "Index Only Scan using signature_counts" in plan, plan


def test_autovacuum_visits_the_signatures_often():
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'pledges_signature'")
        (options,) = cursor.fetchone()
    assert set(options) >= {
        "autovacuum_vacuum_scale_factor=0.02",
        "autovacuum_vacuum_insert_scale_factor=0.02",
    }
