"""Read a page's tables as a screen reader would on a wide screen: text without what is
aria-hidden, nor the <b> by which a grid cell names its commitment on a narrow screen only
(on a wide one, the column header names it; the CSS hides the <b>)."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Cell:
    tag: str  # th or td
    attrs: dict
    text: str = ""
    visible: str = ""  # the text including aria-hidden marks, as seen on screen
    named: str = ""  # what a grid cell's <b> says: its commitment, on a narrow screen


@dataclass
class Table:
    attrs: dict
    caption: str = ""
    sections: dict = field(default_factory=dict)  # thead / tbody / tfoot -> rows of cells

    def rows(self, section: str = "tbody") -> list[list[Cell]]:
        return self.sections.get(section, [])


class _TableParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[Table] = []
        self._stack: list[tuple[str, bool]] = []  # (tag, aria-hidden)
        self._table = self._cell = None
        self._section = "tbody"
        self._in_caption = False

    @property
    def _hidden(self) -> bool:
        return any(hidden for _tag, hidden in self._stack)

    @property
    def _named(self) -> bool:
        return self._cell is not None and self._cell.tag == "td" and ("b", False) in self._stack

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in VOID:
            self._stack.append((tag, attrs.get("aria-hidden") == "true"))
        if tag == "table":
            self._table = Table(attrs)
            self.tables.append(self._table)
            self._section = "tbody"
        elif self._table is None:
            return
        elif tag in ("thead", "tbody", "tfoot"):
            self._section = tag
        elif tag == "tr":
            self._table.sections.setdefault(self._section, []).append([])
        elif tag in ("th", "td"):
            self._cell = Cell(tag, attrs)
            self._table.sections[self._section][-1].append(self._cell)
        elif tag == "caption":
            self._in_caption = True

    def handle_endtag(self, tag):
        while self._stack:
            if self._stack.pop()[0] == tag:
                break
        if tag in ("th", "td"):
            self._cell = None
        elif tag == "caption":
            self._in_caption = False
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._in_caption and self._table is not None:
            self._table.caption += data
        if self._cell is not None:
            if self._named:
                self._cell.named += data
                return
            self._cell.visible += data
            if not self._hidden:
                self._cell.text += data


def _squash(text: str) -> str:
    return " ".join(text.split())


def tables(html: str) -> list[Table]:
    parser = _TableParser()
    parser.feed(html)
    for table in parser.tables:
        table.caption = _squash(table.caption)
        for rows in table.sections.values():
            for row in rows:
                for cell in row:
                    cell.text, cell.visible = _squash(cell.text), _squash(cell.visible)
                    cell.named = _squash(cell.named)
    return parser.tables


def table(html: str, css_class: str) -> Table:
    (found,) = [t for t in tables(html) if css_class in t.attrs.get("class", "").split()]
    return found
