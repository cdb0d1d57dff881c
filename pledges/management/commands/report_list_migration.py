"""manage.py report_list_migration: how the free-text list names map onto list records.

Migration 0010 (pledges/lists/migration.py) turned the signatures recorded with a list name
into lists; this command says, with ids, what that gives today: each list, whether it was
created, its head and its signature, its members, the claims and the flags for staff, and
the signatures left out. It writes nothing, unless --apply: then it does what is still to
do (nothing twice), as the migration did.
"""

from django.apps import apps
from django.core.management.base import BaseCommand

from pledges.lists.migration import Report, migrate_list_names

MEMBER_STATUSES = {
    "requested": "demande en attente",
    "confirmed": "membre",
    "refused": "demande refusée",
    "left": "a quitté la liste",
    "removed": "retiré·e de la liste",
}


def _id(value: int | None) -> str:
    return f"#{value}" if value is not None else "(à créer)"


class Command(BaseCommand):
    help = (
        "Rapport de la reprise des noms de liste libres en listes (migration 0010) : listes "
        "créées, têtes de liste, colistier·es rattaché·es, revendications et listes à vérifier, "
        "signatures laissées hors liste, avec leurs identifiants. N’écrit rien, sauf avec "
        "--apply, qui fait ce qui reste à faire (jamais deux fois)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--apply",
            action="store_true",
            help="Crée ce qui manque encore (listes, adhésions, revendications), comme la "
            "migration.",
        )
        parser.add_argument(
            "--flagged-only",
            action="store_true",
            help="Ne détaille que les listes à vérifier par l’équipe.",
        )

    def handle(self, *args, apply=False, flagged_only=False, **options):
        report = migrate_list_names(apps, dry_run=not apply)
        self.write_report(report, flagged_only=flagged_only)

    def write_report(self, report: Report, *, flagged_only: bool) -> None:
        write = self.stdout.write
        for outcome in report.flagged if flagged_only else report.lists:
            state = ("à créer" if report.dry_run else "créée") if outcome.created else "déjà là"
            write(f"Liste {_id(outcome.list_pk)} « {outcome.name} », {outcome.place} : {state}")
            if len(outcome.spellings) > 1:
                spellings = ", ".join(f"« {name} »" for name in outcome.spellings)
                write(f"  noms saisis : {spellings}")
            if outcome.head:
                signature = _id(outcome.head_signature) if outcome.head_signature else "aucune"
                write(f"  tête de liste : {outcome.head}, signature de la liste {signature}")
            else:
                write("  tête de liste : aucune")
            for member in outcome.members:
                new = " (rattaché·e)" if member.new else ""
                write(
                    f"  colistier·e : adhésion {_id(member.membership)}, {member.name}, "
                    f"{MEMBER_STATUSES.get(member.status, member.status)}{new}"
                )
            for claim in outcome.claims:
                write(
                    f"  revendication {_id(claim.claim)} : {claim.name}, qui garde sa "
                    f"signature #{claim.signature}"
                )
            for flag in outcome.flags:
                write(self.style.WARNING(f"  à vérifier : {flag}"))
        if report.left_out and not flagged_only:
            write("Signatures laissées hors liste (inchangées) :")
            for item in report.left_out:
                write(
                    f"  signature #{item.signature}, {item.name}, « {item.list_name} » : "
                    f"{item.reason}"
                )
        write(self.style.SUCCESS(report.summary()))
        if report.dry_run:
            write("Rien n’a été écrit (--apply pour faire ce qui reste à faire).")
