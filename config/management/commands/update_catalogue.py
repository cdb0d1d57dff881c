"""manage.py update_catalogue: gather the site's strings into the French catalogue.

Runs makemessages for both domains (django: Python and templates; djangojs: static/js),
without fuzzy matching (a near-miss would give a string another string's text), without
file locations (so that moving a line elsewhere does not change the catalogue), dropping
strings no longer used; then gives every untranslated message itself as translation
(msgen), keeping whatever was translated by hand. compilemessages then makes the .mo
files (not committed: `make run`, `make test` and .ci/run compile them).
"""

import re
import shutil
import subprocess
from contextlib import chdir
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.management.commands import makemessages

from config.catalogue import DOMAINS, IGNORED, LANGUAGE, catalogue_path


class _MakeMessages(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]


_PREAMBLE = (
    "# The French catalogue of Coorace. The source strings are French: each message is its\n"
    "# own translation (manage.py update_catalogue), unless translated here by hand.\n"
)
_HEADER_FIELDS = {
    "Project-Id-Version": "Coorace",
    "Language": LANGUAGE,
    "Language-Team": "Coorace",
}


def fill_identity(path: Path) -> None:
    """Untranslated messages become their own translation; the header is made valid."""
    subprocess.run(["msgen", "--no-wrap", "-o", str(path), str(path)], check=True)
    text = path.read_text(encoding="utf-8")
    if text.startswith("# SOME DESCRIPTIVE TITLE."):
        text = _PREAMBLE + text[text.index('msgid ""') :]
    # A fuzzy header would be skipped by msgfmt, and with it the French plural rule.
    text = text.replace('#, fuzzy\nmsgid ""\nmsgstr ""\n', 'msgid ""\nmsgstr ""\n', 1)
    for name, value in _HEADER_FIELDS.items():
        text = re.sub(rf'^"{name}: .*\\n"$', f'"{name}: {value}\\\\n"', text, count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")


def make_messages(root: Path, *, stdout=None) -> list[Path]:
    """Run makemessages for both domains from `root` into LOCALE_PATHS[0]."""
    for tool in ("xgettext", "msgmerge", "msgen"):
        if shutil.which(tool) is None:
            raise CommandError(
                f"{tool} est introuvable : installez les outils gettext (apt-get install gettext)."
            )
    command = _MakeMessages(stdout=stdout)
    for domain in DOMAINS:
        # makemessages walks the current directory: run it from the project's root.
        with chdir(root):
            command.run_from_argv(
                [
                    "manage.py",
                    "makemessages",
                    f"--locale={LANGUAGE}",
                    f"--domain={domain}",
                    "--no-location",
                    "--no-obsolete",
                    "--no-wrap",
                    "--verbosity=0",
                    *(f"--ignore={name}" for name in IGNORED),
                    *(["--extension=js"] if domain == "djangojs" else []),
                ]
            )
    return [catalogue_path(domain) for domain in DOMAINS]


def update_catalogue(*, stdout=None) -> list[Path]:
    """The site's strings into its catalogue, each untranslated one its own translation."""
    # A domain without any string (no JavaScript phrase, say) has no file.
    made = make_messages(Path(settings.BASE_DIR), stdout=stdout)
    paths = [path for path in made if path.exists()]
    for path in paths:
        fill_identity(path)
    return paths


class Command(BaseCommand):
    help = (
        "Met à jour le catalogue français (locale/fr/LC_MESSAGES/django.po et djangojs.po) "
        "à partir des chaînes du site ; chaque chaîne non traduite à la main reçoit "
        "elle-même comme traduction. Lancer ensuite compilemessages."
    )

    def handle(self, *args, **options):
        for path in update_catalogue(stdout=self.stdout):
            self.stdout.write(self.style.SUCCESS(f"{path} à jour."))
