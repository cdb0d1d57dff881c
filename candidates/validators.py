"""Control characters kept out of what people type.

A carriage return in a name breaks the e-mail header it is put in, a NUL byte is refused
by PostgreSQL, and neither has a meaning in a name, a list or a phone number. Single-line
fields refuse every C0 and C1 control character (tab included); multi-line fields keep
their line breaks and tabs and refuse the rest.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# C0 (U+0000–U+001F), DEL and C1 (U+007F–U+009F), and the Unicode line and paragraph
# separators, which mail and text tools treat as line breaks.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
MULTILINE_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    pattern = MULTILINE_CONTROL_CHARACTERS if multiline else CONTROL_CHARACTERS
    return bool(pattern.search(value))


@deconstructible
class NoControlCharactersValidator:
    """Refuses control characters; `multiline=True` lets line breaks and tabs through."""

    code = "control_characters"

    def __init__(self, *, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value):
        if isinstance(value, str) and has_control_characters(value, multiline=self.multiline):
            raise ValidationError(self.message, code=self.code)

    @property
    def message(self):
        if self.multiline:
            return _("Ce texte ne peut pas contenir de caractère de contrôle.")
        return _(
            "Ce champ ne peut pas contenir de retour à la ligne, de tabulation ni de "
            "caractère de contrôle."
        )

    def __eq__(self, other):
        return isinstance(other, NoControlCharactersValidator) and (
            self.multiline == other.multiline
        )


single_line_validator = NoControlCharactersValidator()
multiline_validator = NoControlCharactersValidator(multiline=True)
