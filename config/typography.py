"""French typography, applied once to everything the site shows: pages, e-mails, PDFs.

Templates, translations and messages are written with plain spaces (« Attention : »,
« « Titre » », « 28 juin 2020 », « n° 1 »); the reference data keeps its straight
apostrophes (« L'Haÿ-les-Roses »). This module sets the spaces a French reader expects
where the text is finally assembled:

- U+202F (narrow no-break space) before ; : ! ? and », and after «, replacing a plain
  space or inserting one where there was none (« Attention: » → « Attention : »);
- U+00A0 (no-break space) between a day and its month (« 28 juin », « 1er juin »), after
  « n° », and between groups of thousands (« 35 051 »), which is also what Django's French
  number format (`intcomma`, THOUSAND_SEPARATOR) prints;
- ’ for a straight apostrophe between two letters (« L’Haÿ-les-Roses »).

Only displayed text changes: in HTML, the text between tags and the attributes a browser
shows (title, alt, aria-label, placeholder, an optgroup's label, a page's description);
never markup, URLs, e-mail addresses, form values, or the content of <script>, <style>,
<pre>, <code>, <kbd>, <samp> and <textarea>. Stored data is untouched: the search,
the open data and the exports read it as it is.

`TypographyMiddleware` applies `french_html` to every HTML response; `config.site`
applies `french_text`/`french_html` to every e-mail; `pledges.certificates.pdf` to the
HTML of every PDF.
"""

import html
import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.views.i18n import JavaScriptCatalog

NNBSP = "\u202f"
NBSP = "\u00a0"

MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
# What a sign may follow to be punctuation rather than part of a word, a time or a URL:
# « 10:30 », « https: », « ?q= » are followed by a letter, a digit or a slash.
NOT_WORD_AFTER = r"(?![\w/=&])"


def _rules(space: str) -> list[tuple[re.Pattern, str | Callable]]:
    """The substitutions, in order; `space` is the class of breakable spaces (in HTML any
    whitespace, which the browser collapses; in plain text not a line break)."""
    return [
        # « Attention : » — a plain space (or several) before the sign.
        (re.compile(rf"(?<=\S){space}+(?=[;:!?]{NOT_WORD_AFTER})"), NNBSP),
        # « Attention: » — no space at all, after a letter, a digit or a closing sign.
        (re.compile(rf"(?<=[\w)\]’'\"%°…»])(?=[;:!?]{NOT_WORD_AFTER})"), NNBSP),
        # Inside guillemets.
        (re.compile(rf"(?<=«){space}*"), NNBSP),
        (re.compile(rf"(?<=«{NNBSP}){space}+"), ""),
        (re.compile(rf"(?<=\S){space}*(?=»)"), NNBSP),
        # Apostrophes between letters (« aujourd'hui », « L'Haÿ »).
        (re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])"), "’"),
        # « 28 juin », « 1er juin ».
        (
            re.compile(rf"(?:(?<=\b\d)|(?<=\b\d\d)|(?<=\b1er)){space}+(?=(?:{MONTHS})\b)"),
            NBSP,
        ),
        # « n° 1 », « n°1 ».
        (re.compile(rf"(?<=\b[nN]°){space}*(?=\d)"), NBSP),
        # « 35 051 » written by hand (Django's intcomma already prints U+00A0).
        (
            re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?![\d,])"),
            lambda match: match.group(0).replace(" ", NBSP),
        ),
    ]


# What any rule needs to see; a text without it (most of a page's text nodes) is left as is.
TRIGGER = re.compile(rf"[;:!?«»'°]|(?:\d|\b1er)\s+(?:{MONTHS}|\d{{3}})\b|^\s+(?:{MONTHS})\b")
HTML_RULES = _rules(r"\s")
TEXT_RULES = _rules(r"[^\S\n]")
# Neither a URL nor an e-mail address is prose.
NOT_PROSE = re.compile(r"(?:https?://|www\.)\S+|[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
CONTEXT = 8  # characters of the preceding text the rules may look back at


def _apply(rules, text: str, before: str) -> str:
    """`text` with the rules applied, `before` being the text shown just before it (the
    end of the previous text node, across inline tags): matches inside `before` are left
    alone, so that only `text` changes."""
    start = len(before)
    result = before + text

    def replace(match: re.Match, replacement) -> str:
        if match.start() < start:
            return match.group(0)
        return replacement(match) if callable(replacement) else replacement

    for pattern, replacement in rules:
        result = pattern.sub(lambda match, r=replacement: replace(match, r), result)
    return result[start:]


def _prose(rules, text: str, before: str = "") -> str:
    """`text` with the rules applied outside URLs and e-mail addresses."""
    pieces = []
    position = 0
    for match in NOT_PROSE.finditer(text):
        prose = _apply(rules, text[position : match.start()], before)
        pieces += [prose, match.group(0)]
        before = match.group(0)[-CONTEXT:]
        position = match.end()
    pieces.append(_apply(rules, text[position:], before))
    return "".join(pieces)


def french_text(text: str) -> str:
    """Plain text (an e-mail's subject and body) in French typography."""
    return _prose(TEXT_RULES, text)


# HTML, tokenised: comments, elements whose content is not prose, tags, text.
TOKENS = re.compile(
    r"(?P<comment><!--.*?-->)"
    r"|(?P<raw><(?P<raw_name>script|style|pre|code|kbd|samp|textarea)\b"
    r"(?:\"[^\"]*\"|'[^']*'|[^'\">])*>.*?</(?P=raw_name)\s*>)"
    r"|(?P<tag><[!/?]?(?P<name>[a-zA-Z][\w:-]*)?(?:\"[^\"]*\"|'[^']*'|[^'\">])*>)"
    r"|(?P<text>[^<]+|<)",
    re.DOTALL | re.IGNORECASE,
)
# Tags inside which text runs on: the text before one is the context of the text after.
INLINE = frozenset(
    {
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "cite",
        "data",
        "dfn",
        "em",
        "i",
        "mark",
        "q",
        "s",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "wbr",
    }
)
DISPLAYED_ATTRIBUTES = re.compile(
    r"(?P<lead>\s(?:title|alt|aria-label|aria-description|placeholder|label)\s*=\s*)"
    r"(?:\"(?P<double>[^\"]*)\"|'(?P<single>[^']*)')",
    re.IGNORECASE,
)
META_DESCRIPTION = re.compile(
    r"""\s(?:name|property)\s*=\s*["']?(?:description|og:title|og:description|twitter:[a-z]+)""",
    re.IGNORECASE,
)
META_CONTENT = re.compile(
    r"(?P<lead>\scontent\s*=\s*)(?:\"(?P<double>[^\"]*)\"|'(?P<single>[^']*)')",
    re.IGNORECASE,
)


def _attribute(match: re.Match) -> str:
    quote = '"' if match.group("double") is not None else "'"
    escaped = match.group("double") if quote == '"' else match.group("single")
    value = html.unescape(escaped)
    typeset = _prose(HTML_RULES, value)
    if typeset == value:
        return match.group(0)
    return f"{match.group('lead')}{quote}{html.escape(typeset, quote=True)}{quote}"


def _tag(tag: str, name: str) -> str:
    if name == "meta":
        if META_DESCRIPTION.search(tag):
            return META_CONTENT.sub(_attribute, tag)
        return tag
    return DISPLAYED_ATTRIBUTES.sub(_attribute, tag)


def french_html(document: str) -> str:
    """An HTML document or fragment with its displayed text in French typography."""
    pieces = []
    position = 0  # what comes before it is in `pieces`; what follows is copied when needed
    before = ""
    for token in TOKENS.finditer(document):
        kind = token.lastgroup
        if kind == "text":
            escaped = token.group()
            text = html.unescape(escaped) if "&" in escaped else escaped
            if TRIGGER.search(text) is None and not before.endswith("«"):
                before = (before + text)[-CONTEXT:]
                continue
            typeset = _prose(HTML_RULES, text, before)
            before = (before + typeset)[-CONTEXT:]
            if typeset == text:  # unchanged text keeps its bytes (its entities as written)
                continue
            replacement = html.escape(typeset, quote=False)
        elif kind == "tag":
            tag = token.group()
            name = (token.group("name") or "").lower()
            if name not in INLINE:
                before = ""
            replacement = _tag(tag, name) if name and "=" in tag else tag
            if replacement == tag:
                continue
        else:  # a comment, or an element whose content is not prose
            if kind == "raw":
                before = ""
            continue
        pieces += [document[position : token.start()], replacement]
        position = token.end()
    pieces.append(document[position:])
    return "".join(pieces)


class TypographyMiddleware:
    """`french_html` over every complete HTML response (not a stream, not compressed), its
    Content-Length set again. Placed last in MIDDLEWARE, it sees the response first, before
    anything that would compute a length or a fingerprint of it."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            getattr(response, "streaming", False)
            or not response.get("Content-Type", "").startswith("text/html")
            or response.has_header("Content-Encoding")
            or not response.content
        ):
            return response
        charset = response.charset
        try:
            document = response.content.decode(charset)
        except (LookupError, UnicodeDecodeError):  # not the text it says it is: left as sent
            return response
        response.content = french_html(document).encode(charset)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response


class FrenchJavaScriptCatalog(JavaScriptCatalog):
    """Django's JavaScript catalogue, its phrases in the same typography as the pages.

    The middleware never sees what a script writes into a page (the autocomplete's
    announcements): its strings are set here, once, as the catalogue sends them.
    """

    def get_catalog(self):
        return {
            msgid: [french_text(form) for form in value]
            if isinstance(value, list)
            else french_text(value)
            for msgid, value in super().get_catalog().items()
        }
