"""Every row a signature stands for, without primary keys: to compare two ways of writing them.

The bulk writers (benchmarks/bulk_seed.py, tests/bulk.py) are checked against the services
with it: same candidate, same steps → `signature_rows` equal. Left out: primary keys, and
the candidate's `created_at` / `updated_at` (set by the model layer at insert time,
not by any rule).
"""

from allauth.account.models import EmailAddress

from pledges.certificates.services import fingerprint_of
from pledges.models import Signature
from pledges.signing.account import pseudonym_for

CANDIDATE_SKIPPED = {"id", "user_id", "created_at", "updated_at"}


def _values(queryset, *skipped: str) -> list[dict]:
    return [{name: value for name, value in row.items() if name not in skipped} for row in queryset]


def signature_rows(signature: Signature) -> dict:
    signature = Signature.objects.select_related("candidate__user").get(pk=signature.pk)
    user = signature.candidate.user
    certificates = []
    for certificate in signature.certificates.order_by("version"):
        assert certificate.fingerprint == fingerprint_of(
            reference=certificate.reference,
            version=certificate.version,
            issued_at=certificate.issued_at,
            content=certificate.content,
        )
        certificates.append(
            (
                certificate.version,
                certificate.issued_at,
                certificate.superseded_at,
                certificate.content,
                bool(certificate.pdf),
            )
        )
    audits = _values(
        signature.audit_entries.order_by("at", "pk").values(), "id", "actor_id", "pledge_id"
    )
    for audit, entry in zip(audits, signature.audit_entries.order_by("at", "pk"), strict=True):
        assert audit.pop("pledge_pseudonym") == pseudonym_for(signature)
        audit["actor"] = entry.actor.email if entry.actor else None
    return {
        "user": {
            "username": user.username,
            "email": user.email,
            "name": (user.first_name, user.last_name),
            "date_joined": user.date_joined,
            "usable_password": user.has_usable_password(),
            "flags": (user.is_active, user.is_staff, user.is_superuser),
        },
        "addresses": _values(EmailAddress.objects.filter(user=user).values(), "id", "user_id"),
        "candidate": _values(
            type(signature.candidate).objects.filter(pk=signature.candidate_id).values(),
            *CANDIDATE_SKIPPED,
        ),
        "signature": _values(
            Signature.objects.filter(pk=signature.pk).values(), "id", "candidate_id"
        ),
        "signed_commitments": _values(
            signature.signed_commitments.order_by("commitment_id").values(), "id", "pledge_id"
        ),
        "events": _values(signature.events.order_by("at", "pk").values(), "id", "pledge_id"),
        "certificates": certificates,
        "audit": audits,
    }
