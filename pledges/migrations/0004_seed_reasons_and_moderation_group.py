"""Seed the rejection reasons and the « Modération » group with its permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REASONS = [
    (
        "introuvable",
        "Candidature introuvable sur les listes officielles",
        "Nous n’avons pas trouvé votre candidature sur les listes officielles publiées par la "
        "préfecture pour cette commune.",
        False,
    ),
    (
        "doublon",
        "Doublon",
        "Une autre signature existe déjà pour la même personne dans cette commune : nous "
        "gardons celle-là.",
        False,
    ),
    (
        "incomplet",
        "Informations incomplètes ou erronées",
        "Les informations de votre candidature sont incomplètes ou erronées, et nous n’avons "
        "pas pu les vérifier.",
        False,
    ),
    (
        "inapproprie",
        "Contenu inapproprié",
        "Votre déclaration ou les informations publiques de votre candidature ne respectent "
        "pas les règles de publication du site.",
        False,
    ),
    ("autre", "Autre", "Votre signature n’a pas pu être validée.", True),
]

MODERATION_PERMISSIONS = [
    ("pledges", "view_pledge"),
    ("pledges", "moderate_pledge"),
    ("pledges", "export_pledges"),
    ("pledges", "view_pledgeevent"),
    ("pledges", "view_signature"),
    ("pledges", "view_rejectionreason"),
    ("pledges", "view_auditentry"),
    ("pledges", "view_campaign"),
    ("pledges", "view_proposal"),
    ("pledges", "view_commitment"),
    ("candidates", "view_candidate"),
    ("candidates", "view_correctionrequest"),
    ("candidates", "change_correctionrequest"),
    ("communes", "view_commune"),
    ("communes", "view_departement"),
    ("communes", "view_region"),
]


def seed(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    RejectionReason = apps.get_model("pledges", "RejectionReason")
    for position, (code, label, text, free) in enumerate(REASONS, start=1):
        RejectionReason.objects.update_or_create(
            code=code,
            defaults={
                "label": label,
                "candidate_text": text,
                "requires_free_text": free,
                "position": position,
            },
        )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Modération")
    for app_label, codename in MODERATION_PERMISSIONS:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def unseed(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Modération").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("pledges", "0003_moderation"),
        ("candidates", "0001_initial"),
        ("communes", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
