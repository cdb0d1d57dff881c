"""The update form (« Mon espace » and « Proposer une mise à jour »): it only validates.

The document's bytes are checked here (pledges.follow_up.services.check_document) so that a
bad file is said at the form, beside everything else typed, before anything is stored.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from pledges.follow_up.services import check_document, check_link
from pledges.models import FollowUpStatus, FollowUpUpdate


class FollowUpForm(forms.ModelForm):
    link = forms.URLField(
        label=_("Lien (facultatif)"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Une page qui en témoigne : délibération, article, site de la commune…"),
        error_messages={
            "invalid": _("Ce lien n’est pas une adresse web (https://…)."),
            "max_length": _("Le lien est trop long (500 caractères au plus)."),
        },
    )

    class Meta:
        model = FollowUpUpdate
        fields = ["status", "text", "link", "document", "source"]
        labels = {
            "status": _("Où en est cet engagement ?"),
            "text": _("Ce qui a été fait, ou pourquoi pas"),
            "document": _("Document (facultatif, PDF ou image, 5 Mo au plus)"),
            "source": _("Source (facultative)"),
        }
        help_texts = {
            "text": _("Obligatoire : le statut ne change jamais sans une explication publique."),
            "source": _("D’où vient l’information : conseil municipal du 12 octobre, presse…"),
        }
        error_messages = {
            "text": {
                "required": _(
                    "Dites ce qui a été fait, ou pourquoi : le statut ne change jamais sans "
                    "explication."
                ),
                "max_length": _("Le texte est trop long (3 000 caractères au plus)."),
            },
            "status": {"required": _("Choisissez où en est l’engagement.")},
            "source": {"max_length": _("La source est trop longue (300 caractères au plus).")},
        }
        widgets = {
            "text": forms.Textarea(attrs={"rows": 4}),
            "document": forms.ClearableFileInput(
                attrs={"accept": "application/pdf,image/png,image/jpeg,image/webp"}
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = FollowUpStatus.choices
        self.fields["status"].widget = forms.RadioSelect(choices=FollowUpStatus.choices)

    def clean_link(self):
        return check_link(self.cleaned_data.get("link", ""))

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if document:
            check_document(document)
        return document
