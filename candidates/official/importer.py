"""Import the Ministry of the Interior's files of candidatures (`manage.py import_candidatures`).

How the files are read (format, columns, places, awkward rows) is
candidates/official/ministry_file.py. Here, the contract of the import, as for the communes':

- A file that is not one of these files stops the import with the file, the line number and
  the reason, and writes nothing; so does a file where no row could be placed.
- A row that cannot be placed (or a duplicate) is not imported but listed in the report
  (RosterImport.report) with its line number; the counts say how many. Repaired rows are
  listed too.
- Everything is written in one transaction. Each list and candidate keeps a key made of its
  place in the file (`row_key`: place code, panel, number), so that the same file again
  changes nothing and a newer file of the same round updates what changed, adds what is new
  and sets `gone_at` on what it no longer holds (of the same kind of file).
- `last_import` is the import that last wrote the row (created, changed or marked gone; for a
  list, also the last that changed its candidates), not the last one that read it: a second
  run of the same file writes nothing but its RosterImport.
- For round 2, candidates.official.rounds.link_rounds ties the lists to round 1's, in the same
  transaction. `roster_imported` is sent once it commits.

The file is read three times, line by line (memory bounded by the number of lists, not of
candidates): once for its SHA-256 and its encoding, once to check every row and build the
lists, once to write the candidates. The candidates already in the database for the round
are held as one dict (row_key → pk, a 64-bit hash of their fields, gone or not) to diff.
On PostgreSQL new rows are written with COPY, the candidates' fed by the reading loop itself;
elsewhere with bulk_create.
"""

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.official.ministry_file import (
    Places,
    Problem,
    RosterFileError,
    Row,
    file_facts,
    find_layout,
    read_rows,
    tours_announced,
)
from candidates.official.models import (
    ListOutcome,
    OfficialCandidate,
    OfficialList,
    RosterImport,
    RosterKind,
    Tour,
    new_invitation_code,
    person_key,
)
from candidates.official.signals import roster_imported
from communes.models import Commune
from communes.search import normalize_name

BATCH_SIZE = 5000
COPY_CHUNK = 1 << 16  # characters handed to PostgreSQL's COPY at a time
REPORT_MAX_LINES = 10_000
# A round with this many candidates standing refuses a file with less than half of them.
SHRINK_CHECK_FROM = 1000
_MASK64 = (1 << 64) - 1

# --- The import -------------------------------------------------------------------------------

Progress = Callable[[str, int, int], None]  # (phase, bytes done, bytes in all)


@dataclass
class ListDraft:
    commune_id: int
    secteur_id: int | None
    panel: int
    values: tuple[str, str, str] = ("", "", "")  # short name, name, nuance
    head: tuple[str, str] = ("", "")
    count: int = 0
    numbers: int = 0  # bitmask of the candidate numbers seen
    first_line: int = 0
    has_head: bool = False

    def fields(self) -> tuple:
        short_name, name, nuance = self.values
        return (
            self.commune_id,
            self.secteur_id,
            self.panel,
            short_name,
            name,
            normalize_name(name),
            normalize_name(short_name),
            nuance,
            self.head[0],
            self.head[1],
            person_key(*self.head) if self.has_head else "",
            self.count,
        )


_LIST_FIELDS = (
    "commune_id",
    "secteur_id",
    "panel_number",
    "short_name",
    "name",
    "name_key",
    "short_name_key",
    "nuance",
    "head_first_name",
    "head_last_name",
    "head_key",
    "candidate_count",
)
_CANDIDATE_FIELDS = (
    "commune_id",
    "secteur_id",
    "official_list_id",
    "panel_number",
    "number",
    "sex",
    "last_name",
    "first_name",
    "name_key",
    "nationality",
    "communautaire",
)


def _fit(model, name: str, value: str) -> str:
    return value[: model._meta.get_field(name).max_length]


def _communautaire(value: str) -> bool | None:
    value = value.upper()
    return True if value in ("O", "OUI") else False if value in ("N", "NON") else None


@dataclass
class Importer:
    path: Path
    tour: int
    kind: str | None = None
    progress: Progress | None = None
    batch_size: int = BATCH_SIZE
    problems: list[Problem] = field(default_factory=list)
    repairs: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def _progress(self, phase: str, done: int) -> None:
        if self.progress:
            self.progress(phase, done, self.facts.size)

    # Reading: everything that can stop the import happens before anything is written.

    def read(self) -> None:
        self.started_at = timezone.now()
        self.facts = file_facts(self.path)
        self.layout = find_layout(self.path, self.facts.encoding, self.kind)
        self._check_tour()
        self.places = Places()
        self.lists: dict[str, ListDraft] = {}
        self.seen_individuals: dict[str, int] = {}  # place key → bitmask of panel numbers
        self.skip: set[int] = set()
        self.rows_read = 0
        self.placed = 0
        self.commune_ids: set[int] = set()
        for row in read_rows(
            self.path, self.facts.encoding, self.layout, self.places, notes=self.repairs
        ):
            self.rows_read += 1
            if isinstance(row, Problem):
                self.problems.append(row)
                self.skip.add(row.line)
            elif not self._take(row):
                self.skip.add(row.line)
            else:
                self.placed += 1
                self.commune_ids.add(row.place.commune_id)
            if self.rows_read % 20000 == 0:
                self._progress(_("Vérification"), self._offset_estimate(row.line))
        self._progress(_("Vérification"), self.facts.size)
        if not self.rows_read:
            raise RosterFileError(
                self.path, self.layout.header_line, _("aucune candidature après l’en-tête")
            )
        if not self.placed:
            raise RosterFileError(
                self.path,
                None,
                _("aucune des %(count)s lignes n’a pu être placée (première : %(first)s)")
                % {"count": self.rows_read, "first": self.problems[0]},
            )
        for draft in self.lists.values():
            if not draft.has_head:
                self.notes.append(
                    _(
                        "ligne %(line)s : la liste n° %(panel)s n’a pas de "
                        "candidat·e n° 1 (tête de liste)"
                    )
                    % {"line": draft.first_line, "panel": draft.panel}
                )

    def check_not_shrinking(self) -> None:
        standing = (
            OfficialCandidate.objects.standing()
            .filter(tour=self.tour, kind=self.layout.kind)
            .count()
        )
        if standing >= SHRINK_CHECK_FROM and self.placed * 2 < standing:
            raise RosterFileError(
                self.path,
                None,
                _(
                    "ce fichier ne compte que %(placed)s candidatures placées, contre "
                    "%(standing)s déjà importées pour ce tour : les autres seraient marquées "
                    "disparues. Est-ce bien le fichier national complet ? (--allow-shrink pour "
                    "l’importer quand même)"
                )
                % {"placed": self.placed, "standing": standing},
            )

    def _offset_estimate(self, line: int) -> int:
        # Rows are of similar length: the share of lines read is the share of bytes read.
        return min(self.facts.size, line * self.facts.size // max(self.facts.lines, 1))

    def _check_tour(self) -> None:
        said = tours_announced(self.layout.preamble)
        if len(said) == 1 and self.tour not in said:
            raise RosterFileError(
                self.path,
                1,
                _(
                    "le préambule « %(preamble)s » annonce le tour %(said)s, pas le tour "
                    "%(tour)s demandé (--tour)"
                )
                % {"preamble": self.layout.preamble, "said": said.pop(), "tour": self.tour},
            )

    def _take(self, row: Row) -> bool:
        """Count the row in its list (or its commune); False for a duplicate."""
        layout = self.layout
        if layout.kind == RosterKind.INDIVIDUALS:
            seen = self.seen_individuals.get(row.place.key, 0)
            if seen >> row.panel & 1:
                self.problems.append(
                    Problem(
                        row.line,
                        _(
                            "candidat·e en double (même commune, même n° de panneau qu’une ligne "
                            "précédente)"
                        ),
                        "\t".join(row.cells[:-1]),
                    )
                )
                return False
            self.seen_individuals[row.place.key] = seen | 1 << row.panel
            return True
        key = f"{row.place.key}|{row.panel}"
        draft = self.lists.get(key)
        if draft is None:
            draft = self.lists[key] = ListDraft(
                row.place.commune_id, row.place.secteur_id, row.panel, first_line=row.line
            )
        if draft.numbers >> row.number & 1:
            self.problems.append(
                Problem(
                    row.line,
                    _("candidat·e en double (même liste, même n° qu’une ligne précédente)"),
                    "\t".join(row.cells[:-1]),
                )
            )
            return False
        draft.numbers |= 1 << row.number
        draft.count += 1
        if row.number == 1 or draft.count == 1:
            draft.values = (
                _fit(OfficialList, "short_name", layout.cell(row.cells, "short_name")),
                _fit(OfficialList, "name", layout.cell(row.cells, "name")),
                _fit(OfficialList, "nuance", layout.cell(row.cells, "nuance")),
            )
        if row.number == 1:
            draft.has_head = True
            draft.head = (
                _fit(OfficialList, "head_first_name", layout.cell(row.cells, "first_name")),
                _fit(OfficialList, "head_last_name", layout.cell(row.cells, "last_name")),
            )
        return True

    # Writing: one transaction.

    def write(self, *, dry_run: bool = False) -> RosterImport:
        started_at = self.started_at
        with transaction.atomic():
            if connection.vendor == "postgresql":  # a second import waits for the first
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(hashtext('import_candidatures'))")
            self.now = timezone.now()
            self.roster_import = RosterImport.objects.create(
                tour=self.tour,
                kind=self.layout.kind,
                file_name=_fit(RosterImport, "file_name", str(self.path)),
                file_sha256=self.facts.sha256,
                encoding=self.facts.encoding,
                started_at=started_at,
                finished_at=started_at,
                rows_read=self.rows_read,
                unplaced=len(self.problems),
            )
            list_pks = self._write_lists() if self.layout.kind == RosterKind.LISTS else {}
            self._write_candidates(list_pks)
            self._set_votes_by_list()
            if self.tour == Tour.SECOND:
                from candidates.official.rounds import link_rounds

                link_rounds(roster_import=self.roster_import)
            self.roster_import.report = self.report()
            self.roster_import.finished_at = timezone.now()
            self.roster_import.save()
            if dry_run:
                transaction.set_rollback(True)
            else:
                roster_import = self.roster_import
                transaction.on_commit(
                    lambda: roster_imported.send(sender=RosterImport, roster_import=roster_import)
                )
        if dry_run:
            self.roster_import.pk = None
        return self.roster_import

    def _write_lists(self) -> dict[str, int]:
        counts = self.roster_import
        existing = {
            row_key: (pk, tuple(values), gone_at)
            for pk, row_key, gone_at, *values in OfficialList.objects.filter(
                tour=self.tour
            ).values_list("pk", "row_key", "gone_at", *_LIST_FIELDS)
        }
        new, changed = [], []
        for row_key, draft in self.lists.items():
            fields = draft.fields()
            values = dict(zip(_LIST_FIELDS, fields, strict=True))
            before = existing.pop(row_key, None)
            if before is None:
                new.append((row_key, fields))
            elif before[1] != fields or before[2] is not None:
                changed.append(
                    OfficialList(pk=before[0], last_import=counts, gone_at=None, **values)
                )
        self._insert_lists(new)
        OfficialList.objects.bulk_update(
            changed, [*_LIST_FIELDS, "last_import", "gone_at"], batch_size=self.batch_size
        )
        gone = [pk for pk, _values, gone_at in existing.values() if gone_at is None]
        for start in range(0, len(gone), self.batch_size):
            OfficialList.objects.filter(pk__in=gone[start : start + self.batch_size]).update(
                gone_at=self.now, last_import=counts
            )
        counts.lists_added, counts.lists_updated, counts.lists_gone = (
            len(new),
            len(changed),
            len(gone),
        )
        return dict(OfficialList.objects.filter(tour=self.tour).values_list("row_key", "pk"))

    def _insert_lists(self, rows: list[tuple[str, tuple]]) -> None:
        """New lists, each with an invitation code no other list has."""
        taken = set(OfficialList.objects.values_list("invitation_code", flat=True))
        codes = []
        for _row in rows:
            code = new_invitation_code()
            while code in taken:
                code = new_invitation_code()
            taken.add(code)
            codes.append(code)
        import_pk = self.roster_import.pk
        if connection.vendor == "postgresql":
            self._copy_rows(
                OfficialList,
                [
                    "tour",
                    "row_key",
                    *_LIST_FIELDS,
                    "invitation_code",
                    "first_import_id",
                    "last_import_id",
                    # COPY writes no column default: blank until the elected are imported.
                    "outcome",
                ],
                (
                    (self.tour, row_key, *fields, code, import_pk, import_pk, ListOutcome.UNKNOWN)
                    for (row_key, fields), code in zip(rows, codes, strict=True)
                ),
            )
            return
        OfficialList.objects.bulk_create(
            [
                OfficialList(
                    tour=self.tour,
                    row_key=row_key,
                    invitation_code=code,
                    first_import_id=import_pk,
                    last_import_id=import_pk,
                    **dict(zip(_LIST_FIELDS, fields, strict=True)),
                )
                for (row_key, fields), code in zip(rows, codes, strict=True)
            ],
            batch_size=self.batch_size,
        )

    @staticmethod
    def _copy_rows(model, columns: list[str], rows) -> None:
        """COPY FROM STDIN of a few thousand rows of any values (see _copy for the many)."""
        buffer = io.StringIO()
        for values in rows:
            buffer.write("\t".join(_copy_value(value) for value in values))
            buffer.write("\n")
        buffer.seek(0)
        table = connection.ops.quote_name(model._meta.db_table)
        quoted = ", ".join(connection.ops.quote_name(name) for name in columns)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(f"COPY {table} ({quoted}) FROM STDIN", buffer)

    def _existing_candidates(self) -> dict[str, int]:
        """row_key → pk << 65 | gone << 64 | 64-bit hash of the fields, for the round's file."""
        existing = {}
        rows = OfficialCandidate.objects.filter(tour=self.tour, kind=self.layout.kind)
        for pk, row_key, gone_at, *values in rows.values_list(
            "pk", "row_key", "gone_at", *_CANDIDATE_FIELDS
        ).iterator(chunk_size=20000):
            existing[row_key] = (
                pk << 65 | (gone_at is not None) << 64 | hash(tuple(values)) & _MASK64
            )
        return existing

    def _write_candidates(self, list_pks: dict[str, int]) -> None:
        """Diff the file's candidates against the round's, add, update, mark gone.

        The new ones stream into the database as the file is read: on PostgreSQL as one COPY
        fed by the reading loop (PostgreSQL inserts while Python parses: two cores at work),
        elsewhere by batches of bulk_create. The changed ones wait in a list, (pk, fields),
        until the reading is over (a COPY holds the connection); a newer file changes few."""
        counts = self.roster_import
        existing = self._existing_candidates()
        changed: list[tuple[int, tuple]] = []
        touched: set[int | None] = set()  # lists whose candidates were added or changed
        new_rows = self._new_candidates(list_pks, existing, changed, touched)
        if connection.vendor == "postgresql":
            added = self._copy_candidates(new_rows)
        else:
            added = 0
            batch = []
            for row in new_rows:
                batch.append(row)
                if len(batch) >= self.batch_size:
                    added += self._bulk_create_candidates(batch)
            added += self._bulk_create_candidates(batch)
        self._update_candidates(changed)
        gone = [packed >> 65 for packed in existing.values() if not packed >> 64 & 1]
        existing.clear()
        for start in range(0, len(gone), self.batch_size):
            OfficialCandidate.objects.filter(pk__in=gone[start : start + self.batch_size]).update(
                gone_at=self.now, last_import=counts
            )
        # A list's last_import is also the last import that changed its candidates (round 2's
        # link_rounds looks again at the lists of that import).
        touched.discard(None)
        touched = sorted(touched)
        for start in range(0, len(touched), self.batch_size):
            OfficialList.objects.filter(pk__in=touched[start : start + self.batch_size]).exclude(
                last_import=counts
            ).update(last_import=counts)
        self._progress(_("Écriture"), self.facts.size)
        counts.candidates_added, counts.candidates_updated = added, len(changed)
        counts.candidates_gone = len(gone)

    def _update_candidates(self, changed: list[tuple[int, tuple]]) -> None:
        """The changed candidates: on PostgreSQL, UPDATE … FROM (VALUES …) by thousands (Django's
        bulk_update writes a CASE per column, slow past a few hundred rows); elsewhere
        bulk_update."""
        counts = self.roster_import
        if connection.vendor != "postgresql":
            for start in range(0, len(changed), 500):
                OfficialCandidate.objects.bulk_update(
                    [
                        OfficialCandidate(
                            pk=pk,
                            last_import=counts,
                            gone_at=None,
                            **dict(zip(_CANDIDATE_FIELDS, fields, strict=True)),
                        )
                        for pk, fields in changed[start : start + 500]
                    ],
                    [*_CANDIDATE_FIELDS, "last_import", "gone_at"],
                )
            return
        from psycopg2.extras import execute_values

        table = connection.ops.quote_name(OfficialCandidate._meta.db_table)
        types = [
            OfficialCandidate._meta.get_field(name.removesuffix("_id"))
            for name in _CANDIDATE_FIELDS
        ]
        casts = ["bigint" if field.is_relation else field.db_type(connection) for field in types]
        template = "(%s::bigint, " + ", ".join(f"%s::{cast}" for cast in casts) + ")"
        assignments = ", ".join(f"{name} = v.{name}" for name in _CANDIDATE_FIELDS)
        sql = (
            f"UPDATE {table} AS c SET {assignments}, last_import_id = %s, gone_at = NULL "
            f"FROM (VALUES %%s) AS v (id, {', '.join(_CANDIDATE_FIELDS)}) WHERE c.id = v.id"
        )
        with connection.cursor() as cursor:
            for start in range(0, len(changed), 1000):
                rows = [(pk, *fields) for pk, fields in changed[start : start + 1000]]
                execute_values(
                    cursor.cursor,
                    cursor.cursor.mogrify(sql, [counts.pk]).decode(),
                    rows,
                    template=template,
                    page_size=1000,
                )

    def _new_candidates(
        self,
        list_pks: dict[str, int],
        existing: dict[str, int],
        changed: list[tuple[int, tuple]],
        touched: set,
    ) -> Iterator[tuple[str, tuple]]:
        """The file's new candidates, (row_key, fields); the changed ones go to `changed`, and
        `existing` keeps only those the file no longer has."""
        layout = self.layout
        lists = layout.kind == RosterKind.LISTS
        fit = {
            name: OfficialCandidate._meta.get_field(name).max_length
            for name in ("sex", "last_name", "first_name", "nationality")
        }
        last_at, first_at = layout.position("last_name"), layout.position("first_name")
        sex_at, nationality_at = layout.position("sex"), layout.position("nationality")
        communautaire_at = layout.position("communautaire")
        fit_last, fit_first = fit["last_name"], fit["first_name"]
        fit_sex, fit_nationality = fit["sex"], fit["nationality"]
        skip = self.skip
        pop = existing.pop
        read = 0
        for row in read_rows(self.path, self.facts.encoding, layout, self.places, notes=None):
            read += 1
            if read % 20000 == 0:
                self._progress(_("Écriture"), self._offset_estimate(row.line))
            if row.__class__ is Problem or row.line in skip:
                continue
            cells = row.cells
            place = row.place
            if lists:
                list_key = f"{place.key}|{row.panel}"
                row_key = f"L|{list_key}|{row.number}"
                list_pk = list_pks[list_key]
            else:
                row_key = f"P|{place.key}|{row.panel}"
                list_pk = None
            last_name = cells[last_at][:fit_last]
            first_name = cells[first_at][:fit_first]
            fields = (
                place.commune_id,
                place.secteur_id,
                list_pk,
                row.panel,
                row.number,
                cells[sex_at].upper()[:fit_sex],
                last_name,
                first_name,
                person_key(first_name, last_name),
                cells[nationality_at][:fit_nationality],
                _communautaire(cells[communautaire_at]) if lists else None,
            )
            before = pop(row_key, None)
            if before is None:
                touched.add(list_pk)
                yield row_key, fields
            elif before & _MASK64 != hash(fields) & _MASK64 or before >> 64 & 1:
                touched.add(list_pk)
                changed.append((before >> 65, fields))

    def _bulk_create_candidates(self, rows: list[tuple[str, tuple]]) -> int:
        count = len(rows)
        OfficialCandidate.objects.bulk_create(
            [
                OfficialCandidate(
                    tour=self.tour,
                    kind=self.layout.kind,
                    last_import_id=self.roster_import.pk,
                    row_key=row_key,
                    **dict(zip(_CANDIDATE_FIELDS, fields, strict=True)),
                )
                for row_key, fields in rows
            ],
            batch_size=self.batch_size,
        )
        rows.clear()
        return count

    def _copy_candidates(self, rows: Iterator[tuple[str, tuple]]) -> int:
        """One COPY FROM STDIN (PostgreSQL), fed line by line by the reading loop.

        The text format: tab-separated, \\N for NULL, backslashes doubled (a cell of the file
        holds no tab or line break: the file is split on them)."""
        columns = ["tour", "kind", "last_import_id", "row_key", *_CANDIDATE_FIELDS]
        prefix = f"{self.tour}\t{self.layout.kind}\t{self.roster_import.pk}\t"
        null, true, false = "\\N", "t", "f"
        count = 0

        def lines() -> Iterator[str]:
            nonlocal count
            for row_key, fields in rows:
                count += 1
                commune, secteur, official_list, panel, number, sex, last, first, key, nat, com = (
                    fields
                )
                if "\\" in row_key or "\\" in last or "\\" in first or "\\" in sex or "\\" in nat:
                    yield prefix + _copy_escaped(row_key, fields) + "\n"
                    continue
                yield (
                    "\t".join(
                        (
                            prefix + row_key,
                            str(commune),
                            null if secteur is None else str(secteur),
                            null if official_list is None else str(official_list),
                            str(panel),
                            null if number is None else str(number),
                            sex,
                            last,
                            first,
                            key,
                            nat,
                            null if com is None else true if com else false,
                        )
                    )
                    + "\n"
                )

        table = connection.ops.quote_name(OfficialCandidate._meta.db_table)
        quoted = ", ".join(connection.ops.quote_name(name) for name in columns)
        reader = _LinesReader(lines())
        with connection.cursor() as cursor:
            try:
                cursor.cursor.copy_expert(
                    f"COPY {table} ({quoted}) FROM STDIN", reader, size=COPY_CHUNK
                )
            except Exception:
                if reader.error is not None:  # psycopg2 wraps it: raise what went wrong
                    raise reader.error from None
                raise
        return count

    def _set_votes_by_list(self) -> None:
        votes_by_list = self.layout.kind == RosterKind.LISTS
        ids = sorted(self.commune_ids)
        for start in range(0, len(ids), self.batch_size):
            Commune.objects.filter(pk__in=ids[start : start + self.batch_size]).exclude(
                votes_by_list=votes_by_list
            ).update(votes_by_list=votes_by_list)

    def report(self) -> str:
        lines = []
        if self.problems:
            lines.append(_("Lignes non placées (%(count)s) :") % {"count": len(self.problems)})
            lines += [str(problem) for problem in self.problems[:REPORT_MAX_LINES]]
            if len(self.problems) > REPORT_MAX_LINES:
                lines.append(
                    _("… et %(count)s autres.") % {"count": len(self.problems) - REPORT_MAX_LINES}
                )
        if self.repairs:
            lines.append(_("Lignes réparées (%(count)s) :") % {"count": len(self.repairs)})
            lines += [str(repair) for repair in self.repairs[:REPORT_MAX_LINES]]
        if self.notes:
            lines.append(_("Remarques (%(count)s) :") % {"count": len(self.notes)})
            lines += self.notes[:REPORT_MAX_LINES]
        return "\n".join(lines)


class _LinesReader:
    """A text file whose read() takes lines from an iterator: COPY reads as Python writes."""

    def __init__(self, lines: Iterator[str]):
        self.lines = lines
        self.pending = ""
        self.error: Exception | None = None

    def read(self, size: int = -1) -> str:
        parts, length = [self.pending], len(self.pending)
        try:
            for line in self.lines:
                parts.append(line)
                length += len(line)
                if 0 <= size <= length:
                    break
        except Exception as error:
            self.error = error
            raise
        text = "".join(parts)
        if size < 0:
            self.pending = ""
            return text
        self.pending = text[size:]
        return text[:size]

    def readline(self, size: int = -1) -> str:
        return self.read(size)


def _copy_value(value) -> str:
    """One value in COPY's text format (no tab or line break can be in the file's cells)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).replace("\\", "\\\\")


def _copy_escaped(row_key: str, fields: tuple) -> str:
    """A COPY line whose text has a backslash: every value escaped."""
    return "\t".join(_copy_value(value) for value in (row_key, *fields))


def import_candidatures(
    *,
    path: Path,
    tour: int,
    kind: str | None = None,
    dry_run: bool = False,
    allow_shrink: bool = False,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> tuple[RosterImport, Importer]:
    """Read, check, then write the file in one transaction (rolled back for a dry run).

    Raises RosterFileError when the file cannot be imported; nothing is written then. A file
    holding less than half the candidates already standing for its round and kind (an
    extract, a département's file) would mark the rest gone: once the round has
    SHRINK_CHECK_FROM candidates, it is refused unless `allow_shrink`.
    Returns the RosterImport (pk None for a dry run) and the importer (its problems,
    repairs and notes).
    """
    if tour not in Tour.values:
        raise ValueError(f"tour must be one of {Tour.values}")
    importer = Importer(
        path=Path(path), tour=tour, kind=kind, progress=progress, batch_size=batch_size
    )
    importer.read()
    if not allow_shrink:
        importer.check_not_shrinking()
    return importer.write(dry_run=dry_run), importer
