"""A candidate's profile and personal data: the only code that writes them.

Keyword arguments, one transaction each, ValidationError with a French message when a
rule says no; e-mails after the transaction.
"""

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Candidate, CorrectionRequest
from communes.models import Commune
from pledges import emails
from pledges.models import Pledge, PledgeTrace
from pledges.queries import invalidate_public_caches

# Once staff have approved a signature, these are what the public record is about:
# the candidate asks staff to correct them.
LOCKED_FIELDS = ("first_name", "last_name", "commune", "role", "list_name")
LIST_NAME_THRESHOLD = 1000


def identity_is_locked(candidate: Candidate | None) -> bool:
    if candidate is None or candidate.pk is None:
        return False
    return candidate.pledges.filter(approved_at__isnull=False).exists() or (
        candidate.pledges.filter(status=Pledge.Status.REJECTED).exists()
    )


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
def save_candidate(*, user: AbstractBaseUser, **fields) -> Candidate:
    """Create or update the account's profile. Locked fields can't change after approval."""
    candidate = Candidate.objects.select_for_update().filter(user=user).first()
    if candidate and identity_is_locked(candidate):
        changed = [name for name in LOCKED_FIELDS if getattr(candidate, name) != fields[name]]
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


def export_personal_data(*, user: AbstractBaseUser) -> dict:
    """Everything the site holds about the account, as JSON-ready data."""
    candidate = Candidate.objects.select_related("commune").filter(user=user).first()
    data = {
        "compte": {
            "email": user.email,
            "inscrit_le": user.date_joined.isoformat(),
            "derniere_connexion": user.last_login.isoformat() if user.last_login else None,
        },
        "candidature": None,
        "signatures": [],
        "demandes_de_correction": [],
    }
    if candidate is None:
        return data
    data["candidature"] = {
        "prenom": candidate.first_name,
        "nom": candidate.last_name,
        "commune": {"code_insee": candidate.commune.insee_code, "nom": candidate.commune.name},
        "role": candidate.get_role_display(),
        "liste": candidate.list_name,
        "etiquette": candidate.political_label,
        "site_web": candidate.website,
        "declaration": candidate.statement,
        "telephone": candidate.phone,
        "creee_le": candidate.created_at.isoformat(),
        "modifiee_le": candidate.updated_at.isoformat(),
    }
    pledges = candidate.pledges.select_related("campaign").prefetch_related(
        "signatures__commitment__proposal", "events__commitment__proposal"
    )
    for pledge in pledges:
        data["signatures"].append(
            {
                "campagne": pledge.campaign.name,
                "statut": pledge.get_status_display(),
                "envoyee_le": pledge.submitted_at.isoformat(),
                "validee_le": pledge.approved_at.isoformat() if pledge.approved_at else None,
                "retiree_le": pledge.withdrawn_at.isoformat() if pledge.withdrawn_at else None,
                "consentements": [
                    {
                        "texte": pledge.consent_candidacy_text,
                        "date": pledge.consent_candidacy_at.isoformat(),
                    },
                    {
                        "texte": pledge.consent_publication_text,
                        "date": pledge.consent_publication_at.isoformat(),
                    },
                ],
                "engagements": [
                    {
                        "code": signature.commitment.code,
                        "texte": signature.commitment.text,
                        "signe_le": signature.signed_at.isoformat(),
                        "retire_le": signature.withdrawn_at.isoformat()
                        if signature.withdrawn_at
                        else None,
                    }
                    for signature in pledge.signatures.all()
                ],
                "historique": [
                    {
                        "date": event.at.isoformat(),
                        "evenement": event.get_kind_display(),
                        "engagement": event.commitment.code if event.commitment else None,
                    }
                    for event in pledge.events.all()
                ],
            }
        )
    data["demandes_de_correction"] = [
        {"message": correction.message, "envoyee_le": correction.created_at.isoformat()}
        for correction in candidate.correction_requests.all()
    ]
    return data


def pseudonym_for(pledge: Pledge) -> str:
    """A stable pseudonym: staff can tell two traces apart, nobody can name them."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"pledge:{pledge.pk}".encode(), hashlib.sha256
    ).hexdigest()
    return digest[:16]


@transaction.atomic
def delete_account(*, user: AbstractBaseUser) -> None:
    """Withdraw consent and erase the account.

    Everything public about the candidate disappears and their private data is erased;
    staff keep, per pledge, a pseudonymous trace of what was decided and when.
    """
    now = timezone.now()
    candidate = Candidate.objects.filter(user=user).first()
    if candidate is not None:
        for pledge in candidate.pledges.select_related("candidate__commune"):
            PledgeTrace.objects.create(
                pseudonym=pseudonym_for(pledge),
                campaign_id=pledge.campaign_id,
                commune_insee_code=pledge.candidate.commune.insee_code,
                last_status=pledge.status,
                submitted_at=pledge.submitted_at,
                approved_at=pledge.approved_at,
                decisions=[
                    {"kind": kind, "at": at.isoformat()}
                    for kind, at in pledge.events.values_list("kind", "at")
                ],
                erased_at=now,
            )
    # The profile, its pledges, signatures, history and correction requests go with it.
    user.delete()
    # The public counters may have counted them: recount once the erasure is committed.
    transaction.on_commit(invalidate_public_caches)


@dataclass
class ErasureCounts:
    phones: int = 0
    correction_messages: int = 0
    ip_addresses: int = 0


def erase_private_data(*, before, dry_run: bool = False) -> ErasureCounts:
    """Erase private contact data older than `before` (a timezone-aware datetime).

    Phones of candidates whose profile was last changed before that date, the messages of
    correction requests sent before it, and the IP addresses of audit entries written
    before it. The published record and the audit trail's pseudonymous entries stay.
    """
    from pledges.models import AuditEntry

    phones = Candidate.objects.filter(updated_at__lt=before).exclude(phone="")
    messages = CorrectionRequest.objects.filter(created_at__lt=before).exclude(message="")
    addresses = AuditEntry.objects.filter(at__lt=before, ip_address__isnull=False)
    counts = ErasureCounts(phones.count(), messages.count(), addresses.count())
    if not dry_run:
        with transaction.atomic():
            # update() leaves updated_at alone: the profile itself did not change.
            phones.update(phone="")
            messages.update(message="")
            addresses.update(ip_address=None)
    return counts
