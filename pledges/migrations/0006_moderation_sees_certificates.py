"""Moderators see every version of a certificate (the admin shows them on each pledge)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    app_config = apps.get_app_config("pledges")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Modération")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="pledges", codename="view_certificate")
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Modération").first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="pledges", codename="view_certificate"
            )
        )


class Migration(migrations.Migration):
    dependencies = [("pledges", "0005_certificates")]

    operations = [migrations.RunPython(grant, revoke)]
