"""Signatories made in bulk for tests that need many: no password hashing, few queries.

`make_signatories(50, commune=…)` writes 50 users, candidates, pledges and their
signatures in a handful of INSERTs, in the state moderation would leave them.
"""

import itertools
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.formats import date_format

from candidates.models import Candidate, candidate_search_key
from communes.models import Commune
from pledges.models import Campaign, Commitment, Signature, SignatureEvent, SignedCommitment

Status = Signature.Status
_numbers = itertools.count(1)

# Known private data: no public response may ever contain these.
SECRET_EMAIL_DOMAIN = "adresse-privee.test"
SECRET_PHONE = "+33 6 99 88 77 66"


def make_signatories(
    count: int = 1,
    *,
    commune: Commune | str = "42218",
    status: str = Status.APPROVED,
    was_approved: bool | None = None,
    codes: tuple[str, ...] = ("1.1", "2.1"),
    withdrawn_codes: tuple[str, ...] = (),
    at=None,
    **candidate_fields,
) -> list[Signature]:
    """`count` pledges in `commune`, each signing `codes` (and `withdrawn_codes`, withdrawn).

    `was_approved` (default: approved or unpublished) sets `approved_at`, which decides
    whether a withdrawn pledge stays public.
    """
    if isinstance(commune, str):
        commune = Commune.objects.get(insee_code=commune)
    if was_approved is None:
        was_approved = status in (Status.APPROVED, Status.UNPUBLISHED)
    campaign = Campaign.objects.current()
    at = at or timezone.now() - timedelta(days=10)
    numbers = [next(_numbers) for _ in range(count)]
    users = get_user_model().objects.bulk_create(
        get_user_model()(
            username=f"signataire{n}",
            email=f"signataire{n}@{SECRET_EMAIL_DOMAIN}",
            password="!",
        )
        for n in numbers
    )
    candidates = []
    for n, user in zip(numbers, users, strict=True):
        fields = {
            "first_name": "Camille",
            "last_name": f"Signataire{n}",
            "role": Candidate.Role.HEAD_OF_LIST,
            "list_name": f"Liste commune numéro {n}",
            "phone": SECRET_PHONE,
            **candidate_fields,
        }
        candidates.append(
            Candidate(
                user=user,
                commune=commune,
                search_key=candidate_search_key(**_names(fields)),
                **fields,
            )
        )
    candidates = Candidate.objects.bulk_create(candidates)
    pledges = Signature.objects.bulk_create(
        Signature(
            campaign=campaign,
            candidate=candidate,
            status=status,
            submitted_at=at,
            approved_at=at + timedelta(days=1) if was_approved else None,
            withdrawn_at=at + timedelta(days=5) if status == Status.WITHDRAWN else None,
            consent_candidacy_text="Je certifie être candidate ou candidat.",
            consent_candidacy_at=at,
            consent_publication_text="J’accepte que mon nom soit publié.",
            consent_publication_at=at,
        )
        for candidate in candidates
    )
    by_code = {
        c.code: c
        for c in Commitment.objects.filter(proposal__campaign=campaign).select_related("proposal")
    }
    SignedCommitment.objects.bulk_create(
        SignedCommitment(
            pledge=pledge,
            commitment=by_code[code],
            signed_at=at,
            withdrawn_at=at + timedelta(days=3) if code in withdrawn_codes else None,
        )
        for pledge in pledges
        for code in (*codes, *withdrawn_codes)
    )
    events = []
    for pledge in pledges:
        events.append(SignatureEvent(pledge=pledge, kind=SignatureEvent.Kind.SUBMITTED, at=at))
        if was_approved:
            events.append(
                SignatureEvent(
                    pledge=pledge,
                    kind=SignatureEvent.Kind.APPROVED,
                    at=pledge.approved_at,
                    is_public=True,
                    note="Note privée de la modération",
                )
            )
        for code in withdrawn_codes:
            events.append(
                SignatureEvent(
                    pledge=pledge,
                    kind=SignatureEvent.Kind.COMMITMENT_WITHDRAWN,
                    commitment=by_code[code],
                    at=at + timedelta(days=3),
                    is_public=was_approved,
                )
            )
        if status == Status.WITHDRAWN:
            events.append(
                SignatureEvent(
                    pledge=pledge,
                    kind=SignatureEvent.Kind.WITHDRAWN,
                    at=pledge.withdrawn_at,
                    is_public=was_approved,
                )
            )
    SignatureEvent.objects.bulk_create(events)
    return pledges


def french_date(value) -> str:
    """A datetime as the pages print it: « 15 mars 2020 », in Paris time."""
    return date_format(timezone.localtime(value), "j F Y")


def make_signatory(**fields) -> Signature:
    (pledge,) = make_signatories(1, **fields)
    return pledge


def _names(fields: dict) -> dict:
    return {name: fields.get(name, "") for name in ("first_name", "last_name", "list_name")}
