"""The French catalogue (locale/fr/LC_MESSAGES/): where its strings come from, and reading it.

The source strings are already French, so the catalogue's work is the plural rule
(« Plural-Forms: nplurals=2; plural=(n > 1); »: 0 and 1 are singular): without it,
gettext falls back to the English rule and prints « 0 signataires ». Every message is
its own translation (msgstr = msgid, msgstr[0] = msgid, msgstr[1] = msgid_plural), filled
by `manage.py update_catalogue`, which keeps any translation written by hand.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

LANGUAGE = "fr"
DOMAINS = ("django", "djangojs")
# Folders whose strings are not the site's: the virtualenv, the tests, the benchmarks,
# what collectstatic and uploads write.
IGNORED = ("venv", ".venv", "tests", "benchmarks", "staticfiles", "media", "node_modules")


def catalogue_path(domain: str, locale_dir: Path | None = None) -> Path:
    locale_dir = Path(locale_dir or settings.LOCALE_PATHS[0])
    return locale_dir / LANGUAGE / "LC_MESSAGES" / f"{domain}.po"


@dataclass(frozen=True)
class Entry:
    context: str
    msgid: str
    msgid_plural: str
    msgstr: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.context, self.msgid, self.msgid_plural)

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr)


def read_entries(path: Path) -> dict[tuple[str, str, str], Entry]:
    """The active entries of a .po file (not the header, not the obsolete « #~ » ones)."""
    entries: dict[tuple[str, str, str], Entry] = {}
    fields: dict[str, str] = {}
    current: str | None = None

    def flush():
        if fields.get("msgid"):
            plural = fields.get("msgid_plural", "")
            if plural:
                strings = tuple(
                    fields[name] for name in sorted(k for k in fields if k.startswith("msgstr["))
                )
            else:
                strings = (fields.get("msgstr", ""),)
            entry = Entry(fields.get("msgctxt", ""), fields["msgid"], plural, strings)
            entries[entry.key] = entry
        fields.clear()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            current = None
        elif line.startswith("#"):
            continue  # comments, flags and the obsolete « #~ » entries
        elif line.startswith('"'):
            if current is not None:
                fields[current] += ast.literal_eval(line)
        else:
            keyword, _, value = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and any(k.startswith("msgstr") for k in fields):
                flush()
            current = keyword
            fields[keyword] = ast.literal_eval(value)
    flush()
    return entries
