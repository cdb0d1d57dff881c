"""The audit log records staff's decisions on a signature's match with the official roster."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('pledges', '0013_audit_of_official_list_invitations'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditentry',
            name='action',
            field=models.CharField(choices=[('approved', 'validation'), ('changes_requested', 'demande de compléments'), ('rejected', 'refus'), ('unpublished', 'dépublication'), ('identity_edited', 'modification de l’identité par l’équipe'), ('certificate_reissued', 'réémission de l’attestation'), ('list_edited', 'modification de la liste par l’équipe'), ('claim_settled', 'revendication de tête de liste tranchée'), ('join_decided', 'adhésion à une liste décidée par l’équipe'), ('list_invited', 'invitation d’une liste officielle'), ('list_declined', 'refus d’une liste officielle enregistré'), ('roster_decided', 'correspondance officielle tranchée par l’équipe')], max_length=30, verbose_name='action'),
        ),
    ]
