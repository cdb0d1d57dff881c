"""The comparison grid of a commune: a row per signatory, a column per commitment.

Built from `pledges.directory.queries.load_signatories(commune_pledges(...))` and the charter; the
template (templates/directory/_grid.html) prints it as a table and as one card per
signatory. Each cell's mark and its text for screen readers are computed here, once,
rather than by template logic run for every cell.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pledges.directory.queries import SignatoryRow
from pledges.models import Commitment, Proposal

# Each mark has its own shape, not only its own colour, and a text for screen readers.
MARKS = {"signed": "✓", "withdrawn": "↺", "absent": "–"}
MARK_MEANINGS = {
    "signed": gettext_lazy("signé"),
    "withdrawn": gettext_lazy("signé puis retiré"),
    "absent": gettext_lazy("non signé"),
}


@dataclass(frozen=True)
class GridCell:
    commitment: Commitment
    state: str  # "signed", "withdrawn" or "absent"
    date: datetime | None  # when signed, or when withdrawn

    @property
    def symbol(self) -> str:
        return MARKS[self.state]

    @property
    def label(self) -> str:
        """What a screen reader says of the mark (computed here: a grid has many cells)."""
        if self.state == "withdrawn":
            return _("retiré le %(date)s") % {
                "date": date_format(timezone.localtime(self.date), "j F Y")
            }
        return str(MARK_MEANINGS[self.state])


@dataclass(frozen=True)
class GridRow:
    row: SignatoryRow
    groups: list[tuple[Proposal, list[GridCell]]]

    @property
    def cells(self) -> list[GridCell]:
        return [cell for _proposal, cells in self.groups for cell in cells]

    @property
    def signed_count(self) -> int:
        return sum(cell.state == "signed" for cell in self.cells)


@dataclass(frozen=True)
class Grid:
    """A row per signatory, a column per commitment grouped under its proposal."""

    proposals: list[tuple[Proposal, list[Commitment]]]
    rows: list[GridRow]
    totals: list[int]  # current signatories of each commitment, in column order

    @property
    def signatories(self) -> int:
        return sum(not row.row.is_withdrawn for row in self.rows)

    @property
    def commitment_count(self) -> int:
        return len(self.totals)

    @property
    def legend(self) -> list[tuple[str, str, str]]:
        return [(state, MARKS[state], MARK_MEANINGS[state]) for state in MARKS]


def _cell(row: SignatoryRow, commitment: Commitment) -> GridCell:
    signature = row.by_commitment.get(commitment.pk)
    if signature is None:
        return GridCell(commitment, "absent", None)
    withdrawn_on = row.withdrawn_on(signature)
    if withdrawn_on is not None:
        return GridCell(commitment, "withdrawn", withdrawn_on)
    return GridCell(commitment, "signed", signature.signed_at)


def commune_grid(rows: list[SignatoryRow], proposals) -> Grid:
    grid_rows = [
        GridRow(row, [(p, [_cell(row, c) for c in commitments]) for p, commitments in proposals])
        for row in rows
    ]
    columns = [c for _proposal, commitments in proposals for c in commitments]
    totals = [
        sum(grid_row.cells[index].state == "signed" for grid_row in grid_rows)
        for index in range(len(columns))
    ]
    return Grid(proposals=proposals, rows=grid_rows, totals=totals)
