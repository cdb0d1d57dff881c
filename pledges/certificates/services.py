"""« Attestations d’engagement »: issued on approval, re-issued when what they certify changes.

A certificate version freezes what it certifies (`content`), gets an unguessable reference
(« CRC-7K3M-Q9TD »: 40 random bits in Crockford's base 32) and a SHA-256 fingerprint of its
canonical JSON. Whether it still holds is read live from the pledge (verification page).

Its PDF is written once per version, under one name (`pdf_name`), whole or not at all:
`certificate_pdf` renders it from the frozen `content` under a lock on the certificate's
row, into a temporary file renamed over the final name. A job renders it when the version
is issued (pledges/certificates/tasks.py, CERTIFICATE_RENDER_ON_ISSUE); a download that
comes first renders it then; a file gone from storage is rendered again the same way.
`orphan_files` finds files no certificate owns (manage.py clean_certificate_files).
"""

import hashlib
import json
import os
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
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


def list_content(electoral_list) -> dict:
    """What a list's certificate says of the list: « La liste X, conduite par Y, à Z »."""
    head = electoral_list.head
    return {
        "nom": electoral_list.name,
        "tete": {"prenom": head.first_name, "nom": head.last_name} if head else None,
        "secteur": electoral_list.secteur.name if electoral_list.secteur_id else None,
        "lieu": electoral_list.place,
    }


def certified_content(pledge: Signature) -> dict:
    """What a certificate says about a pledge, in a stable, JSON-ready form.

    A list's signature (its head signed for it) also certifies the list, under « liste »:
    its name, its head and where it stands (the commune, and the secteur in Paris, Lyon
    and Marseille); a new name or a new head is a new version. Versions issued before lists
    were records have no « liste » and keep verifying: their content is frozen.
    """
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
        # The list object, not its id: the bulk seeder hands over lists not yet inserted.
        **({"liste": list_content(pledge.electoral_list)} if pledge.electoral_list else {}),
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
                certificate = Certificate.objects.create(
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
        if settings.CERTIFICATE_RENDER_ON_ISSUE:
            schedule_render(certificate)
        return certificate
    raise RuntimeError("Could not draw a free certificate reference.")


def schedule_render(certificate: Certificate) -> None:
    """Render the certificate's PDF in a job, once the transaction commits."""
    from pledges.certificates.tasks import render_certificate

    transaction.on_commit(partial(render_certificate.enqueue, certificate.pk), robust=True)


def download_filename(certificate: Certificate) -> str:
    content = certificate.content
    if "liste" in content:
        name = slugify(content["liste"]["nom"])
    else:
        name = slugify(f"{content['candidat']['prenom']} {content['candidat']['nom']}")
    return f"attestation-coorace-{name or 'signataire'}-{certificate.reference}.pdf"


PDF_FOLDER = "attestations"
# A temporary file younger than this may belong to a render in progress.
PARTIAL_GRACE = timedelta(hours=1)
PARTIAL_SUFFIX = ".part"


def pdf_name(certificate: Certificate) -> str:
    """The one name of a version's PDF (its reference is unique to the version)."""
    issued = timezone.localtime(certificate.issued_at)
    return f"{PDF_FOLDER}/{issued:%Y/%m}/{certificate.reference}.pdf"


def write_whole(storage: Storage, name: str, data: bytes) -> None:
    """Write `data` at `name` whole or not at all.

    On a file system storage: saved under a temporary name next to `name`, then renamed
    over it (`os.replace`, atomic on POSIX), so a reader sees the old file or the new one,
    never a part; a failed write (full disk…) deletes the temporary file and raises.
    A storage without local paths (an object store) stores an object whole by itself.
    """
    try:
        final_path = storage.path(name)
    except NotImplementedError:
        storage.delete(name)
        storage.save(name, ContentFile(data))
        return
    temporary = f"{name}.{secrets.token_hex(6)}{PARTIAL_SUFFIX}"
    try:
        temporary = storage.save(temporary, ContentFile(data))
        os.replace(storage.path(temporary), final_path)
    except BaseException:
        storage.delete(temporary)
        raise


def _stored(certificate: Certificate) -> bool:
    return bool(certificate.pdf) and default_storage.exists(certificate.pdf.name)


def certificate_pdf(certificate: Certificate) -> Certificate:
    """The certificate with its PDF in storage: rendered from its frozen `content` if it
    has none yet or if its file is gone, once, however many ask at the same time.

    The row is locked while it renders (SELECT … FOR UPDATE on PostgreSQL; SQLite's write
    lock, taken when the transaction starts, on SQLite): a second download waits, then
    finds the file. Raises OSError if the storage fails (nothing is left behind).
    """
    if _stored(certificate):
        return certificate
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if _stored(locked):
            return locked
        name = pdf_name(locked)
        if not default_storage.exists(name):
            from pledges.certificates.pdf import render_certificate_pdf

            write_whole(default_storage, name, render_certificate_pdf(locked))
        if locked.pdf.name != name:
            Certificate.objects.filter(pk=locked.pk).update(pdf=name)
            locked.pdf.name = name
    return locked


def _walk(storage: Storage, folder: str):
    directories, files = storage.listdir(folder)
    for file in files:
        yield f"{folder}/{file}"
    for directory in directories:
        yield from _walk(storage, f"{folder}/{directory}")


def orphan_files(storage: Storage = default_storage) -> list[str]:
    """Files under attestations/ to delete: those no certificate owns (copies written by
    concurrent first downloads before renders were locked, files of deleted certificates,
    temporary files of failed writes older than PARTIAL_GRACE) and certificates' files cut
    short by a write that failed before writes were atomic (`is_truncated`), which their
    next download renders again. A file at a certificate's own name (`pdf_name`) is kept,
    even while its render has not yet recorded it."""
    try:
        names = list(_walk(storage, PDF_FOLDER))
    except FileNotFoundError:
        return []
    kept = set()
    for certificate in Certificate.objects.only("pk", "reference", "issued_at", "pdf"):
        kept.add(pdf_name(certificate))
        if certificate.pdf:
            kept.add(certificate.pdf.name)
    cutoff = timezone.now() - PARTIAL_GRACE
    return sorted(
        name
        for name in names
        if (name in kept and is_truncated(storage, name))
        or (
            name not in kept
            and not (name.endswith(PARTIAL_SUFFIX) and storage.get_modified_time(name) > cutoff)
        )
    )


def is_truncated(storage: Storage, name: str) -> bool:
    """A PDF ends with %%EOF (give or take a line end): one that does not was cut short."""
    with storage.open(name, "rb") as file:
        size = file.size
        file.seek(max(size - 1024, 0))
        return not file.read().rstrip().endswith(b"%%EOF")


def delete_orphan_files(*, dry_run: bool = False, storage: Storage = default_storage) -> list[str]:
    """Delete `orphan_files` (or only list them, with `dry_run`); returns their names."""
    orphans = orphan_files(storage)
    if not dry_run:
        for name in orphans:
            storage.delete(name)
    return orphans


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
