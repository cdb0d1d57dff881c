"""A candidate's personal data across the site: the export, and the erasure of an account.

They live with the signing side because a person's data is mostly their signature; the
candidates app knows nothing of signatures.
"""

import hashlib
import hmac
import logging
from functools import partial

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

import config.tasks  # noqa: F401  (its retry policy applies to the file deletion job)
from candidates.models import Candidate
from config.site import absolute_url
from pledges.certificates.services import pdf_name
from pledges.directory.queries import invalidate_public_caches
from pledges.directory.share_image import stored_images_of
from pledges.models import (
    AuditEntry,
    Certificate,
    ElectoralList,
    Signature,
    SignatureEvent,
    SignatureTrace,
)

logger = logging.getLogger(__name__)


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _certificates(candidate: Candidate) -> list[dict]:
    """Every version of the certificates that name the candidate: their signature's, and
    those of a list they head (signed by a former head)."""
    certificates = (
        Certificate.objects.filter(
            Q(pledge__candidate=candidate) | Q(pledge__electoral_list__head=candidate)
        )
        .select_related("pledge")
        .order_by("pledge_id", "version")
    )
    own_pdf = absolute_url(reverse("pledges:my_certificate"))
    list_pdf = absolute_url(reverse("pledges:my_list_certificate"))
    return [
        {
            "reference": certificate.reference,
            "version": certificate.version,
            "emise_le": _iso(certificate.issued_at),
            "remplacee_le": _iso(certificate.superseded_at),
            "empreinte_sha256": certificate.fingerprint,
            "contenu_certifie": certificate.content,
            "verification": absolute_url(certificate.get_absolute_url()),
            # Only the version in force is downloaded from « Mon espace »; earlier ones are
            # read on their verification page (their content is above, word for word).
            "pdf": (own_pdf if certificate.pledge.candidate_id == candidate.pk else list_pdf)
            if certificate.superseded_at is None
            else None,
        }
        for certificate in certificates
    ]


def _audit_entries(pledge_ids: list[int]) -> list[dict]:
    """The audit log's entries about the candidate's signatures. The staff member's name
    and address are theirs, not the candidate's: the export says « équipe Coorace »."""
    entries = AuditEntry.objects.filter(pledge_id__in=pledge_ids).order_by("at", "pk")
    return [
        {
            "date": entry.at.isoformat(),
            "action": entry.get_action_display(),
            "par": _("équipe Coorace"),
            "valeurs_avant_apres": entry.changes,
            "message_ou_motif": entry.note,
        }
        for entry in entries
    ]


def _lists(candidate: Candidate) -> dict:
    memberships = candidate.list_memberships.select_related(
        "electoral_list__commune", "electoral_list__secteur"
    )
    claims = candidate.list_claims.select_related(
        "electoral_list__commune", "electoral_list__secteur"
    )
    headed = candidate.headed_lists.select_related("commune", "secteur")
    return {
        "listes_conduites": [
            {
                "nom": electoral_list.name,
                "nom_court": electoral_list.short_name,
                "lieu": electoral_list.place,
                "etiquette": electoral_list.political_label,
                "site_web": electoral_list.website,
                "creee_le": _iso(electoral_list.created_at),
            }
            for electoral_list in headed
        ],
        "adhesions_a_une_liste": [
            {
                "liste": membership.electoral_list.name,
                "lieu": membership.electoral_list.place,
                "statut": membership.get_status_display(),
                "par_le_lien_d_invitation": membership.via_invitation,
                "consentement": {
                    "texte": membership.consent_publication_text,
                    "date": _iso(membership.consent_publication_at),
                },
                "demandee_le": _iso(membership.requested_at),
                "decidee_le": _iso(membership.decided_at),
                "terminee_le": _iso(membership.ended_at),
            }
            for membership in memberships
        ],
        "revendications_de_tete_de_liste": [
            {
                "liste": claim.electoral_list.name,
                "lieu": claim.electoral_list.place,
                "le": _iso(claim.at),
                "traitee_le": _iso(claim.settled_at),
                "decision": claim.note,
            }
            for claim in claims
        ],
    }


def export_personal_data(*, user: AbstractBaseUser) -> dict:
    """Everything the site holds about the account, as JSON-ready data.

    The account and all its e-mail addresses, the profile, each signature with its
    commitments, its history and every message or reason staff sent about it, the
    certificates (every version), the audit log's entries about them, the lists the
    candidate heads, joined or claimed, and the correction requests.
    """
    candidate = Candidate.objects.select_related("commune", "secteur").filter(user=user).first()
    data = {
        "compte": {
            "email": user.email,
            "adresses_email": [
                {
                    "adresse": address.email,
                    "principale": address.primary,
                    "verifiee": address.verified,
                }
                for address in EmailAddress.objects.filter(user=user).order_by("-primary", "pk")
            ],
            "inscrit_le": user.date_joined.isoformat(),
            "derniere_connexion": _iso(user.last_login),
        },
        "candidature": None,
        "signatures": [],
        "attestations": [],
        "journal_des_decisions": [],
        "listes": {
            "listes_conduites": [],
            "adhesions_a_une_liste": [],
            "revendications_de_tete_de_liste": [],
        },
        "demandes_de_correction": [],
    }
    if candidate is None:
        return data
    data["candidature"] = {
        "prenom": candidate.first_name,
        "nom": candidate.last_name,
        "commune": {"code_insee": candidate.commune.insee_code, "nom": candidate.commune.name},
        "secteur": candidate.secteur.name if candidate.secteur_id else None,
        "role": candidate.get_role_display(),
        "liste": candidate.list_name,
        "explication_du_mode_de_scrutin": candidate.ballot_note,
        "etiquette": candidate.political_label,
        "site_web": candidate.website,
        "declaration": candidate.statement,
        "consentement_etiquette_et_declaration": {
            "texte": candidate.opinions_consent_text,
            "date": _iso(candidate.opinions_consent_at),
        },
        "telephone": candidate.phone,
        "creee_le": candidate.created_at.isoformat(),
        "modifiee_le": candidate.updated_at.isoformat(),
    }
    pledges = candidate.signatures.select_related("campaign").prefetch_related(
        "signed_commitments__commitment__proposal",
        "events__commitment__proposal",
        "events__reason",
    )
    for pledge in pledges:
        data["signatures"].append(
            {
                "campagne": pledge.campaign.name,
                "statut": pledge.get_status_display(),
                "envoyee_le": pledge.submitted_at.isoformat(),
                "validee_le": _iso(pledge.approved_at),
                "retiree_le": _iso(pledge.withdrawn_at),
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
                        "retire_le": _iso(signature.withdrawn_at),
                    }
                    for signature in pledge.signed_commitments.all()
                ],
                # With every message staff wrote to the candidate (changes asked, a
                # refusal's details, why it was unpublished) and each refusal's reason.
                "historique": [
                    {
                        "date": event.at.isoformat(),
                        "evenement": event.get_kind_display(),
                        "engagement": event.commitment.code if event.commitment else None,
                        "message_de_l_equipe": event.note,
                        "motif": {
                            "libelle": event.reason.label,
                            "texte_envoye": event.reason.candidate_text,
                        }
                        if event.reason
                        else None,
                    }
                    for event in pledge.events.all()
                ],
            }
        )
    data["attestations"] = _certificates(candidate)
    data["journal_des_decisions"] = _audit_entries([pledge.pk for pledge in pledges])
    data["listes"] = _lists(candidate)
    data["demandes_de_correction"] = [
        {
            "message": correction.message,
            "envoyee_le": correction.created_at.isoformat(),
            "traitee_le": _iso(correction.handled_at),
        }
        for correction in candidate.correction_requests.all()
    ]
    return data


def pseudonym_for(pledge: Signature) -> str:
    """A stable pseudonym: staff can tell two traces apart, nobody can name them."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"pledge:{pledge.pk}".encode(), hashlib.sha256
    ).hexdigest()
    return digest[:16]


# What an audit entry about an erased signature keeps of its recorded changes: the
# decision (status, version, which claim or membership, by id) and the place and role
# (kept in the SignatureTrace too). Any other value (a name, a list's name as typed, a
# website, a staff note) becomes ERASED, its key kept: staff still see what was changed.
AUDIT_KEPT_KEYS = frozenset(
    {
        "status",
        "version",
        "claim",
        "head",
        "membership",
        "joins_need_staff",
        "commune",
        "secteur",
        "role",
    }
)
ERASED = "(effacé)"
# Audit notes kept after an erasure: a re-issue's note is the certificate's reference.
AUDIT_NOTES_KEPT = frozenset({AuditEntry.Action.CERTIFICATE_REISSUED})


def _scrubbed(changes: dict) -> dict:
    return {
        key: value
        if key in AUDIT_KEPT_KEYS
        else ([ERASED] * len(value) if isinstance(value, list) else ERASED)
        for key, value in changes.items()
    }


def _scrub_audit_log(pledges: list[Signature], candidate: Candidate) -> int:
    """Remove names and other personal values from the audit entries about `pledges` and
    the candidate's list claims; what was decided, when and by whom stays, under the
    signature's pseudonym. A refusal keeps its reason's label, not the staff's own words
    (they were addressed to the person). Returns how many entries changed."""
    reasons = {
        (event.pledge_id, event.at): event.reason.label
        for event in SignatureEvent.objects.filter(
            pledge__in=pledges, reason__isnull=False
        ).select_related("reason")
    }
    claim_ids = list(candidate.list_claims.values_list("pk", flat=True))
    entries = AuditEntry.objects.filter(
        Q(pledge__in=pledges)
        | Q(action=AuditEntry.Action.CLAIM_SETTLED, changes__claim__0__in=claim_ids)
    )
    changed = []
    for entry in entries:
        changes = _scrubbed(entry.changes)
        if entry.action in AUDIT_NOTES_KEPT:
            note = entry.note
        else:
            note = reasons.get((entry.pledge_id, entry.at), "")
        if (changes, note) != (entry.changes, entry.note):
            entry.changes, entry.note = changes, note
            changed.append(entry)
    AuditEntry.objects.bulk_update(changed, ["changes", "note"])
    return len(changed)


def _certificate_files(pledges: list[Signature]) -> list[str]:
    """The storage names of every version's PDF: the recorded one and the one name a
    render writes to (`pdf_name`), in case a render wrote it without recording it yet."""
    names = set()
    for certificate in Certificate.objects.filter(pledge__in=pledges):
        names.add(pdf_name(certificate))
        if certificate.pdf:
            names.add(certificate.pdf.name)
    return sorted(names)


@task()
def delete_stored_files(names: list[str]) -> str:
    """Delete files from the default storage (a missing one is already deleted). If the
    storage fails, the job fails with an OSError after trying every file, and config.tasks
    tries it again later; should it give up, `manage.py clean_certificate_files` deletes
    them too, since no certificate owns them any more."""
    failed = []
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("Could not delete %s from storage.", name)
            failed.append(name)
    if failed:
        raise OSError(f"{len(failed)} of {len(names)} files could not be deleted: {failed}")
    return f"{len(names)} files deleted"


def delete_files_after_commit(names: list[str]) -> None:
    """Delete `names` from storage in a job, once the erasure is committed: a storage
    failure never undoes it, and a rolled-back erasure deletes nothing."""
    if names:
        transaction.on_commit(partial(delete_stored_files.enqueue, names), robust=True)


def erase_pledges(*, pledges: list[Signature], candidate: Candidate, now) -> int:
    """Erase signatures of `candidate` (their certificates' files and share images after
    the commit) and leave staff, for each, a pseudonymous trace of what was decided and
    when, and an audit log without their names (nor, on their list claims, staff's notes
    about them). Returns how many were erased. Call inside a transaction."""
    pledges = list(pledges)
    for pledge in pledges:
        SignatureTrace.objects.create(
            pseudonym=pseudonym_for(pledge),
            campaign_id=pledge.campaign_id,
            commune_insee_code=candidate.commune.insee_code,
            last_status=pledge.status,
            submitted_at=pledge.submitted_at,
            approved_at=pledge.approved_at,
            decisions=[
                {"kind": kind, "at": at.isoformat()}
                for kind, at in pledge.events.values_list("kind", "at")
            ],
            erased_at=now,
        )
    _scrub_audit_log(pledges, candidate)
    files = _certificate_files(pledges) + stored_images_of(pledges)
    Signature.objects.filter(pk__in=[pledge.pk for pledge in pledges]).delete()
    delete_files_after_commit(files)
    return len(pledges)


@transaction.atomic
def delete_account(*, user: AbstractBaseUser) -> None:
    """Withdraw consent and erase the account.

    Everything public about the candidate disappears and their private data is erased:
    the profile, its signatures, their certificates (every version's PDF, deleted from
    storage once this commits), history, list memberships and claims, correction requests,
    every e-mail address. Staff keep, per signature, a pseudonymous trace of what was
    decided and when, and an audit log whose recorded changes no longer hold their names.
    """
    now = timezone.now()
    candidate = Candidate.objects.select_related("commune").filter(user=user).first()
    if candidate is not None:
        erase_pledges(pledges=candidate.signatures.all(), candidate=candidate, now=now)
        # The list stays (its colistiers are on it), without a head: flagged for staff.
        for electoral_list in ElectoralList.objects.filter(head=candidate):
            electoral_list.review_note = f"{electoral_list.review_note}\n" + _(
                "La tête de liste a supprimé son compte le %(date)s : la liste n’a plus de "
                "tête ni de signature."
            ) % {"date": f"{now:%d/%m/%Y}"}
            electoral_list.review_note = electoral_list.review_note.strip()
            electoral_list.save(update_fields=["review_note"])
    # The profile, its memberships, claims and correction requests, and the e-mail
    # addresses go with it.
    user.delete()
    # The public counters may have counted them: recount once the erasure is committed.
    transaction.on_commit(invalidate_public_caches)
