"""The text of a PDF as its glyphs say it, spaces included.

pdftotext rebuilds the spaces of a line from the gaps between words, so a narrow no-break
space (U+202F) comes out as a plain space. WeasyPrint draws every space as a glyph, and
each font's ToUnicode map says which character each glyph is: read through those maps,
the PDF tells U+202F from U+0020. (A no-break space U+00A0 is drawn with the space's own
glyph in Lato, so it reads as U+0020: what a PDF can show of it is that it did not break.)

Only what WeasyPrint (pydyf) writes is read: Flate streams, object streams, Type0 fonts
with two-byte codes, text positioned by Tm and drawn by TJ/Tj.
"""

import re
import zlib

OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)\s*endobj", re.DOTALL)
STREAM = re.compile(rb"(.*?)stream\r?\n(.*)\r?\nendstream$", re.DOTALL)
FONT_NAMES = re.compile(rb"/Font\s*(?:<<(?P<direct>.*?)>>|(?P<object>\d+)\s+0\s+R)", re.DOTALL)
FONT_REFERENCE = re.compile(rb"/([^\s/<>\[\]()]+)\s+(\d+)\s+0\s+R")
TO_UNICODE = re.compile(rb"/ToUnicode\s+(\d+)\s+0\s+R")
BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.DOTALL)
BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.DOTALL)
HEX_PAIR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")
HEX_RANGE = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")
OPERATOR = re.compile(
    rb"/(?P<font>[^\s/]+)\s+[-\d.]+\s+Tf"
    rb"|(?P<matrix>(?:[-\d.]+\s+){6})Tm"
    rb"|\[(?P<array>[^\]]*)\]\s*TJ"
    rb"|<(?P<string>[0-9a-fA-F]*)>\s*Tj",
)
HEX_STRING = re.compile(rb"<([0-9a-fA-F]*)>")


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Each object's dictionary and decoded stream, those inside object streams too."""
    objects = {}
    for number, body in OBJECT.findall(data):
        stream = STREAM.match(body)
        if stream is None:
            objects[int(number)] = (body, None)
            continue
        head, raw = stream.groups()
        content = zlib.decompress(raw) if b"/FlateDecode" in head else raw
        objects[int(number)] = (head, content)
        if b"/ObjStm" in head:
            first = int(re.search(rb"/First\s+(\d+)", head).group(1))
            numbers = [int(n) for n in content[:first].split()]
            pairs = list(zip(numbers[::2], numbers[1::2], strict=True))
            for index, (inner, offset) in enumerate(pairs):
                end = pairs[index + 1][1] if index + 1 < len(pairs) else len(content) - first
                objects[inner] = (content[first + offset : first + end], None)
    return objects


def _to_unicode(cmap: bytes) -> dict[int, str]:
    mapping = {}
    for block in BFCHAR.findall(cmap):
        for code, text in HEX_PAIR.findall(block):
            mapping[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for block in BFRANGE.findall(cmap):
        for low, high, start in HEX_RANGE.findall(block):
            first = int.from_bytes(bytes.fromhex(start.decode()), "big")
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(first + offset)
    return mapping


def glyph_text(data: bytes) -> str:
    """The PDF's text, a line per baseline, pages separated by a form feed."""
    objects = _objects(data)
    fonts: dict[bytes, dict[int, str]] = {}
    for head, _content in objects.values():
        for found in FONT_NAMES.finditer(head):
            names = found.group("direct") or objects.get(int(found.group("object") or 0), (b"",))[0]
            for name, number in FONT_REFERENCE.findall(names):
                font = objects.get(int(number), (b"", None))[0]
                cmap = TO_UNICODE.search(font)
                if cmap:
                    fonts[name] = _to_unicode(objects[int(cmap.group(1))][1] or b"")
    pages = []
    for head, content in objects.values():
        if content is None or b"BT" not in content or b"/Length1" in head:
            continue
        text, mapping, baseline = [], {}, None
        for operator in OPERATOR.finditer(content):
            if operator.group("font"):
                mapping = fonts.get(operator.group("font"), {})
            elif operator.group("matrix"):
                y = float(operator.group("matrix").split()[5])
                if baseline is not None and abs(y - baseline) > 0.5:
                    text.append("\n")
                baseline = y
            else:
                strings = (
                    HEX_STRING.findall(operator.group("array"))
                    if operator.group("array") is not None
                    else [operator.group("string")]
                )
                for string in strings:
                    for i in range(0, len(string), 4):
                        text.append(mapping.get(int(string[i : i + 4], 16), "\ufffd"))
        pages.append("".join(text))
    return "\f".join(pages)
