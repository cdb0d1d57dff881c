"""French grammar from the reference data: place names with their article, elision, dates
and the order of names.

- A département or a commune says which article its name takes through INSEE's `tncc`
  (« type de nom en clair », communes/data/README.md): « du Nord », « de la Gironde »,
  « des Bouches-du-Rhône », « de l’Ain », « de Paris », « au Mans », « aux Lilas ».
  Départements' names come without their article (« Nord »), communes' with it
  (« Le Mans »), as INSEE writes them.
- The 21 régions are phrased one by one (REGION_PHRASES): « en Bretagne », « dans le Grand
  Est », « à La Réunion ».
- `elide` is the one elision rule: « que » + « Alex » → « qu’Alex », « de » + « Évry » →
  « d’Évry »; before an h nothing is elided, since a mute h cannot be told from the
  spelling (« de Hugo », not « d’Hugo »: both are found, the first is never wrong).
- `french_date`: « 1er décembre 2020 », « 2 décembre 2020 ».
- `sort_key`: names in French order whatever the database's collation (« Île-de-France »
  among the I, « Écouen » among the E), for Python's `sorted` and for stored sort keys.
"""

import datetime
import unicodedata

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from communes.search import normalize_name


class Tncc(models.IntegerChoices):
    """INSEE's « type de nom en clair »: the article of a name and its « de » form."""

    NONE_CONSONANT = 0, _("pas d’article, devant une consonne (de Paris)")
    NONE_VOWEL = 1, _("pas d’article, devant une voyelle ou un h muet (d’Évry)")
    LE = 2, _("le (du Nord, au Mans)")
    LA = 3, _("la (de la Gironde)")
    LES = 4, _("les (des Landes, aux Lilas)")
    L_APOSTROPHE = 5, _("l’ (de l’Ain)")
    AUX = 6, _("aux (des Marais)")
    LAS = 7, _("las (de Las …)")
    LOS = 8, _("los (de Los …)")


# tncc → (the article as written, the « de » form, the « à » form); « d’ » for 1 is `elide`'s.
_ARTICLES = {
    Tncc.NONE_CONSONANT: ("", "de ", "à "),
    Tncc.NONE_VOWEL: ("", "d’", "à "),
    Tncc.LE: ("le ", "du ", "au "),
    Tncc.LA: ("la ", "de la ", "à la "),
    Tncc.LES: ("les ", "des ", "aux "),
    Tncc.L_APOSTROPHE: ("l’", "de l’", "à l’"),
    Tncc.AUX: ("aux ", "des ", "aux "),
    Tncc.LAS: ("las ", "de las ", "à las "),
    Tncc.LOS: ("los ", "de los ", "à los "),
}

VOWELS = frozenset("aeiouyœæ")


def _base_letters(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word[:3].lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def starts_with_vowel(word: str) -> bool:
    """Whether `word` begins with a vowel sound, accents ignored: a y only before a
    consonant (« Yves », not « Yann »); an h never counts."""
    letters = _base_letters(word.strip())
    if not letters or letters[0] not in VOWELS:
        return False
    return letters[0] != "y" or (len(letters) > 1 and letters[1] not in VOWELS)


# The words that lose their vowel before one: « que » → « qu’ », « de » → « d’ »…
_ELIDED = {
    "que": "qu’",
    "de": "d’",
    "le": "l’",
    "la": "l’",
    "je": "j’",
    "me": "m’",
    "te": "t’",
    "se": "s’",
    "ne": "n’",
    "ce": "c’",
    "lorsque": "lorsqu’",
    "puisque": "puisqu’",
    "jusque": "jusqu’",
}


def elide(word: str, following: str) -> str:
    """`word` then `following`, elided before a vowel: « qu’Alex », « d’Évry », « que Bruno »."""
    elided = _ELIDED.get(word.lower())
    if elided is None or not starts_with_vowel(following):
        return f"{word} {following}"
    if word[:1].isupper():
        elided = elided[0].upper() + elided[1:]
    return f"{elided}{following}"


def _typographic(name: str) -> str:
    return name.replace("'", "’")


def _tncc(value) -> Tncc:
    try:
        return Tncc(int(value))
    except (TypeError, ValueError):
        return Tncc.NONE_CONSONANT


def _bare_name(name: str, tncc: Tncc) -> tuple[str, Tncc]:
    """A commune's name without the article INSEE writes in it (« Le Mans » → « Mans »)."""
    article = _ARTICLES[tncc][0]
    if not article:
        return name, tncc
    if name.lower().startswith(article.replace("’", "'")) or name.lower().startswith(article):
        return name[len(article) :], tncc
    # The name does not start with its article: read it as having none.
    return name, Tncc.NONE_VOWEL if starts_with_vowel(name) else Tncc.NONE_CONSONANT


_WRITTEN_ARTICLES = (
    ("Le ", Tncc.LE),
    ("La ", Tncc.LA),
    ("Les ", Tncc.LES),
    ("L'", Tncc.L_APOSTROPHE),
    ("L’", Tncc.L_APOSTROPHE),
    ("Aux ", Tncc.AUX),
    ("Las ", Tncc.LAS),
    ("Los ", Tncc.LOS),
)


def tncc_from_name(name: str) -> Tncc:
    """The article a commune's name shows (« Le Mans » → 2); else 1 before a vowel, 0
    before a consonant or an h (a mute h is not guessed)."""
    for article, tncc in _WRITTEN_ARTICLES:
        if name.startswith(article):
            return tncc
    return Tncc.NONE_VOWEL if starts_with_vowel(name) else Tncc.NONE_CONSONANT


def a_lieu(place: str) -> str:
    """« à » before a place's display name, contracted with the article it shows:
    « au Mans », « aux Lilas », « à La Rochelle », « à Marseille, 1er secteur »."""
    return commune_phrase_a(place, tncc_from_name(place))


def commune_phrase_de(name: str, tncc) -> str:
    """« de Paris », « d’Évry », « du Mans », « des Lilas », « de La Rochelle »."""
    tncc = _tncc(tncc)
    if tncc in (Tncc.LA, Tncc.L_APOSTROPHE, Tncc.LAS, Tncc.LOS):
        # « de La Rochelle », « de L’Haÿ-les-Roses »: the article stays part of the name.
        return "de " + _typographic(name)
    bare, tncc = _bare_name(name, tncc)
    return _ARTICLES[tncc][1] + _typographic(bare)


def commune_phrase_a(name: str, tncc) -> str:
    """« à Paris », « au Mans », « aux Lilas », « à La Rochelle », « à L’Isle-Adam »."""
    tncc = _tncc(tncc)
    if tncc in (Tncc.LE, Tncc.LES, Tncc.AUX):
        bare, tncc = _bare_name(name, tncc)
        return _ARTICLES[tncc][2] + _typographic(bare)
    return "à " + _typographic(name)


def departement_phrase_de(name: str, tncc) -> str:
    """« du Nord », « de la Gironde », « des Bouches-du-Rhône », « de l’Ain », « de Paris »."""
    return _ARTICLES[_tncc(tncc)][1] + _typographic(name)


def departement_phrase_le(name: str, tncc) -> str:
    """The name with its article: « le Nord », « la Gironde », « l’Ain », « Paris »."""
    return _ARTICLES[_tncc(tncc)][0] + _typographic(name)


# Départements without an article that one is « à », not « en »: cities and islands.
_DEPARTEMENTS_A = frozenset({"75", "974", "975", "976"})
# Feminine names one is « dans la », not « en »: rivers and the sea, where « en Loire »,
# « en Vienne » (the town) or « en Manche » would jar.
_DEPARTEMENTS_DANS_LA = frozenset({"42", "50", "51", "80", "86"})


def departement_phrase_dans(code: str, name: str, tncc) -> str:
    """« dans le Nord », « en Gironde », « dans la Loire », « dans les Landes », « dans l’Ain »,
    « en Ille-et-Vilaine », « en Seine-et-Marne », « à Paris », « à La Réunion »."""
    tncc = _tncc(tncc)
    name = _typographic(name)
    if tncc in (Tncc.NONE_CONSONANT, Tncc.NONE_VOWEL):
        return ("à " if code in _DEPARTEMENTS_A else "en ") + name
    if tncc == Tncc.LA and code not in _DEPARTEMENTS_DANS_LA:
        return "en " + name
    return "dans " + _ARTICLES[tncc][0] + name


# code → (« en Bretagne », « de Bretagne »): French says each région its own way.
REGION_PHRASES = {
    "01": ("en Guadeloupe", "de la Guadeloupe"),
    "02": ("en Martinique", "de la Martinique"),
    "03": ("en Guyane", "de la Guyane"),
    "04": ("à La Réunion", "de La Réunion"),
    "06": ("à Mayotte", "de Mayotte"),
    "11": ("en Île-de-France", "d’Île-de-France"),
    "24": ("en Centre-Val de Loire", "du Centre-Val de Loire"),
    "27": ("en Bourgogne-Franche-Comté", "de Bourgogne-Franche-Comté"),
    "28": ("en Normandie", "de Normandie"),
    "32": ("dans les Hauts-de-France", "des Hauts-de-France"),
    "44": ("dans le Grand Est", "du Grand Est"),
    "52": ("dans les Pays de la Loire", "des Pays de la Loire"),
    "53": ("en Bretagne", "de Bretagne"),
    "75": ("en Nouvelle-Aquitaine", "de Nouvelle-Aquitaine"),
    "76": ("en Occitanie", "d’Occitanie"),
    "84": ("en Auvergne-Rhône-Alpes", "d’Auvergne-Rhône-Alpes"),
    "93": ("en Provence-Alpes-Côte d’Azur", "de Provence-Alpes-Côte d’Azur"),
    "94": ("en Corse", "de Corse"),
    "975": ("à Saint-Pierre-et-Miquelon", "de Saint-Pierre-et-Miquelon"),
    "987": ("en Polynésie française", "de la Polynésie française"),
    "988": ("en Nouvelle-Calédonie", "de la Nouvelle-Calédonie"),
}


def region_phrases(code: str, name: str) -> tuple[str, str]:
    """(« en Bretagne », « de Bretagne »); a région the table does not know (a file other
    than the shipped one) is « dans la région X », « de la région X »."""
    known = REGION_PHRASES.get(code)
    if known and known[0].endswith(_typographic(name)):
        return known
    name = _typographic(name)
    return (f"dans la région {name}", f"de la région {name}")


def french_date(
    value: datetime.date | datetime.datetime | None, *, time_format: str | None = None
) -> str:
    """« 1er décembre 2020 », « 2 décembre 2020 »; with a `time_format` (« H:i »), « … à
    14:05 ». An aware datetime is read in the site's time zone."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    day = "1er" if value.day == 1 else str(value.day)
    text = f"{day} {formats.date_format(value, 'F Y')}"
    if time_format and isinstance(value, datetime.datetime):
        text += f" à {formats.time_format(value, time_format)}"
    return text


def sort_key(name: str) -> tuple[str, str]:
    """A key that sorts names as French does, whatever the database's collation: accents,
    case, spaces, hyphens and apostrophes second (« Île-de-France » among the I, after
    « Hauts-de-France »). Its first part is the communes' stored `search_key`, so that
    `order_by("search_key", "name")` sorts the same on SQLite and PostgreSQL."""
    return (normalize_name(name), name)
