"""The catalogue's messages are the site's French, never Django's or allauth's English.

Every message of locale/fr is its own translation (update_catalogue). A template that reuses
an English string of Django's admin (« Home », « By %(filter_title)s ») would then print it
in English, our catalogue taking precedence over Django's own French: the site writes its
strings in French instead.
"""

import re
from pathlib import Path

import django

from config.management.commands.update_catalogue import catalogue_path

PACKAGES = Path(django.__file__).resolve().parents[1]


def entries(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    found = {}
    for match in re.finditer(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', text, re.M):
        msgid, msgstr = ("".join(re.findall(r'"(.*)"', group)) for group in match.groups())
        found[msgid] = msgstr
    return found


def test_no_message_of_the_site_is_one_that_a_library_translates_otherwise():
    libraries = {}
    for path in PACKAGES.glob("**/locale/fr/LC_MESSAGES/django.po"):
        libraries.update(entries(path))
    ours = entries(catalogue_path("django"))
    assert len(ours) > 500 and len(libraries) > 1000
    english = {
        msgid: libraries[msgid]
        for msgid, msgstr in ours.items()
        if msgid and libraries.get(msgid) and libraries[msgid] != msgstr
    }
    assert english == {}, "Écrivez ces chaînes en français dans le gabarit : " + repr(english)
