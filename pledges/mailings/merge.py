"""Merge fields: « Bonjour {prénom} » in a mailing's subject and text.

A field is a name between braces; the known names are FIELDS (with or without the accent).
The substitution is plain text, never a template: what a recipient's name or list contains
is copied as it is (and escaped in the HTML version), so neither the author nor a candidate
can run template code. Anything else between braces is an error shown at the form.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from pledges.mailings.recipients import Recipient

FIELDS = {
    "prénom": "first_name",
    "nom": "last_name",
    "commune": "commune",
    "liste": "list_name",
}
ALIASES = {"prenom": "prénom"}
FIELD = re.compile(r"\{([^{}\n]{0,40})\}")


def _attribute(name: str) -> str | None:
    name = name.strip().lower()
    return FIELDS.get(ALIASES.get(name, name))


def known_fields() -> str:
    return ", ".join(f"{{{name}}}" for name in FIELDS)


def check_fields(text: str) -> None:
    """Raise a French ValidationError naming each unknown field of `text`."""
    unknown = sorted({m.group(0) for m in FIELD.finditer(text) if _attribute(m.group(1)) is None})
    if unknown:
        raise ValidationError(
            _("Champ inconnu : %(fields)s. Les champs possibles sont %(known)s.")
            % {"fields": ", ".join(unknown), "known": known_fields()},
            code="unknown_field",
        )


def merge(text: str, recipient: Recipient) -> str:
    """`text` with each field replaced by the recipient's value (checked fields only)."""

    def value(match: re.Match) -> str:
        attribute = _attribute(match.group(1))
        return match.group(0) if attribute is None else getattr(recipient, attribute)

    return FIELD.sub(value, text)
