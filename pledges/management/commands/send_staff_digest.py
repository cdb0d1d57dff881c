"""manage.py send_staff_digest: the moderators' digest of new signatures (pledges.signing.emails).

Run every ten minutes by config/deploy/coorace-staff-digest.timer. Enqueues one job for the
period since the last digest (the worker sends it: one courriel listing the signatures of
that period still waiting for a decision, none if none waits). `--dry-run` says what the
next digest would cover without enqueuing it.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from communes.grammar import french_date
from pledges.models import Signature
from pledges.signing.emails import digest_period, new_signatures, queue_staff_digest


class Command(BaseCommand):
    help = (
        "Met en file le courriel de l’équipe qui liste les signatures envoyées depuis le "
        "précédent et qui attendent une décision."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Dit ce que couvrirait le courriel, sans l’envoyer.",
        )

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        if not settings.STAFF_NOTIFICATION_EMAILS:
            self.stdout.write(
                self.style.WARNING(
                    "Aucune adresse de l’équipe (STAFF_NOTIFICATION_EMAILS) : rien à envoyer."
                )
            )
            return
        if dry_run:
            since, until = digest_period(now=now)
        else:
            since, until = queue_staff_digest(now=now)
        waiting = new_signatures(since=since, until=until).filter(status=Signature.Status.PENDING)
        period = " au ".join(french_date(moment, time_format="H:i:s") for moment in (since, until))
        period = f"du {period}"
        self.stdout.write(f"Signatures en attente envoyées {period} : {waiting.count()}")
        if dry_run:
            self.stdout.write(self.style.WARNING("Simulation (--dry-run) : rien n’a été envoyé."))
        else:
            self.stdout.write(self.style.SUCCESS("Courriel de l’équipe mis en file."))
