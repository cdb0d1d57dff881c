"""manage.py import_elus: load the RNE's file of conseillers municipaux."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from candidates.management.commands.import_candidatures import write_done, write_report
from candidates.official.elected_importer import import_elus
from candidates.official.ministry_file import RosterFileError


class Command(BaseCommand):
    help = (
        "Importe le fichier des conseillers municipaux du Répertoire national des élus (RNE) "
        "en une seule transaction : tout ou rien. Une nouvelle exécution avec le même fichier "
        "ne change rien ; un fichier plus récent met à jour, ajoute et signale qui a disparu. "
        "Les élu·es sont ensuite rapproché·es des candidatures officielles et des listes du "
        "site (résultat de chaque liste, signataires élu·es)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            type=Path,
            metavar="FICHIER",
            help="Le fichier du RNE (séparé par des tabulations ou des points-virgules).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Tout lire et tout compter, puis annuler : rien n’est écrit.",
        )
        parser.add_argument(
            "--allow-shrink",
            action="store_true",
            help="Importer même un fichier qui compte moins de la moitié des élu·es déjà "
            "importé·es (les autres seront marqué·es disparu·es).",
        )

    def handle(self, *args, **options):
        path = options["file"]
        verbosity = options["verbosity"]
        started = time.perf_counter()
        try:
            run, importer = import_elus(
                path=path, dry_run=options["dry_run"], allow_shrink=options["allow_shrink"]
            )
        except RosterFileError as error:
            raise CommandError(f"Import annulé, rien n’a été écrit. {error}.") from None
        elapsed = time.perf_counter() - started
        if verbosity == 0:
            return
        self.stdout.write(
            f"Élu·es municipaux·ales — {path} (encodage {run.encoding}, séparateur "
            f"{importer.delimiter_name}) : {run.rows_read} ligne(s) lue(s)."
        )
        self.stdout.write(
            f"Élu·es : {run.added} ajouté·es, {run.updated} modifié·es, "
            f"{run.gone} disparu·es du fichier."
        )
        if run.unplaced:
            where = (
                "" if options["dry_run"] else " et dans l’administration, « Imports des élu·es »"
            )
            self.stdout.write(
                self.style.WARNING(
                    f"Lignes écartées : {run.unplaced} (non importées, détail ci-dessous{where})."
                )
            )
        write_report(self, run.report, verbosity)
        write_done(self, dry_run=options["dry_run"], elapsed=elapsed)
