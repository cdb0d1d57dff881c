"""One form per moderation decision: each validates what its decision needs, nothing more."""

from django import forms
from django.utils.translation import gettext_lazy as _

from pledges.models import RejectionReason


def _active_reasons():
    return RejectionReason.objects.filter(is_active=True)


class ApproveForm(forms.Form):
    # « Valider et passer à la suivante »: then open the next signature of the list.
    next = forms.BooleanField(required=False)


class RequestChangesForm(forms.Form):
    message = forms.CharField(
        label=_("Message envoyé à la personne candidate"),
        max_length=2000,
        widget=forms.Textarea,
        error_messages={
            "required": _("Écrivez à la personne candidate ce qu’elle doit compléter ou corriger.")
        },
    )


class RejectForm(forms.Form):
    reason = forms.ModelChoiceField(
        label=_("Motif de refus"),
        queryset=RejectionReason.objects.none(),
        error_messages={
            "required": _("Choisissez un motif de refus."),
            "invalid_choice": _("Ce motif n’est plus proposé : choisissez-en un autre."),
        },
    )
    details = forms.CharField(
        label=_("Précision envoyée à la personne candidate"),
        required=False,
        max_length=2000,
        widget=forms.Textarea,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = _active_reasons()


class UnpublishForm(forms.Form):
    reason = forms.CharField(
        label=_("Raison envoyée à la personne candidate"),
        max_length=2000,
        widget=forms.Textarea,
        error_messages={"required": _("Indiquez pourquoi cette signature est dépubliée.")},
    )


class ReissueForm(forms.Form):
    """Nothing to ask: a new version of the certificate replaces the current one."""


class BulkRejectForm(forms.Form):
    reason = forms.ModelChoiceField(
        label=_("Motif de refus"),
        queryset=RejectionReason.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
    )
    details = forms.CharField(
        label=_("Précision (envoyée aux candidat·es)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = _active_reasons()
