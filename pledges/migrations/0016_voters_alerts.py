"""Voters' alerts (pledges.alerts): an address following a commune, pending until confirmed."""

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models

import pledges.models.alerts


class Migration(migrations.Migration):
    dependencies = [
        ("communes", "0004_tncc_and_region_sort_key"),
        ("pledges", "0015_vocabulary_and_publication_rules"),
    ]

    operations = [
        migrations.CreateModel(
            name="AlertSubscription",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("email", models.EmailField(max_length=254, verbose_name="adresse de courriel")),
                (
                    "token",
                    models.CharField(
                        default=pledges.models.alerts.new_alert_token,
                        max_length=40,
                        unique=True,
                        verbose_name="jeton",
                    ),
                ),
                ("created_at", models.DateTimeField(verbose_name="demandée le")),
                (
                    "confirmed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="confirmée le"),
                ),
                (
                    "last_sent_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="dernier envoi le"),
                ),
                (
                    "commune",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="alert_subscriptions",
                        to="communes.commune",
                        verbose_name="commune",
                    ),
                ),
            ],
            options={
                "verbose_name": "alerte par courriel",
                "verbose_name_plural": "alertes par courriel",
                "constraints": [
                    models.UniqueConstraint(
                        models.F("commune"),
                        django.db.models.functions.text.Lower("email"),
                        name="alert_one_per_address_and_commune",
                        violation_error_message="Cette adresse suit déjà cette commune.",
                    )
                ],
            },
        ),
    ]
