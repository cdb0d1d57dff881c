"""manage.py import_communes: load régions, départements, communes and arrondissements."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from communes.importer import VINTAGES, ImportFileError, VintageFiles, import_vintage


class Command(BaseCommand):
    help = (
        "Charge les régions, départements, communes et arrondissements municipaux "
        "(millésime 2020 par défaut) en une seule transaction. Une nouvelle exécution "
        "ne modifie que ce qui a changé."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--vintage",
            choices=VINTAGES,
            default="2020",
            help="Millésime des fichiers livrés avec le projet (défaut : 2020).",
        )
        for name in ("regions", "departements", "communes", "arrondissements"):
            parser.add_argument(
                f"--{name}",
                type=Path,
                metavar="FICHIER.csv",
                help=f"Un autre fichier CSV pour les {name} (remplace celui du millésime).",
            )

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        files = VintageFiles.for_vintage(options["vintage"])
        overrides = {
            name: options[name]
            for name in ("regions", "departements", "communes", "arrondissements")
            if options[name]
        }
        files = VintageFiles(**{**files.__dict__, **overrides})
        if self.verbosity >= 1:
            self.stdout.write(f"Lecture et vérification de {files.communes} …")
        started = time.perf_counter()
        try:
            report = import_vintage(files, progress=self._progress)
        except ImportFileError as error:
            raise CommandError(f"Import annulé, rien n’a été écrit. {error}") from None
        elapsed = time.perf_counter() - started
        if self.verbosity == 0:
            return
        for name, counts in report.counts.items():
            line = (
                f"{name} : {counts.created} créé(s), {counts.updated} modifié(s), "
                f"{counts.unchanged} inchangé(s)"
            )
            if counts.absent:
                line += f", {counts.absent} absent(s) du fichier conservé(s)"
            self.stdout.write(line)
        if report.changed:
            self.stdout.write(self.style.SUCCESS(f"Import terminé en {elapsed:.1f} s."))
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Rien à changer : la base est déjà à jour ({elapsed:.1f} s).")
            )

    def _progress(self, model, done: int, total: int) -> None:
        if self.verbosity >= 1 and total >= 1000:
            self.stdout.write(f"  {model._meta.verbose_name_plural} : {done}/{total}")
