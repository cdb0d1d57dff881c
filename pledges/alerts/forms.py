from django import forms
from django.utils.translation import gettext_lazy as _


class AlertForm(forms.Form):
    email = forms.EmailField(
        label=_("Votre adresse de courriel"),
        max_length=254,
        error_messages={
            "required": _("Indiquez l’adresse de courriel où vous prévenir."),
            "invalid": _(
                "Cette adresse de courriel n’est pas valide : vérifiez-la "
                "(par exemple prenom.nom@exemple.fr)."
            ),
            "max_length": _("Cette adresse de courriel est trop longue."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
