"""manage.py send_follow_up_reminders: the reminders to report on the follow-up.

Run each morning by config/deploy/coorace-reminders.timer. Enqueues one job per reminder
due that day (one year after taking office, mid-term: pledges.reminders.schedule) and, on
the first run of each week, the staff digest of the elected with no update
(pledges.reminders.services); the worker sends them. `--dry-run` counts them without
enqueuing.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from pledges.reminders.schedule import due_reminders
from pledges.reminders.services import due_digests, queue_reminders, queue_staff_digests


class Command(BaseCommand):
    help = (
        "Envoie (par la file des tâches) les rappels de suivi dus ce jour aux signataires "
        "élu·es (un an après la prise de fonctions, à mi-mandat) et, une fois par semaine, "
        "à l’équipe de modération la liste des élu·es sans mise à jour du suivi."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Compte les courriels, sans les envoyer."
        )

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        if dry_run:
            reminders = len(due_reminders(today=timezone.localdate(now)))
            digests = len(due_digests(now=now))
            self.stdout.write(f"Rappels de suivi qui seraient envoyés : {reminders}")
            self.stdout.write(f"Récapitulatifs pour l’équipe qui seraient envoyés : {digests}")
            self.stdout.write(self.style.WARNING("Simulation (--dry-run) : rien n’a été envoyé."))
            return
        reminders = queue_reminders(now=now)
        digests = queue_staff_digests(now=now)
        self.stdout.write(self.style.SUCCESS(f"Rappels de suivi mis en file : {reminders}"))
        self.stdout.write(
            self.style.SUCCESS(f"Récapitulatifs pour l’équipe mis en file : {digests}")
        )
