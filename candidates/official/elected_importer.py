"""Import the RNE's conseillers municipaux (`manage.py import_elus`).

How the file is read is candidates/official/elected_file.py. The contract is the
candidatures' (candidates.official.importer):

- A file that cannot be read (not this file, no header, nothing placed) stops the import
  with the file, the line and the reason, and writes nothing.
- A line that cannot be placed (unknown commune, unreadable date, wrong number of columns, a
  duplicate) is not imported but listed in ElectedImport.report with its number and reason.
- One transaction. Each councillor keeps a key (`row_key`: commune, person_key, birth date),
  so that the same file again changes nothing, and a newer file updates what changed, adds
  what is new and sets `gone_at` on who is no longer in it.
- `elected_imported` is sent once the transaction commits (never for a --dry-run):
  pledges.outcomes ties the councillors to the candidatures and the site's lists.

The file is read twice (its SHA-256 and encoding, then its rows); the councillors already in
the database are held as one dict (row_key → pk, fields, gone or not) to diff.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.official.elected_file import (
    DELIMITER_NAMES,
    Layout,
    Row,
    find_layout,
    is_mayor,
    read_rows,
)
from candidates.official.importer import BATCH_SIZE, REPORT_MAX_LINES, SHRINK_CHECK_FROM, _fit
from candidates.official.ministry_file import (
    FileFacts,
    Places,
    Problem,
    RosterFileError,
    file_facts,
)
from candidates.official.models import ElectedCouncillor, ElectedImport, person_key
from candidates.official.signals import elected_imported

_FIELDS = (
    "commune_id",
    "last_name",
    "first_name",
    "name_key",
    "sex",
    "birth_date",
    "mandate_start",
    "function",
    "is_mayor",
)


def row_key(row: Row) -> str:
    """« 01004|camillemartin|1980-02-03 »: two homonyms of a council differ by birth date."""
    born = row.birth_date.isoformat() if row.birth_date else ""
    return f"{row.insee_code}|{person_key(row.first_name, row.last_name)}|{born}"


def _fields(row: Row) -> tuple:
    last_name = _fit(ElectedCouncillor, "last_name", row.last_name)
    first_name = _fit(ElectedCouncillor, "first_name", row.first_name)
    return (
        row.place.commune_id,
        last_name,
        first_name,
        person_key(first_name, last_name),
        row.sex,
        row.birth_date,
        row.mandate_start,
        _fit(ElectedCouncillor, "function", row.function),
        is_mayor(row.function),
    )


@dataclass
class ElectedImporter:
    path: Path
    batch_size: int = BATCH_SIZE
    problems: list[Problem] = field(default_factory=list)
    facts: FileFacts | None = None
    layout: Layout | None = None

    def read(self) -> None:
        """Everything that can stop the import happens here, before anything is written."""
        self.started_at = timezone.now()
        self.facts = file_facts(self.path)
        self.layout = find_layout(self.path, self.facts.encoding)
        self.rows: dict[str, tuple] = {}
        self.rows_read = 0
        first_line: dict[str, int] = {}
        for row in read_rows(self.path, self.facts.encoding, self.layout, Places()):
            self.rows_read += 1
            if isinstance(row, Problem):
                self.problems.append(row)
                continue
            key = row_key(row)
            if key in self.rows:
                self.problems.append(
                    Problem(
                        row.line,
                        _(
                            "élu·e en double (même commune, même nom, même date de naissance "
                            "qu’à la ligne %(line)s)"
                        )
                        % {"line": first_line[key]},
                        f"{row.first_name} {row.last_name}",
                    )
                )
                continue
            first_line[key] = row.line
            self.rows[key] = _fields(row)
        if not self.rows_read:
            raise RosterFileError(
                self.path, self.layout.header_line, _("aucun·e élu·e après l’en-tête")
            )
        if not self.rows:
            raise RosterFileError(
                self.path,
                None,
                _("aucune des %(count)s lignes n’a pu être placée (première : %(first)s)")
                % {"count": self.rows_read, "first": self.problems[0]},
            )

    def check_not_shrinking(self) -> None:
        sitting = ElectedCouncillor.objects.sitting().count()
        if sitting >= SHRINK_CHECK_FROM and len(self.rows) * 2 < sitting:
            raise RosterFileError(
                self.path,
                None,
                _(
                    "ce fichier ne compte que %(placed)s élu·es placé·es, contre %(sitting)s "
                    "déjà importé·es : les autres seraient marqué·es disparu·es. Est-ce bien "
                    "le fichier national complet ? (--allow-shrink pour l’importer quand même)"
                )
                % {"placed": len(self.rows), "sitting": sitting},
            )

    def write(self, *, dry_run: bool = False) -> ElectedImport:
        with transaction.atomic():
            if connection.vendor == "postgresql":  # a second import waits for the first
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(hashtext('import_elus'))")
            now = timezone.now()
            self.elected_import = run = ElectedImport.objects.create(
                file_name=_fit(ElectedImport, "file_name", str(self.path)),
                file_sha256=self.facts.sha256,
                encoding=self.facts.encoding,
                delimiter=self.layout.delimiter,
                started_at=self.started_at,
                finished_at=self.started_at,
                rows_read=self.rows_read,
                unplaced=len(self.problems),
            )
            existing = {
                key: (pk, tuple(values), gone_at)
                for pk, key, gone_at, *values in ElectedCouncillor.objects.values_list(
                    "pk", "row_key", "gone_at", *_FIELDS
                )
            }
            new, changed = [], []
            for key, fields in self.rows.items():
                values = dict(zip(_FIELDS, fields, strict=True))
                before = existing.pop(key, None)
                if before is None:
                    new.append(
                        ElectedCouncillor(row_key=key, first_import=run, last_import=run, **values)
                    )
                elif before[1] != fields or before[2] is not None:
                    changed.append(
                        ElectedCouncillor(pk=before[0], last_import=run, gone_at=None, **values)
                    )
            ElectedCouncillor.objects.bulk_create(new, batch_size=self.batch_size)
            ElectedCouncillor.objects.bulk_update(
                changed, [*_FIELDS, "last_import", "gone_at"], batch_size=self.batch_size
            )
            gone = sorted(pk for pk, _values, gone_at in existing.values() if gone_at is None)
            for start in range(0, len(gone), self.batch_size):
                ElectedCouncillor.objects.filter(
                    pk__in=gone[start : start + self.batch_size]
                ).update(gone_at=now, last_import=run)
            run.added, run.updated, run.gone = len(new), len(changed), len(gone)
            run.report = self.report()
            run.finished_at = timezone.now()
            run.save()
            if dry_run:
                transaction.set_rollback(True)
            else:
                transaction.on_commit(
                    lambda: elected_imported.send(sender=ElectedImport, elected_import=run)
                )
        if dry_run:
            self.elected_import.pk = None
        return self.elected_import

    def report(self) -> str:
        if not self.problems:
            return ""
        lines = [_("Lignes écartées (%(count)s) :") % {"count": len(self.problems)}]
        lines += [str(problem) for problem in self.problems[:REPORT_MAX_LINES]]
        if len(self.problems) > REPORT_MAX_LINES:
            lines.append(
                _("… et %(count)s autres.") % {"count": len(self.problems) - REPORT_MAX_LINES}
            )
        return "\n".join(lines)

    @property
    def delimiter_name(self) -> str:
        return DELIMITER_NAMES[self.layout.delimiter]


def import_elus(
    *, path: Path, dry_run: bool = False, allow_shrink: bool = False, batch_size: int = BATCH_SIZE
) -> tuple[ElectedImport, ElectedImporter]:
    """Read, check, then write the file in one transaction (rolled back for a dry run).

    Raises RosterFileError when the file cannot be imported; nothing is written then. Returns
    the ElectedImport (pk None for a dry run) and the importer (its problems)."""
    importer = ElectedImporter(path=Path(path), batch_size=batch_size)
    importer.read()
    if not allow_shrink:
        importer.check_not_shrinking()
    return importer.write(dry_run=dry_run), importer
