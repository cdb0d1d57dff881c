"""A candidate's personal data across the site: the export, and the erasure of an account.

They live with the signing side because a person's data is mostly their signature; the
candidates app knows nothing of signatures.
"""

import hashlib
import hmac

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Candidate
from pledges.directory.queries import invalidate_public_caches
from pledges.models import ElectoralList, Signature, SignatureTrace


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
    pledges = candidate.signatures.select_related("campaign").prefetch_related(
        "signed_commitments__commitment__proposal", "events__commitment__proposal"
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
                    for signature in pledge.signed_commitments.all()
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


def pseudonym_for(pledge: Signature) -> str:
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
        for pledge in candidate.signatures.select_related("candidate__commune"):
            SignatureTrace.objects.create(
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
        # The list stays (its colistiers are on it), without a head: flagged for staff.
        for electoral_list in ElectoralList.objects.filter(head=candidate):
            electoral_list.review_note = f"{electoral_list.review_note}\n" + _(
                "La tête de liste a supprimé son compte le %(date)s : la liste n’a plus de "
                "tête ni de signature."
            ) % {"date": f"{now:%d/%m/%Y}"}
            electoral_list.review_note = electoral_list.review_note.strip()
            electoral_list.save(update_fields=["review_note"])
    # The profile, its pledges, signatures, history and correction requests go with it.
    user.delete()
    # The public counters may have counted them: recount once the erasure is committed.
    transaction.on_commit(invalidate_public_caches)
