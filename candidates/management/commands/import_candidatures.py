"""manage.py import_candidatures: load a file of the Ministry's official candidatures."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from candidates.official.importer import RosterFileError, import_candidatures
from candidates.official.models import RosterKind, Tour

REPORT_LINES_PRINTED = 50


class ProgressBar:
    """A one-line bar on stderr, redrawn at most five times a second."""

    WIDTH = 30

    def __init__(self, stream):
        self.stream = stream
        self.phase = None
        self.drawn_at = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        finished = done >= total
        if phase == self.phase and not finished and now - self.drawn_at < 0.2:
            return
        if phase != self.phase and self.phase is not None:
            self.stream.write("\n")
        self.phase, self.drawn_at = phase, now
        share = done / total if total else 1
        filled = round(share * self.WIDTH)
        bar = "█" * filled + "·" * (self.WIDTH - filled)
        self.stream.write(
            f"\r{phase:<14} {bar} {share:>4.0%} ({done // 1_000_000} / {total // 1_000_000} Mo)"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.phase is not None:
            self.stream.write("\n")
            self.stream.flush()


class Command(BaseCommand):
    help = (
        "Importe un fichier des candidatures publié par le ministère de l’Intérieur (« Livre "
        "des listes et candidats » ou « Livre des candidats scrutin plurinominal ») en une seule "
        "transaction : tout ou rien. Une nouvelle exécution avec le même fichier ne change "
        "rien ; un fichier plus récent du même tour met à jour, ajoute et signale ce qui a "
        "disparu."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            type=Path,
            metavar="FICHIER",
            help="Le fichier .txt du ministère (séparé par des tabulations).",
        )
        parser.add_argument(
            "--tour",
            type=int,
            choices=Tour.values,
            required=True,
            help="Le tour de scrutin du fichier : 1 ou 2.",
        )
        parser.add_argument(
            "--kind",
            choices=RosterKind.values,
            help="Le type de fichier (par défaut : reconnu d’après l’en-tête).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Tout lire et tout compter, puis annuler : rien n’est écrit.",
        )
        parser.add_argument(
            "--allow-shrink",
            action="store_true",
            help="Importer même un fichier qui compte moins de la moitié des candidatures déjà "
            "importées pour ce tour (les autres seront marquées disparues).",
        )
        parser.add_argument(
            "--progress",
            action="store_true",
            help="Afficher la barre de progression même hors d’un terminal.",
        )

    def handle(self, *args, **options):
        path = options["file"]
        verbosity = options["verbosity"]
        bar = None
        if verbosity >= 1 and (options["progress"] or self.stderr.isatty()):
            bar = ProgressBar(self.stderr)
        started = time.perf_counter()
        try:
            roster_import, importer = import_candidatures(
                path=path,
                tour=options["tour"],
                kind=options["kind"],
                dry_run=options["dry_run"],
                allow_shrink=options["allow_shrink"],
                progress=bar,
            )
        except RosterFileError as error:
            raise CommandError(f"Import annulé, rien n’a été écrit. {error}.") from None
        finally:
            if bar:
                bar.close()
        elapsed = time.perf_counter() - started
        if verbosity == 0:
            return
        r = roster_import
        self.stdout.write(
            f"{r.get_kind_display()}, {r.get_tour_display()} — {path} "
            f"(encodage {r.encoding}) : {r.rows_read} ligne(s) lue(s)."
        )
        if r.kind == RosterKind.LISTS:
            self.stdout.write(
                f"Listes : {r.lists_added} ajoutée(s), {r.lists_updated} modifiée(s), "
                f"{r.lists_gone} disparue(s) du fichier."
            )
        self.stdout.write(
            f"Candidat·es : {r.candidates_added} ajouté·es, {r.candidates_updated} modifié·es, "
            f"{r.candidates_gone} disparu·es du fichier."
        )
        if importer.repairs:
            self.stdout.write(f"Lignes réparées (colonnes décalées) : {len(importer.repairs)}.")
        if r.unplaced:
            self.stdout.write(
                self.style.WARNING(
                    f"Lignes non placées : {r.unplaced} (non importées, détail ci-dessous"
                    + (
                        ""
                        if options["dry_run"]
                        else " et dans l’administration, « Imports des candidatures »"
                    )
                    + ")."
                )
            )
        write_report(self, r.report, verbosity)
        write_done(self, dry_run=options["dry_run"], elapsed=elapsed)


def write_report(command: BaseCommand, report: str, verbosity: int) -> None:
    """An import's report, its first REPORT_LINES_PRINTED lines unless --verbosity 2."""
    lines = report.splitlines()
    shown = lines if verbosity >= 2 else lines[:REPORT_LINES_PRINTED]
    for line in shown:
        command.stdout.write(f"  {line}")
    if len(shown) < len(lines):
        command.stdout.write(
            f"  … {len(lines) - len(shown)} ligne(s) de plus (--verbosity 2 pour tout afficher)."
        )


def write_done(command: BaseCommand, *, dry_run: bool, elapsed: float) -> None:
    if dry_run:
        command.stdout.write(
            command.style.SUCCESS(f"Essai à blanc terminé en {elapsed:.1f} s : rien n’a été écrit.")
        )
    else:
        command.stdout.write(command.style.SUCCESS(f"Import terminé en {elapsed:.1f} s."))
