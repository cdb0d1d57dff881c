"""A candidate's profile: the rules of a candidacy, and the code that writes a profile.

Keyword arguments, one transaction each, ValidationError with a French message when a
rule says no. Whether a profile's identity is locked is a signing rule: the signing
services decide it (pledges.signing.services.save_profile) and pass `locked` here.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from candidates import emails
from candidates.models import Candidate, CorrectionRequest
from communes.models import Commune, Secteur

# Asked beside the political label and the statement, the fields of « Ma candidature » that
# may reveal opinions: they are stored only with it (its text and date kept on the profile).
OPINIONS_CONSENT = (
    "J’accepte que Coorace enregistre mon étiquette politique et ma déclaration publique, "
    "qui peuvent révéler mes opinions politiques, et les publie avec ma signature (et celle "
    "de ma liste) si je signe et qu’elle est validée. Je peux retirer ce consentement à tout "
    "moment en vidant ces deux champs : ils sont alors effacés."
)
OPINIONS_CONSENT_REQUIRED = gettext_lazy(
    "Cochez le consentement à l’enregistrement de votre étiquette politique et de votre "
    "déclaration, ou laissez ces deux champs vides."
)


def check_candidacy(
    *,
    commune: Commune,
    role: str,
    list_name: str,
    secteur: Secteur | None = None,
    ballot_note: str = "",
) -> None:
    """The election's rules that a profile must meet.

    Whether a commune votes by list is known from the official candidatures once imported;
    until then its population is a hint (commune.list_ballot_hint) that a candidate may
    overrule with a one-line explanation (`ballot_note`), which staff see.
    """
    if not commune.elects_council:
        raise ValidationError(
            {
                "commune": _(
                    "%(name)s n’élit pas de conseil municipal : choisissez la commune où vous "
                    "êtes candidat·e."
                )
                % {"name": commune.name}
            }
        )
    on_a_list = role in Candidate.LIST_ROLES
    params = {"name": commune.name, "place": commune.phrase_dans}
    if commune.votes_by_secteur:
        if not on_a_list:
            raise ValidationError(
                {
                    "role": _(
                        "À %(name)s, les candidat·es se présentent sur des listes, par secteur : "
                        "choisissez « Tête de liste » ou « Colistier·e »."
                    )
                    % params
                }
            )
        if secteur is None or secteur.commune_id != commune.pk:
            raise ValidationError(
                {
                    "secteur": _(
                        "À %(name)s, les listes se présentent par secteur : choisissez le vôtre."
                    )
                    % params
                }
            )
    elif secteur is not None:
        raise ValidationError(
            {
                "secteur": _(
                    "Seules Paris, Lyon et Marseille votent par secteur : laissez ce champ vide."
                )
            }
        )
    if on_a_list != commune.list_ballot_hint and not ballot_note.strip():
        if commune.votes_by_list is not None:
            # The official candidatures are in: the population hint steps aside.
            message = (
                _(
                    "D’après les candidatures officielles déposées en préfecture, on vote "
                    "%(place)s pour des candidat·es, un·e par un·e, pas pour des listes. Si vous "
                    "êtes pourtant sur une liste, dites pourquoi en une ligne."
                )
                if on_a_list
                else _(
                    "D’après les candidatures officielles déposées en préfecture, des listes se "
                    "présentent %(place)s. Si vous vous présentez pourtant à titre individuel, "
                    "dites pourquoi en une ligne."
                )
            )
            raise ValidationError({"ballot_note": message % params})
        message = (
            _(
                "%(name)s compte moins de 1 000 habitants d’après nos données : on y vote pour "
                "des candidat·es, pas des listes. Si votre commune vote par liste, dites "
                "pourquoi en une ligne."
            )
            if on_a_list
            else _(
                "%(name)s compte 1 000 habitants ou plus d’après nos données : on y vote pour "
                "des listes. Si vous vous présentez à titre individuel, dites pourquoi en une "
                "ligne."
            )
        )
        raise ValidationError({"ballot_note": message % params})
    if role == Candidate.Role.HEAD_OF_LIST and not list_name.strip():
        raise ValidationError(
            {
                "list_name": _(
                    "Indiquez le nom de votre liste : chaque tête de liste conduit une liste."
                )
            }
        )


@transaction.atomic
def save_candidate(
    *, user: AbstractBaseUser, locked: bool = False, opinions_consent: bool = False, **fields
) -> Candidate:
    """Create or update the account's profile; with `locked`, its identity can't change.

    A political label or a statement is stored only with `opinions_consent` (the box
    beside them): its text and date are recorded, once; without them, both are cleared.
    """
    candidate = Candidate.objects.select_for_update().filter(user=user).first()
    if candidate and locked:
        changed = [
            name
            for name in Candidate.IDENTITY_FIELDS
            if getattr(candidate, name) != fields.get(name, getattr(candidate, name))
        ]
        if changed:
            raise ValidationError(
                {
                    name: _(
                        "Votre signature a été validée : ce champ ne peut plus être modifié "
                        "ici. Utilisez « Demander une correction »."
                    )
                    for name in changed
                }
            )
    check_candidacy(
        commune=fields["commune"],
        role=fields["role"],
        list_name=fields["list_name"],
        secteur=fields.get("secteur"),
        ballot_note=fields.get("ballot_note", ""),
    )
    if candidate is None:
        candidate = Candidate(user=user)
    for name, value in fields.items():
        setattr(candidate, name, value)
    _record_opinions_consent(candidate, consent=opinions_consent)
    candidate.full_clean(exclude=["user"])
    candidate.save()
    return candidate


def _record_opinions_consent(candidate: Candidate, *, consent: bool) -> None:
    if not (candidate.political_label.strip() or candidate.statement.strip()):
        # Nothing that reveals an opinion is stored: nothing to consent to.
        candidate.opinions_consent_text, candidate.opinions_consent_at = "", None
        return
    if not consent:
        raise ValidationError({"opinions_consent": OPINIONS_CONSENT_REQUIRED})
    if candidate.opinions_consent_text != OPINIONS_CONSENT:
        candidate.opinions_consent_text = OPINIONS_CONSENT
        candidate.opinions_consent_at = timezone.now()


def request_correction(*, candidate: Candidate, message: str) -> CorrectionRequest:
    message = message.strip()
    if not message:
        raise ValidationError(_("Dites-nous ce qu’il faut corriger."))
    correction = CorrectionRequest.objects.create(candidate=candidate, message=message)
    emails.notify_staff_of_correction(correction)
    return correction
