"""A candidate's profile: the rules of a candidacy, and the code that writes a profile.

Keyword arguments, one transaction each, ValidationError with a French message when a
rule says no. Whether a profile's identity is locked is a signing rule: the signing
services decide it (pledges.signing.services.save_profile) and pass `locked` here.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from candidates import emails
from candidates.models import Candidate, CorrectionRequest
from communes.models import Commune

LIST_NAME_THRESHOLD = 1000


def check_candidacy(*, commune: Commune, role: str, list_name: str) -> None:
    """The election's rules that a profile must meet."""
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
    population = commune.population or 0
    if (
        role == Candidate.Role.HEAD_OF_LIST
        and population >= LIST_NAME_THRESHOLD
        and not list_name.strip()
    ):
        raise ValidationError(
            {
                "list_name": _(
                    "Indiquez le nom de votre liste : à %(name)s (1 000 habitants ou plus), "
                    "chaque tête de liste conduit une liste."
                )
                % {"name": commune.name}
            }
        )


@transaction.atomic
def save_candidate(*, user: AbstractBaseUser, locked: bool = False, **fields) -> Candidate:
    """Create or update the account's profile; with `locked`, its identity can't change."""
    candidate = Candidate.objects.select_for_update().filter(user=user).first()
    if candidate and locked:
        changed = [
            name for name in Candidate.IDENTITY_FIELDS if getattr(candidate, name) != fields[name]
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
    check_candidacy(commune=fields["commune"], role=fields["role"], list_name=fields["list_name"])
    if candidate is None:
        candidate = Candidate(user=user)
    for name, value in fields.items():
        setattr(candidate, name, value)
    candidate.full_clean(exclude=["user"])
    candidate.save()
    return candidate


def request_correction(*, candidate: Candidate, message: str) -> CorrectionRequest:
    message = message.strip()
    if not message:
        raise ValidationError(_("Dites-nous ce qu’il faut corriger."))
    correction = CorrectionRequest.objects.create(candidate=candidate, message=message)
    emails.notify_staff_of_correction(correction)
    return correction
