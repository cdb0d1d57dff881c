"""The models take the names the site shows: a « signature » is a Signature (was Pledge),
an « engagement signé » a SignedCommitment (was Signature). Every row is kept.

The tables are renamed in that order (pledges_signedcommitment must be free before
pledges_signature takes its name), the content types follow (Django renames them), and so do
the permission codenames, which Django does not rename: the « Modération » group keeps
what it may do.
"""

from django.db import migrations, models

# Old model name → new one, in the order the codenames must move.
RENAMES = [
    ("signature", "signedcommitment"),
    ("pledgeevent", "signatureevent"),
    ("pledgetrace", "signaturetrace"),
    ("pledge", "signature"),
]
ACTIONS = ("add", "change", "delete", "view")


def current_codename(codename: str) -> str:
    """What a codename of before this migration is called after it (for tests' seeding)."""
    for old, new in RENAMES:
        for action in ACTIONS:
            if codename == f"{action}_{old}":
                return f"{action}_{new}"
    return codename


def rename_codenames(apps, schema_editor, renames=RENAMES):
    Permission = apps.get_model("auth", "Permission")
    for old, new in renames:
        for action in ACTIONS:
            Permission.objects.filter(
                content_type__app_label="pledges", codename=f"{action}_{old}"
            ).update(codename=f"{action}_{new}")


def restore_codenames(apps, schema_editor):
    rename_codenames(apps, schema_editor, [(new, old) for old, new in reversed(RENAMES)])


class Migration(migrations.Migration):
    dependencies = [
        ("pledges", "0006_moderation_sees_certificates"),
        ("candidates", "0002_candidate_search_key"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RenameModel("Signature", "SignedCommitment"),
        migrations.RenameModel("PledgeEvent", "SignatureEvent"),
        migrations.RenameModel("PledgeTrace", "SignatureTrace"),
        migrations.RenameModel("Pledge", "Signature"),
        migrations.AlterField(
            model_name="signedcommitment",
            name="pledge",
            field=models.ForeignKey(
                on_delete=models.deletion.CASCADE,
                related_name="signed_commitments",
                to="pledges.signature",
                verbose_name="signature",
            ),
        ),
        migrations.AlterField(
            model_name="signedcommitment",
            name="commitment",
            field=models.ForeignKey(
                on_delete=models.deletion.PROTECT,
                related_name="signed_commitments",
                to="pledges.commitment",
                verbose_name="engagement",
            ),
        ),
        migrations.AlterField(
            model_name="signature",
            name="campaign",
            field=models.ForeignKey(
                on_delete=models.deletion.PROTECT,
                related_name="signatures",
                to="pledges.campaign",
                verbose_name="campagne",
            ),
        ),
        migrations.AlterField(
            model_name="signature",
            name="candidate",
            field=models.ForeignKey(
                on_delete=models.deletion.CASCADE,
                related_name="signatures",
                to="candidates.candidate",
                verbose_name="candidat·e",
            ),
        ),
        migrations.RunPython(rename_codenames, restore_codenames),
    ]
