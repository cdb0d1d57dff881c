"""The relay's forms: its space's filters, and « invitée le … » for one list."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pledges.models import ListInvitation
from pledges.roster.answers import Answer


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class RosterFilterForm(forms.Form):
    """The space's filters: a whole région holds thousands of lists."""

    departement = forms.ChoiceField(label=_("Département"), required=False)
    commune = forms.CharField(
        label=_("Commune"),
        max_length=100,
        required=False,
        help_text=_("Son nom (sans accents ni majuscules) ou son code INSEE."),
    )
    reponse = forms.ChoiceField(
        label=_("Réponse"),
        required=False,
        choices=[("", _("Toutes les réponses")), *Answer.choices],
    )

    def __init__(self, data=None, *, departements=()):
        super().__init__(data)
        self.fields["departement"].choices = [
            ("", _("Tous les départements")),
            *((d.code, f"{d.code} — {d.name}") for d in departements),
        ]


class InvitationForm(forms.Form):
    at = forms.DateField(
        label=_("Invitée le"),
        widget=DateInput(),
        error_messages={
            "required": _("Indiquez la date de l’invitation."),
            "invalid": _("Cette date n’est pas valable (jour/mois/année)."),
        },
    )
    channel = forms.ChoiceField(
        label=_("Par"),
        choices=ListInvitation.Channel.choices,
        error_messages={"required": _("Choisissez le moyen de l’invitation.")},
    )
    note = forms.CharField(
        label=_("Note (facultative)"),
        max_length=300,
        required=False,
        help_text=_("Par exemple « lettre remise à la réunion publique du 12 février »."),
    )

    def __init__(self, data=None):
        super().__init__(
            data,
            initial={"at": timezone.localdate(), "channel": ListInvitation.Channel.LETTER},
        )
