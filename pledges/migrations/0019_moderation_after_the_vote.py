"""The « Modération » group moderates follow-up updates, sees relays, and writes mailings.

Sending a mailing (`send_mailing`) and creating relays stay with the accounts staff choose;
moderators see the relays (`view_relay`) and prepare mailings (`add_mailing`, `change_mailing`,
`view_mailing`). Candidate and list outcomes are decided through the existing
`pledges.moderate_pledge` permission.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTED = [
    "view_followupupdate",
    "change_followupupdate",
    "view_followupreminder",
    "view_relay",
    "view_relaylink",
    "view_mailing",
    "add_mailing",
    "change_mailing",
    "view_mailingdelivery",
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("pledges")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Modération")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="pledges", codename__in=GRANTED)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Modération").first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="pledges", codename__in=GRANTED)
        )


class Migration(migrations.Migration):
    dependencies = [("pledges", "0018_after_the_vote_relays_scopes_mailings")]

    operations = [migrations.RunPython(grant, revoke)]
