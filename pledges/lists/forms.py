"""Forms of a colistier's side of a list: finding it by name, asking to join it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from candidates.validators import single_line_validator
from pledges.lists.services import JOIN_CONSENT


class ListSearchForm(forms.Form):
    """The search box of « Trouver ma liste »: part of a list's name, any case or accent."""

    q = forms.CharField(
        label=_("Nom de la liste"),
        max_length=100,
        required=False,
        validators=[single_line_validator],
        help_text=_("Une partie du nom suffit, sans se soucier des majuscules ni des accents."),
    )


class JoinForm(forms.Form):
    """The colistier's consent to publication, in the list's name, ticked when joining."""

    consent = forms.BooleanField(
        error_messages={
            "required": _("Cochez le consentement à la publication pour rejoindre la liste.")
        }
    )

    def __init__(self, *args, electoral_list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = JOIN_CONSENT.format(name=electoral_list.name)
