import copy

from django import forms
from django.utils.translation import gettext_lazy as _

from candidates.models import STATEMENT_MAX_LENGTH, Candidate, website_validator
from candidates.services import OPINIONS_CONSENT, OPINIONS_CONSENT_REQUIRED
from candidates.validators import multiline_validator, single_line_validator
from communes.models import Commune, Secteur
from communes.search import normalize_name

COMMUNE_CHOICES_SHOWN = 8


class CandidateForm(forms.ModelForm):
    """« Ma candidature ». Forms only validate: pledges.signing.services.save_profile writes.

    The commune is chosen by its INSEE code (`commune`, filled by the autocomplete) or,
    without JavaScript, typed as text (`commune_query`): an unambiguous name or postal
    code is taken as is, otherwise the form comes back with the matching communes to
    choose from, everything else kept.
    """

    commune_query = forms.CharField(
        label=_("Commune où vous êtes candidat·e"),
        max_length=100,
        required=False,
        validators=[single_line_validator],
        help_text=_("Tapez le nom ou le code postal, puis choisissez dans la liste."),
    )
    commune = forms.ModelChoiceField(
        queryset=Commune.objects.select_related("departement"),
        to_field_name="insee_code",
        required=False,
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": _("Cette commune n’existe pas : choisissez-la à nouveau.")
        },
    )
    secteur = forms.ModelChoiceField(
        label=_("Secteur (Paris, Lyon et Marseille)"),
        queryset=Secteur.objects.select_related("commune"),
        required=False,
        empty_label=_("— aucun (hors Paris, Lyon, Marseille) —"),
        error_messages={
            "invalid_choice": _("Ce secteur n’existe pas : choisissez-le dans la liste.")
        },
    )
    role = forms.ChoiceField(
        label=_("Votre rôle"), choices=Candidate.Role.choices, widget=forms.RadioSelect
    )
    # A CharField with the model's validator, not a URLField: an address typed without
    # its scheme is refused with a message rather than silently completed.
    website = forms.CharField(
        label=_("Site web (facultatif)"),
        max_length=300,
        required=False,
        validators=[website_validator, single_line_validator],
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    statement = forms.CharField(
        label=_("Déclaration publique (facultatif)"),
        required=False,
        max_length=STATEMENT_MAX_LENGTH,
        validators=[multiline_validator],
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Texte brut, 600 caractères au plus, publié avec votre signature."),
        error_messages={
            "max_length": _(
                "La déclaration compte %(show_value)d caractères : 600 au plus, raccourcissez-la."
            )
        },
    )
    # Beside the label and the statement (they may reveal opinions): they are stored only
    # with it, its text and date recorded by candidates.services.save_candidate.
    opinions_consent = forms.BooleanField(label=OPINIONS_CONSENT, required=False)

    class Meta:
        model = Candidate
        fields = [
            "first_name",
            "last_name",
            "commune_query",
            "commune",
            "role",
            "secteur",
            "list_name",
            "ballot_note",
            "political_label",
            "website",
            "statement",
            "opinions_consent",
            "phone",
        ]
        labels = {
            "first_name": _("Prénom"),
            "last_name": _("Nom"),
            "list_name": _("Nom de la liste (ou de votre groupe, à titre individuel)"),
            "secteur": _("Secteur (Paris, Lyon et Marseille)"),
            "ballot_note": _("Mode de scrutin : une ligne d’explication (si besoin)"),
            "political_label": _("Étiquette politique (facultatif)"),
            "phone": _("Téléphone (facultatif, jamais publié)"),
        }
        help_texts = {
            "list_name": _(
                "Obligatoire pour une tête de liste : votre liste est créée à ce nom quand vous "
                "signez. Facultatif pour un·e candidat·e à titre individuel (nom du groupe)."
            ),
            "secteur": _("À Paris, Lyon et Marseille, les listes se présentent par secteur."),
            "ballot_note": _(
                "Seulement si votre mode de scrutin n’est pas celui que suggère la population "
                "de la commune (1 000 habitants ou plus : scrutin de liste)."
            ),
            "political_label": _("Par exemple « Divers gauche », « Sans étiquette »."),
            "phone": _("L’équipe Coorace peut vous appeler pour vérifier votre candidature."),
        }
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        }

    def __init__(self, *args, candidate: Candidate | None = None, locked: bool = False, **kwargs):
        if candidate is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "commune": candidate.commune.insee_code,
                "commune_query": f"{candidate.commune.name} ({candidate.commune.departement_id})",
                "opinions_consent": candidate.opinions_consent_at is not None,
            }
        # A copy: validation fills the instance in, and the page still shows the saved one.
        super().__init__(*args, instance=copy.copy(candidate), **kwargs)
        self.locked = locked
        self.commune_choices: list[Commune] = []
        if locked:
            for name in (*Candidate.IDENTITY_FIELDS, "commune_query"):
                self.fields[name].widget.attrs["readonly"] = True
            self.fields["role"].widget = forms.Select(choices=Candidate.Role.choices)
        # Once the commune's official candidatures are in, they say how it votes.
        self.official_ballot = ""
        if candidate is not None and candidate.commune.votes_by_list is not None:
            self.official_ballot = (
                _(
                    "D’après les candidatures officielles déposées en préfecture, on vote à "
                    "%(name)s pour des listes."
                )
                if candidate.commune.votes_by_list
                else _(
                    "D’après les candidatures officielles déposées en préfecture, on vote à "
                    "%(name)s pour des candidat·es, un·e par un·e."
                )
            ) % {"name": candidate.commune.name}
            self.fields["ballot_note"].help_text = _(
                "Seulement si vous vous présentez autrement que ne le disent les candidatures "
                "officielles de votre commune."
            )
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["website"].widget.attrs["autocomplete"] = "url"
        self.fields["commune_query"].widget.attrs.update(
            {"autocomplete": "off", "data-commune-autocomplete": "id_commune"}
        )

    def profile(self) -> dict:
        """The validated profile, as the service takes it (the typed commune query aside)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "commune_query"}

    def clean(self):
        cleaned_data = super().clean()
        if self.has_error("commune"):
            # The commune is typed and chosen in the visible box: announce its error there,
            # not on the hidden input that carries the INSEE code.
            self.fields["commune_query"].widget.attrs.update(
                {
                    "aria-invalid": "true",
                    "aria-describedby": f"{self['commune_query'].auto_id}_helptext "
                    f"{self['commune'].auto_id}_error",
                }
            )
        return cleaned_data

    def clean_opinions_consent(self):
        consent = self.cleaned_data["opinions_consent"]
        typed = (
            self.data.get(self.add_prefix(name), "").strip()
            for name in ("political_label", "statement")
        )
        if any(typed) and not consent:
            raise forms.ValidationError(OPINIONS_CONSENT_REQUIRED)
        return consent

    def clean_statement(self):
        # Plain text: normalise line endings so that 600 means 600 characters.
        return self.cleaned_data["statement"].replace("\r\n", "\n").strip()

    def clean_commune(self):
        if self.cleaned_data["commune"] is not None:
            return self.cleaned_data["commune"]
        query = self.data.get(self.add_prefix("commune_query"), "").strip()
        if not query:
            raise forms.ValidationError(_("Indiquez la commune où vous êtes candidat·e."))
        matches = list(
            Commune.objects.search(query).select_related("departement")[: COMMUNE_CHOICES_SHOWN + 1]
        )
        exact = [c for c in matches if normalize_name(c.name) == normalize_name(query)]
        if len(matches) == 1:
            return matches[0]
        if len(exact) == 1:
            return exact[0]
        if not matches:
            raise forms.ValidationError(
                _(
                    "Aucune commune ne correspond à « %(query)s » : vérifiez l’orthographe "
                    "ou tapez le code postal."
                )
                % {"query": query}
            )
        self.commune_choices = matches[:COMMUNE_CHOICES_SHOWN]
        raise forms.ValidationError(
            _("Plusieurs communes correspondent à « %(query)s » : choisissez la vôtre ci-dessous.")
            % {"query": query}
        )


class CorrectionRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Que faut-il corriger ?"),
        max_length=2000,
        validators=[multiline_validator],
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Par exemple : « Mon nom s’écrit Lefèvre, avec un accent. »"),
        error_messages={"required": _("Dites-nous ce qu’il faut corriger.")},
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Votre mot de passe, pour confirmer"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Ce mot de passe n’est pas le bon."))
        return password
