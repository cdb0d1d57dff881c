"""« Attestations d’engagement »: issued on approval, re-issued when what they certify changes.

A certificate version freezes what it certifies (`content`), gets an unguessable reference
(« CRC-7K3M-Q9TD »: 40 random bits in Crockford's base 32) and a SHA-256 fingerprint of its
canonical JSON. Its PDF is rendered once, on first download, and kept in the default
storage. Whether it still holds is read live from the pledge (verification page).
"""

import hashlib
import json
import re
import secrets
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from pledges.models import Certificate, Commitment, Signature, SignatureEvent

# Crockford's base 32: no I, L, O, U, so that a reference read aloud or typed is unambiguous.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TYPED = str.maketrans({"O": "0", "I": "1", "L": "1"})
REFERENCE = re.compile(r"CRC-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")


def new_reference() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"CRC-{chars[:4]}-{chars[4:]}"


def normalize_reference(text: str) -> str | None:
    """A reference as typed (any case, spaces, missing dashes, O for 0) → canonical, or None."""
    raw = re.sub(r"[\s\-\u2010\u2011\u2013\u2014_.]", "", text.upper()).translate(_TYPED)
    if raw.startswith("CRC"):
        raw = raw[3:]
    candidate = f"CRC-{raw[:4]}-{raw[4:]}"
    return candidate if len(raw) == 8 and REFERENCE.fullmatch(candidate) else None


def certified_content(pledge: Signature) -> dict:
    """What a certificate says about a pledge, in a stable, JSON-ready form."""
    candidate = pledge.candidate
    commune = candidate.commune
    signatures = (
        pledge.active_signatures()
        .select_related("commitment__proposal")
        .order_by("commitment__proposal__number", "commitment__position")
    )
    total = Commitment.objects.filter(proposal__campaign=pledge.campaign).count()
    return {
        "campagne": {"nom": pledge.campaign.name, "titre": pledge.campaign.title},
        "candidat": {
            "prenom": candidate.first_name,
            "nom": candidate.last_name,
            "role": candidate.get_role_display(),
            "liste": candidate.list_name,
        },
        "commune": {
            "nom": commune.name,
            "code_insee": commune.insee_code,
            "departement": f"{commune.departement.name} ({commune.departement_id})",
        },
        "signee_le": timezone.localdate(pledge.submitted_at).isoformat(),
        "validee_le": timezone.localdate(pledge.approved_at).isoformat()
        if pledge.approved_at
        else None,
        "engagements": [
            {
                "code": s.commitment.code,
                "proposition": {
                    "numero": s.commitment.proposal.number,
                    "titre": s.commitment.proposal.title,
                },
                "texte": s.commitment.text,
                "signe_le": timezone.localdate(s.signed_at).isoformat(),
            }
            for s in signatures
        ],
        "nombre_engagements": total,
    }


def fingerprint_of(*, reference: str, version: int, issued_at, content: dict) -> str:
    canonical = json.dumps(
        {
            "reference": reference,
            "version": version,
            "emise_le": issued_at.isoformat(),
            "contenu": content,
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@transaction.atomic
def issue_certificate(*, pledge: Signature, force: bool = False) -> Certificate | None:
    """Issue a new version if the pledge is approved and what it certifies has changed.

    With `force` (staff re-issue), a new version is issued even if nothing changed.
    Returns the new certificate, or None when none was needed.
    """
    pledge = Signature.objects.select_for_update().select_related("campaign").get(pk=pledge.pk)
    if pledge.status != Signature.Status.APPROVED:
        return None
    content = certified_content(pledge)
    current = pledge.certificates.filter(superseded_at__isnull=True).first()
    if current is not None and current.content == content and not force:
        return None
    now = timezone.now()
    if current is not None:
        current.superseded_at = now
        current.save(update_fields=["superseded_at"])
    version = (current.version if current else 0) + 1
    for _attempt in range(5):
        reference = new_reference()
        try:
            with transaction.atomic():
                return Certificate.objects.create(
                    pledge=pledge,
                    version=version,
                    reference=reference,
                    issued_at=now,
                    content=content,
                    fingerprint=fingerprint_of(
                        reference=reference, version=version, issued_at=now, content=content
                    ),
                )
        except IntegrityError:
            continue  # a reference already taken: 1 chance in a trillion, draw again
    raise RuntimeError("Could not draw a free certificate reference.")


def download_filename(certificate: Certificate) -> str:
    name = slugify(
        f"{certificate.content['candidat']['prenom']} {certificate.content['candidat']['nom']}"
    )
    return f"attestation-coorace-{name or 'signataire'}-{certificate.reference}.pdf"


def certificate_pdf(certificate: Certificate) -> Certificate:
    """Make sure the certificate's PDF is in storage (rendered once per version)."""
    if certificate.pdf:
        return certificate
    from pledges.certificates.pdf import render_certificate_pdf

    data = render_certificate_pdf(certificate)
    certificate.pdf.save(f"{certificate.reference}.pdf", ContentFile(data), save=False)
    Certificate.objects.filter(pk=certificate.pk).update(pdf=certificate.pdf.name)
    return certificate


@dataclass
class Verification:
    """What the verification page says about a reference."""

    certificate: Certificate
    state: str  # "valid", "superseded" or "revoked"
    latest: Certificate | None = None
    revoked_on: object = None
    revoked_because: str = ""


def verify(reference: str) -> Verification | None:
    certificate = Certificate.objects.select_related("pledge").filter(reference=reference).first()
    if certificate is None:
        return None
    pledge = certificate.pledge
    if pledge.status == Signature.Status.WITHDRAWN:
        return Verification(
            certificate, "revoked", revoked_on=pledge.withdrawn_at, revoked_because="withdrawn"
        )
    if pledge.status == Signature.Status.UNPUBLISHED:
        event = pledge.events.filter(kind=SignatureEvent.Kind.UNPUBLISHED).order_by("-at").first()
        return Verification(
            certificate,
            "revoked",
            revoked_on=event.at if event else None,
            revoked_because="unpublished",
        )
    if pledge.status != Signature.Status.APPROVED:
        return None  # never public: nothing to show
    if certificate.superseded_at is not None:
        latest = pledge.certificates.filter(superseded_at__isnull=True).first()
        return Verification(certificate, "superseded", latest=latest)
    return Verification(certificate, "valid")
