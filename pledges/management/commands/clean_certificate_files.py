"""manage.py clean_certificate_files: delete certificate PDFs that no certificate owns.

Before renders were locked, concurrent first downloads wrote several copies of one
version; deleted certificates and failed writes left files too, and a full disk left some
certificates' files cut short. The latter are deleted too, so that their next download
renders them again; a certificate's complete file is never touched
(pledges.certificates.services.orphan_files says which are kept).
"""

from django.core.management.base import BaseCommand

from pledges.certificates.services import delete_orphan_files


class Command(BaseCommand):
    help = (
        "Supprime les fichiers PDF d’attestation qu’aucune attestation n’utilise "
        "(copies en double, fichiers d’attestations supprimées, écritures interrompues) et "
        "les fichiers tronqués, qui seront rendus de nouveau au prochain téléchargement. "
        "Le fichier complet d’une attestation n’est jamais touché."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Liste les fichiers sans rien supprimer."
        )

    def handle(self, *args, dry_run=False, **options):
        orphans = delete_orphan_files(dry_run=dry_run)
        verb = "à supprimer" if dry_run else "supprimé"
        for name in orphans:
            self.stdout.write(f"  {verb}\u00a0: {name}")
        self.stdout.write(f"Fichiers orphelins\u00a0: {len(orphans)}")
        if dry_run:
            self.stdout.write(
                self.style.WARNING("Simulation (--dry-run)\u00a0: rien n’a été supprimé.")
            )
        else:
            self.stdout.write(self.style.SUCCESS("Nettoyage terminé."))
