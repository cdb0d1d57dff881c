"""The outline map of metropolitan France by département, read once per process.

The shapes come from `communes/data/maps/france.departments.svg` (svg-maps by Victor
Cazanave, CC BY 4.0: every page that draws them prints MAP_CREDIT). The file is parsed on
first use and kept in memory; pages then build an inline SVG from the shapes, so the map
works without JavaScript and each département can be a link.
"""

import functools
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext_lazy as _

MAP_FILE = Path(__file__).resolve().parent / "data" / "maps" / "france.departments.svg"
MAP_CREDIT = _("Fond de carte : svg-maps (Victor Cazanave), CC BY 4.0")
MAP_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/deed.fr"
_SVG = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class Shape:
    code: str  # INSEE département code: « 01 » … « 95 », « 2A », « 2B »
    name: str
    path: str  # the SVG path data, as in the file


@dataclass(frozen=True)
class Outline:
    view_box: str
    shapes: tuple[Shape, ...]

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(shape.code for shape in self.shapes)


@functools.cache
def departement_outline() -> Outline:
    """The 96 metropolitan départements, in the file's order."""
    root = ET.parse(MAP_FILE).getroot()
    shapes = tuple(
        Shape(code=path.get("id"), name=path.get("aria-label"), path=path.get("d"))
        for path in root.iter(f"{_SVG}path")
    )
    return Outline(view_box=root.get("viewBox"), shapes=shapes)


def shading_scale(maximum: int, levels: int = 5) -> list[tuple[int, int]]:
    """Inclusive ranges of counts, one per shade, on a geometric scale from 1 to `maximum`.

    A few large cities should not leave every other département in the palest shade:
    with a maximum of 100 the ranges are 1–3, 4–6, 7–16, 17–40 and 41–100.
    """
    if maximum < 1:
        return []
    uppers = sorted({max(1, round(maximum ** (step / levels))) for step in range(1, levels + 1)})
    ranges, low = [], 1
    for upper in uppers:
        if upper >= low:
            ranges.append((low, upper))
            low = upper + 1
    return ranges


def shade(count: int, scale: list[tuple[int, int]], shades: int = 5) -> int:
    """The shade (0 for none, else 1 to `shades`) of `count` on `scale`.

    A scale with fewer ranges than shades (few signatories yet) spreads its ranges over the
    palette, so that the top range always has the darkest shade.
    """
    if count < 1 or not scale:
        return 0
    level = next(
        (index for index, (low, high) in enumerate(scale, start=1) if low <= count <= high),
        len(scale),
    )
    return math.ceil(level * shades / len(scale))
