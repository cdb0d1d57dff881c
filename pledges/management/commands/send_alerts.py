"""manage.py send_alerts: the voters' daily digest (pledges.alerts.services).

Run each evening by config/deploy/coorace-alerts.timer. Enqueues one job per confirmed
subscription with something new; the worker sends them (at most one courriel a day each).
`--dry-run` counts them without enqueuing.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from pledges.alerts.services import due_subscriptions, queue_digests


class Command(BaseCommand):
    help = (
        "Envoie (par la file des tâches) le courriel quotidien des alertes : à chaque "
        "adresse confirmée, ce qui a changé dans sa commune depuis son dernier courriel."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Compte les courriels, sans les envoyer."
        )

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        if dry_run:
            count = due_subscriptions(now=now).count()
            self.stdout.write(f"Courriels d’alerte qui seraient envoyés : {count}")
            self.stdout.write(self.style.WARNING("Simulation (--dry-run) : rien n’a été envoyé."))
            return
        count = queue_digests(now=now)
        self.stdout.write(self.style.SUCCESS(f"Courriels d’alerte mis en file : {count}"))
