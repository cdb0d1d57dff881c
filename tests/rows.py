"""Every row a candidate or a signature stands for, without primary keys: to compare two
ways of writing them.

The bulk writers (benchmarks/bulk_seed.py, tests/bulk.py) are checked against the services
with it: same candidate, same steps → `candidate_rows` (or `signature_rows`) equal. Left
out: primary keys, the candidate's `created_at` / `updated_at` (set by the model layer at
insert time, not by any rule), and a list's invitation token (random). A list is named by
its place and normalised name, a person by their account's e-mail address.
"""

from allauth.account.models import EmailAddress

from pledges.certificates.services import fingerprint_of
from pledges.models import ElectoralList, ListMembership, Signature
from pledges.signing.account import pseudonym_for

CANDIDATE_SKIPPED = {"id", "user_id", "created_at", "updated_at"}


def _values(queryset, *skipped: str) -> list[dict]:
    return [{name: value for name, value in row.items() if name not in skipped} for row in queryset]


def _account_rows(user) -> dict:
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
    }


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
        **_account_rows(user),
        "candidate": _values(
            type(signature.candidate).objects.filter(pk=signature.candidate_id).values(),
            *CANDIDATE_SKIPPED,
        ),
        "signature": [
            {**row, "electoral_list_id": list_key(row["electoral_list_id"])}
            for row in _values(
                Signature.objects.filter(pk=signature.pk).values(), "id", "candidate_id"
            )
        ],
        "signed_commitments": _values(
            signature.signed_commitments.order_by("commitment_id").values(), "id", "pledge_id"
        ),
        "events": _values(signature.events.order_by("at", "pk").values(), "id", "pledge_id"),
        "certificates": certificates,
        "audit": audits,
    }


def list_key(pk: int | None) -> tuple | None:
    """A list by what makes it unique, not its primary key."""
    if pk is None:
        return None
    return ElectoralList.objects.values_list("commune_id", "secteur_id", "name_key").get(pk=pk)


def _email(user) -> str | None:
    return user.email if user else None


def list_rows(candidate) -> list[dict]:
    """The lists a candidate heads, and their memberships (a colistier's own, in
    `candidate_rows`)."""
    rows = []
    for electoral_list in ElectoralList.objects.filter(head=candidate).order_by("pk"):
        (values,) = _values(
            ElectoralList.objects.filter(pk=electoral_list.pk).values(),
            "id",
            "invitation_token",
            "head_id",
        )
        rows.append(values)
    return rows


def membership_rows(candidate) -> list[dict]:
    rows = []
    for membership in ListMembership.objects.filter(candidate=candidate).order_by("pk"):
        (values,) = _values(
            ListMembership.objects.filter(pk=membership.pk).values(),
            "id",
            "candidate_id",
            "decided_by_id",
        )
        values["electoral_list_id"] = list_key(values["electoral_list_id"])
        values["decided_by"] = _email(membership.decided_by)
        rows.append(values)
    return rows


def candidate_rows(candidate) -> dict:
    """Everything a candidate's story wrote: account, profile, the lists they head, their
    memberships, and their signature's rows if they signed."""
    signature = Signature.objects.filter(candidate=candidate).first()
    rows = {
        "lists": list_rows(candidate),
        "memberships": membership_rows(candidate),
        "signed": signature is not None,
    }
    if signature is not None:
        rows.update(signature_rows(signature))
    else:
        rows.update(_account_rows(candidate.user))
        rows["candidate"] = _values(
            type(candidate).objects.filter(pk=candidate.pk).values(), *CANDIDATE_SKIPPED
        )
    return rows
