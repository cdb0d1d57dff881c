"""PostgreSQL only: autovacuum visits the signatures after 2 % of their rows changed rather
than 20 %, so that the visibility map stays current and the dashboard's counts are read
from the index `signature_counts` alone (an index-only scan reads the table for every row
of a page changed since the last vacuum). On SQLite there is nothing to set."""

from django.db import migrations

TABLE = "pledges_signature"
SETTINGS = "autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02"


def tune(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} SET ({SETTINGS})")


def untune(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE {TABLE} RESET (autovacuum_vacuum_scale_factor, "
            "autovacuum_vacuum_insert_scale_factor)"
        )


class Migration(migrations.Migration):
    dependencies = [("pledges", "0021_dashboard_indexes")]

    operations = [migrations.RunPython(tune, untune, elidable=False)]
