"""Signatures recorded with a free-text list name become lists (pledges/lists/migration.py).

Prints one summary line; `manage.py report_list_migration` details what was done (lists,
heads, members, claims, lists flagged for staff, signatures left out, with their ids).
The reverse is a no-op: the lists stay (unapplying 0009 drops them with their tables), and
applying this migration again adds nothing twice.
"""

import sys

from django.db import migrations

from pledges.lists.migration import migrate_list_names


def lists_from_list_names(apps, schema_editor):
    report = migrate_list_names(apps)
    sys.stdout.write(f"\n  {report.summary()}\n  Détail : manage.py report_list_migration\n")


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0004_secteur_ballot_note_individual_role"),
        ("communes", "0002_secteur"),
        ("pledges", "0009_lists"),
    ]

    operations = [
        migrations.RunPython(lists_from_list_names, migrations.RunPython.noop, elidable=False),
    ]
