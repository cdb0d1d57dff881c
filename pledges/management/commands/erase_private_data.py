"""manage.py erase_private_data: erase private contact data past its retention date."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pledges.moderation.retention import erase_private_data

RETENTION_DAYS = 365


class Command(BaseCommand):
    help = (
        "Efface les données de contact privées plus anciennes qu’une date : téléphones des "
        "candidats, messages des demandes de correction, adresses IP du journal des "
        "décisions. Les signatures publiées et le journal pseudonyme restent. Par défaut, "
        "tout ce qui a plus de 12 mois."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--before",
            metavar="AAAA-MM-JJ",
            help="Efface ce qui est antérieur à cette date (défaut : il y a 12 mois).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Compte sans rien effacer.")

    def handle(self, *args, before=None, dry_run=False, **options):
        if before:
            try:
                day = datetime.date.fromisoformat(before)
            except ValueError:
                raise CommandError(
                    f"Date invalide : « {before} ». Écrivez-la AAAA-MM-JJ, par exemple 2021-01-01."
                ) from None
            if day > timezone.localdate():
                raise CommandError("La date ne peut pas être dans le futur.")
            cutoff = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        else:
            cutoff = timezone.now() - datetime.timedelta(days=RETENTION_DAYS)
        counts = erase_private_data(before=cutoff, dry_run=dry_run)
        verb = "seraient effacés" if dry_run else "effacés"
        self.stdout.write(f"Avant le {timezone.localtime(cutoff):%d/%m/%Y} :")
        self.stdout.write(f"  téléphones {verb} : {counts.phones}")
        self.stdout.write(f"  messages de correction {verb} : {counts.correction_messages}")
        self.stdout.write(f"  adresses IP du journal {verb} : {counts.ip_addresses}")
        if dry_run:
            self.stdout.write(self.style.WARNING("Simulation (--dry-run) : rien n’a été effacé."))
        else:
            self.stdout.write(self.style.SUCCESS("Effacement terminé."))
