"""The comparison grid of a commune: a row per list (or candidate), a column per commitment.

Built from a page of `board_rows(...)` (pledges/directory/lists.py), the charter and the
commune's totals; templates/pledges/directory/_grid.html prints it once, as a table that
CSS reflows into one card per row on a narrow screen. Rows come in blocks, one <tbody>
each: a secteur of Paris, Lyon or Marseille, a group of individual candidates. A page has
some 2,000 cells, so their markup is made here rather than by a template loop: a signed or
an absent cell is the same for every row of its column and is built once per column
(GridColumn), only a withdrawn cell, which gives its date, is built per cell.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from communes.grammar import french_date
from pledges.directory.queries import SignatoryRow
from pledges.models import Commitment, Proposal

# Each mark has its own shape (drawn by the CSS from the cell's class), not only its
# own colour, and its words for screen readers and phones.
MARKS = {"signed": "✓", "withdrawn": "↺", "absent": "–"}
MARK_MEANINGS = {
    "signed": gettext_lazy("signé"),
    "withdrawn": gettext_lazy("signé puis retiré"),
    "absent": gettext_lazy("non signé"),
}
# The cell's class: one letter, since a page prints thousands of cells.
CELL_CLASSES = {"signed": "s", "withdrawn": "w", "absent": "a"}
PLEDGE_PREFIX = "Je m’engage à "
SHORT_LABEL_LENGTH = 42


def long_date(value: date) -> str:
    """« 15 mars 2020 », and « 1er décembre 2026 » on the first of a month."""
    return french_date(value)


def short_label(text: str, length: int = SHORT_LABEL_LENGTH) -> str:
    """The commitment without « Je m’engage à », cut at a word near `length` characters.

    What a card names beside the code on a phone; the whole text is in the grid's key.
    """
    text = text.removeprefix(PLEDGE_PREFIX).strip()
    if len(text) <= length:
        return text
    words, used = [], 0
    for word in text.split():
        if words and used + 1 + len(word) > length:
            break
        words.append(word)
        used += len(word) + (1 if used else 0)
    return " ".join(words).rstrip(",;:.") + "…"


@dataclass(frozen=True)
class GridColumn:
    commitment: Commitment
    code: str
    label: str  # the short label
    anchor: str  # the id of its line in the grid's key

    @classmethod
    def of(cls, commitment: Commitment) -> "GridColumn":
        code = commitment.code
        return cls(
            commitment, code, short_label(commitment.text), "engagement-" + code.replace(".", "-")
        )

    @cached_property
    def absent_html(self) -> SafeString:
        return format_html('<td class="a"><span>{}</span></td>', MARK_MEANINGS["absent"])

    @cached_property
    def signed_html(self) -> SafeString:
        return self.marked_html("signed", MARK_MEANINGS["signed"])

    def marked_html(self, state: str, words: str) -> SafeString:
        """A marked cell: its class draws the mark, <b> names the commitment on phones."""
        return format_html(
            '<td class="{}"><b>{} {}</b> <span>{}</span></td>',
            CELL_CLASSES[state],
            self.code,
            self.label,
            words,
        )


@dataclass(frozen=True)
class GridCell:
    column: GridColumn
    state: str  # "signed", "withdrawn" or "absent"
    date: datetime | None  # when signed, or when withdrawn

    @property
    def label(self) -> str:
        """The words of the mark (computed here: a grid has many cells)."""
        if self.state == "withdrawn":
            return _("retiré le %(date)s") % {"date": french_date(self.date)}
        return str(MARK_MEANINGS[self.state])

    @property
    def html(self) -> SafeString:
        if self.state == "signed":
            return self.column.signed_html
        if self.state == "absent":
            return self.column.absent_html
        return self.column.marked_html(self.state, self.label)


@dataclass(frozen=True)
class GridRow:
    row: SignatoryRow
    cells: list[GridCell]

    @property
    def signed_count(self) -> int:
        return sum(cell.state == "signed" for cell in self.cells)

    @property
    def count_text(self) -> str:
        """What a phone says instead of the count column (0 and 1 are singular)."""
        total = len(self.cells)
        if not self.signed_count:
            return _("Aucun engagement signé sur %(total)d") % {"total": total}
        return ngettext(
            "%(count)d engagement signé sur %(total)d",
            "%(count)d engagements signés sur %(total)d",
            self.signed_count,
        ) % {"count": self.signed_count, "total": total}

    @property
    def cells_html(self) -> SafeString:
        return mark_safe("".join(cell.html for cell in self.cells))  # each part escaped


@dataclass(frozen=True)
class GridBlock:
    """Consecutive rows of one secteur (and one group): a <tbody> with its heading row."""

    heading: str  # "" when the commune has neither secteurs nor groups
    anchor: str  # the heading's id, for the secteurs' table of contents ("" if none)
    rows: list[GridRow]


def _block_heading(secteur, group: str, by_secteur: bool) -> str:
    group_text = _("Groupe « %(name)s »") % {"name": group} if group else ""
    # Lists recorded before secteurs were asked for (Paris, Lyon, Marseille) have none.
    secteur_text = secteur.name if secteur is not None else ""
    if by_secteur and secteur is None:
        secteur_text = _("Secteur à préciser")
    return " — ".join(text for text in (secteur_text, group_text) if text)


def grid_blocks(rows: list[GridRow], *, by_secteur: bool = False) -> list[GridBlock]:
    """The rows cut where their secteur or group changes (rows come sorted by both)."""
    blocks, anchors = [], set()
    for grid_row in rows:
        secteur = getattr(grid_row.row, "secteur", None)
        group = getattr(grid_row.row, "group", "")
        key = (getattr(secteur, "pk", None), group)
        if not blocks or blocks[-1][0] != key:
            anchor = ""
            if secteur is not None and secteur.pk not in anchors:
                anchor = f"secteur-{secteur.number}"
                anchors.add(secteur.pk)
            heading = _block_heading(secteur, group, by_secteur)
            blocks.append((key, GridBlock(heading, anchor, [])))
        blocks[-1][1].rows.append(grid_row)
    blocks = [block for _key, block in blocks]
    if any(block.heading for block in blocks):
        # Candidates without a group, after the groups: a heading of their own.
        blocks = [
            block
            if block.heading or not _are_individuals(block)
            else GridBlock(str(_("Sans groupe")), "", block.rows)
            for block in blocks
        ]
    return blocks


def _are_individuals(block: GridBlock) -> bool:
    return all(getattr(row.row, "electoral_list", None) is None for row in block.rows)


@dataclass(frozen=True)
class Grid:
    """A page of rows, a column per commitment grouped under its proposal, and totals.

    `totals` and `signatories` are over the whole commune, not only this page's rows.
    """

    proposals: list[tuple[Proposal, list[Commitment]]]
    columns: list[GridColumn]
    rows: list[GridRow]
    totals: list[int]  # current signatories of each commitment, in column order
    signatories: int  # current signatories in the commune
    by_secteur: bool = False  # Paris, Lyon, Marseille: a block per secteur

    @property
    def commitment_count(self) -> int:
        return len(self.columns)

    @property
    def span(self) -> int:
        """The table's width in columns: a block's heading row spans it."""
        return len(self.columns) + 2

    @cached_property
    def blocks(self) -> list[GridBlock]:
        return grid_blocks(self.rows, by_secteur=self.by_secteur)

    @property
    def legend(self) -> list[tuple[str, str, str]]:
        return [(state, MARKS[state], MARK_MEANINGS[state]) for state in MARKS]

    @cached_property
    def key(self) -> list[tuple[Proposal, list[GridColumn]]]:
        """The commitments' full texts, by proposal: the key printed under the grid."""
        by_pk = {column.commitment.pk: column for column in self.columns}
        return [(p, [by_pk[c.pk] for c in commitments]) for p, commitments in self.proposals]


def _cell(row: SignatoryRow, column: GridColumn) -> GridCell:
    signature = row.by_commitment.get(column.commitment.pk)
    if signature is None:
        return GridCell(column, "absent", None)
    withdrawn_on = row.withdrawn_on(signature)
    if withdrawn_on is not None:
        return GridCell(column, "withdrawn", withdrawn_on)
    return GridCell(column, "signed", signature.signed_at)


def commune_grid(
    rows: list[SignatoryRow],
    proposals,
    *,
    totals: dict[int, int],
    signatories: int,
    by_secteur: bool = False,
) -> Grid:
    """The grid of a page of `rows`, with the commune's `totals` by commitment pk.

    `signatories` counts the rows still signing over the whole commune (lists and
    candidates in their own name)."""
    columns = [GridColumn.of(c) for _proposal, commitments in proposals for c in commitments]
    return Grid(
        proposals=proposals,
        columns=columns,
        rows=[GridRow(row, [_cell(row, column) for column in columns]) for row in rows],
        totals=[totals.get(column.commitment.pk, 0) for column in columns],
        signatories=signatories,
        by_secteur=by_secteur,
    )
