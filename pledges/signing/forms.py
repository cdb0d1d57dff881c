from django import forms
from django.utils.translation import gettext_lazy as _

from pledges.models import Commitment
from pledges.signing.services import PUBLICATION_CONSENT


class SignatureForm(forms.Form):
    """The commitments ticked and the two consents, each its own checkbox."""

    commitments = forms.ModelMultipleChoiceField(
        label=_("Engagements"),  # named in the error summary
        queryset=Commitment.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Cochez au moins un engagement."),
            "invalid_choice": _("Un des engagements choisis n’existe pas : cochez-les à nouveau."),
            "invalid_pk_value": _(
                "Un des engagements choisis n’existe pas : cochez-les à nouveau."
            ),
        },
    )
    consent_candidacy = forms.BooleanField(
        error_messages={"required": _("Cochez cette case pour certifier votre candidature.")}
    )
    consent_publication = forms.BooleanField(
        label=PUBLICATION_CONSENT,
        error_messages={
            "required": _(
                "Cochez cette case pour accepter la publication : sans elle, votre signature "
                "ne peut pas être publiée."
            )
        },
    )

    def __init__(
        self,
        *args,
        campaign,
        candidacy_consent: str,
        signed_by_list: frozenset[int] = frozenset(),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        # A colistier signs in their own name only what their list has not signed.
        self.fields["commitments"].queryset = (
            Commitment.objects.filter(proposal__campaign=campaign)
            .exclude(pk__in=signed_by_list)
            .select_related("proposal")
        )
        if signed_by_list:
            self.fields["commitments"].error_messages["invalid_choice"] = _(
                "Votre liste a déjà signé certains de ces engagements : à titre personnel, "
                "cochez seulement ceux qu’elle n’a pas signés."
            )
        self.fields["consent_candidacy"].label = candidacy_consent

    def checked_ids(self) -> set[str]:
        """The commitment ids to show ticked, bound or not (so nothing entered is lost)."""
        if self.is_bound:
            return set(self.data.getlist(self.add_prefix("commitments")))
        return {str(pk) for pk in self.initial.get("commitments", [])}
