"""The French catalogue is complete: every string of the site is in it, translated.

makemessages runs over a copy of the project's sources (so that the real catalogue is
not touched) and every message it finds must be in locale/fr/LC_MESSAGES/*.po with a
translation; a string added without `manage.py update_catalogue` fails here.
"""

import gettext
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from config.catalogue import DOMAINS, catalogue_path, read_entries
from config.management.commands.update_catalogue import make_messages

ROOT = Path(settings.BASE_DIR)
SOURCES = ("*.py", "*.html", "*.txt", "*.js")


def _copy_sources(target: Path) -> None:
    def ignore(folder, names):
        keep = set()
        for name in names:
            path = Path(folder, name)
            if path.is_dir():
                if name not in {".git", ".venv", "venv", "locale", "media", "staticfiles"}:
                    keep.add(name)
            elif any(path.match(pattern) for pattern in SOURCES):
                keep.add(name)
        return set(names) - keep

    shutil.copytree(ROOT, target, ignore=ignore)


@pytest.fixture(scope="module")
def found(tmp_path_factory):
    """What makemessages finds in the project today, per domain."""
    copy = tmp_path_factory.mktemp("catalogue") / "project"
    _copy_sources(copy)
    (copy / "locale").mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "LOCALE_PATHS", [copy / "locale"])
        make_messages(copy)
        return {domain: read_entries(catalogue_path(domain, copy / "locale")) for domain in DOMAINS}


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_string_of_the_site_is_in_the_catalogue(found, domain):
    committed = read_entries(catalogue_path(domain))
    missing = [key for key in found[domain] if key not in committed]
    assert not missing, (
        f"{len(missing)} chaîne(s) absente(s) de {catalogue_path(domain)} : lancez "
        f"`manage.py update_catalogue`. Par exemple : {missing[:5]}"
    )
    assert len(found[domain]) > (1000 if domain == "django" else 5)


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_message_of_the_catalogue_is_translated(domain):
    entries = read_entries(catalogue_path(domain))
    untranslated = [entry.key for entry in entries.values() if not entry.translated]
    assert not untranslated, untranslated[:5]
    plurals = [entry for entry in entries.values() if entry.msgid_plural]
    assert plurals and all(len(entry.msgstr) == 2 for entry in plurals)


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_catalogue_says_the_french_plural_rule_and_is_compiled(domain):
    po = catalogue_path(domain)
    text = po.read_text(encoding="utf-8")
    assert '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"' in text
    assert '#, fuzzy\nmsgid ""' not in text  # msgfmt would skip a fuzzy header
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, (
        f"{mo} est absent ou plus ancien que le .po : lancez `make messages`."
    )
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert [compiled.plural(n) for n in (0, 1, 2, 1000)] == [0, 0, 1, 1]


def test_read_entries_reads_contexts_plurals_and_continued_lines(tmp_path):
    po = tmp_path / "t.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
        'msgctxt "rôle"\nmsgid "signataire"\nmsgstr "signataire"\n\n'
        'msgid ""\n"%(n)s « liste »"\nmsgid_plural "%(n)s listes"\nmsgstr[0] "a"\nmsgstr[1] ""\n\n'
        '#~ msgid "ancienne"\n#~ msgstr "ancienne"\n',
        encoding="utf-8",
    )
    entries = read_entries(po)
    assert set(entries) == {("rôle", "signataire", ""), ("", "%(n)s « liste »", "%(n)s listes")}
    assert entries[("rôle", "signataire", "")].translated
    assert not entries[("", "%(n)s « liste »", "%(n)s listes")].translated


def test_the_identity_fill_keeps_hand_translations_and_unfuzzies_the_header(tmp_path):
    from config.management.commands.update_catalogue import fill_identity

    po = tmp_path / "django.po"
    po.write_text(
        "# SOME DESCRIPTIVE TITLE.\n#, fuzzy\n"
        'msgid ""\nmsgstr ""\n"Project-Id-Version: PACKAGE VERSION\\n"\n"Language: \\n"\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
        'msgid "signataire"\nmsgstr "signataire (à la main)"\n\n'
        'msgid "commune"\nmsgstr ""\n\n'
        'msgid "%(n)s liste"\nmsgid_plural "%(n)s listes"\nmsgstr[0] ""\nmsgstr[1] ""\n',
        encoding="utf-8",
    )
    fill_identity(po)
    text = po.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text and '"Language: fr\\n"' in text
    entries = read_entries(po)
    assert entries[("", "signataire", "")].msgstr == ("signataire (à la main)",)
    assert entries[("", "commune", "")].msgstr == ("commune",)
    assert entries[("", "%(n)s liste", "%(n)s listes")].msgstr == ("%(n)s liste", "%(n)s listes")
