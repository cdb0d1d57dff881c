"""manage.py erase_private_data: apply the retention table (pledges.moderation.retention).

Run daily by config/deploy/coorace-retention.timer. It enqueues the job that applies the
table (pledges.moderation.retention_tasks): the worker runs it, and its counts stay in the
job's result in the admin. With the immediate backend (tests) the job has run when the
command prints, and the command prints its counts. `--dry-run` says what would go, here and
now, without enqueuing anything.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_tasks import TaskResultStatus

from pledges.moderation.exports import EXPORT_FILE_HOURS
from pledges.moderation.retention import (
    JOB_RESULT_DAYS,
    PENDING_ALERT_DAYS,
    PRIVATE_DATA_DAYS,
    SIGNATURE_MONTHS_AFTER_ELECTION,
    UNVERIFIED_ACCOUNT_DAYS,
    ErasureCounts,
    apply_retention,
)
from pledges.moderation.retention_tasks import erase_private_data


class Command(BaseCommand):
    help = (
        "Applique les durées de conservation : comptes jamais vérifiés après "
        f"{UNVERIFIED_ACCOUNT_DAYS} jours ; signatures refusées, dépubliées ou jamais publiées "
        f"{SIGNATURE_MONTHS_AFTER_ELECTION} mois après le dernier tour de l’élection ; "
        "téléphones, messages des demandes de correction et adresses IP du journal des "
        "décisions après 12 mois ; tâches terminées (adresses électroniques) après "
        f"{JOB_RESULT_DAYS} jours ; compteurs expirés des limites de débit (adresses IP) ; "
        f"alertes jamais confirmées après {PENDING_ALERT_DAYS} jours ; exports de "
        f"signataires de l’équipe après {EXPORT_FILE_HOURS} heures. "
        "Les signatures publiées et le journal pseudonyme restent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--before",
            metavar="AAAA-MM-JJ",
            help=(
                "Efface les téléphones, messages et adresses IP antérieurs à cette date "
                "(défaut : il y a 12 mois)."
            ),
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Dit ce qui serait effacé, sans rien effacer."
        )

    def handle(self, *args, before=None, dry_run=False, **options):
        now = timezone.now()
        if before:
            try:
                day = datetime.date.fromisoformat(before)
            except ValueError:
                raise CommandError(
                    f"Date invalide : « {before} ». Écrivez-la AAAA-MM-JJ, par exemple 2021-01-01."
                ) from None
            if day > timezone.localdate(now):
                raise CommandError("La date ne peut pas être dans le futur.")
            cutoff = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        else:
            cutoff = now - datetime.timedelta(days=PRIVATE_DATA_DAYS)
        if dry_run:
            counts = apply_retention(now=now, before=cutoff, dry_run=True)
        else:
            job = erase_private_data.enqueue(before if before is None else cutoff.isoformat())
            if job.status == TaskResultStatus.FAILED:
                raise CommandError(
                    f"L’effacement a échoué (tâche {job.id}) : voir « Task results »."
                )
            if job.status != TaskResultStatus.SUCCESSFUL:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Effacement mis en file (tâche {job.id}) : le worker l’applique, "
                        "ses chiffres seront dans « Task results »."
                    )
                )
                return
            counts = ErasureCounts(**job.return_value)
        verb = "seraient effacés" if dry_run else "effacés"
        feminine = "seraient effacées" if dry_run else "effacées"
        self.stdout.write(
            f"Comptes jamais vérifiés depuis plus de {UNVERIFIED_ACCOUNT_DAYS} jours {verb} : "
            f"{counts.unverified_accounts}"
        )
        self.stdout.write(
            f"Signatures non publiques, {SIGNATURE_MONTHS_AFTER_ELECTION} mois après "
            f"l’élection, {feminine} : {counts.signatures}"
        )
        self.stdout.write(f"Avant le {timezone.localtime(cutoff):%d/%m/%Y} :")
        self.stdout.write(f"  téléphones {verb} : {counts.phones}")
        self.stdout.write(f"  messages de correction {verb} : {counts.correction_messages}")
        self.stdout.write(f"  adresses IP du journal {verb} : {counts.ip_addresses}")
        self.stdout.write(
            f"Tâches terminées depuis plus de {JOB_RESULT_DAYS} jours {feminine} : "
            f"{counts.job_results}"
        )
        self.stdout.write(
            f"Compteurs expirés des limites de débit {verb} : {counts.rate_limit_entries}"
        )
        self.stdout.write(
            f"Alertes jamais confirmées après {PENDING_ALERT_DAYS} jours {feminine} : "
            f"{counts.pending_alerts}"
        )
        self.stdout.write(
            f"Exports de signataires de plus de {EXPORT_FILE_HOURS} heures {verb} : "
            f"{counts.export_files}"
        )
        if dry_run:
            self.stdout.write(self.style.WARNING("Simulation (--dry-run) : rien n’a été effacé."))
        else:
            self.stdout.write(self.style.SUCCESS("Effacement terminé."))
