"""Normalisation shared by the stored search keys and the queries typed by visitors.

A commune's name and a query are both reduced to lowercase ASCII letters and digits,
so that « Saint-Étienne », « saint etienne », « ST ETIENNE » and « st-étienne » all
become « saintetienne ». Doing it in Python on both sides makes the search behave the
same on SQLite and PostgreSQL.
"""

import re
import unicodedata

# Letters that Unicode decomposition does not reduce to ASCII.
_LIGATURES = str.maketrans(
    {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "ø": "o", "Ø": "o", "ł": "l"}
)
_WORD = re.compile(r"[a-z0-9]+")
# « St »/« Ste » (and « St. ») as whole words stand for « Saint »/« Sainte ».
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_POSTAL_QUERY = re.compile(r"[0-9]{2,5}")


def _ascii_words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    return _WORD.findall(text)


def normalize_name(text: str) -> str:
    """The search key of a name or of a name query."""
    return "".join(_ABBREVIATIONS.get(word, word) for word in _ascii_words(text))


def normalize_postal_query(text: str) -> str | None:
    """The digits of a postal-code query (2 to 5 digits, spaces allowed), else None."""
    digits = "".join(text.split())
    return digits if _POSTAL_QUERY.fullmatch(digits) else None
