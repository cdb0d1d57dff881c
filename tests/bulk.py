"""Signatories made in bulk for tests that need many: no password hashing, few queries.

`make_signatories(50, commune=…)` writes 50 users and candidates, then the steps of their
signatures (`signatory_steps`: submitted, then approved or not, commitments withdrawn,
the signature withdrawn…) as rows, through benchmarks/bulk_seed.py's RowWriter: the
rows the signing and moderation services would write for those steps, public events
decided by `SignatureEvent.is_public_kind`, certificates saying what
`certified_content` says; a head's list (each signatory heads a list of their own unless
`role` says otherwise: the services refuse a second head for one list, and so does this).
tests/test_bulk.py plays the same steps through the services and proves the rows are the
same.
"""

import itertools
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from benchmarks.bulk_seed import RowWriter
from candidates.models import Candidate, candidate_search_key
from communes import grammar
from communes.models import Commune
from config.typography import french_text
from pledges.demo.stories import Action, Step
from pledges.models import Campaign, Commitment, RejectionReason, Signature

Status = Signature.Status
_numbers = itertools.count(1)

# Known private data: no public response may ever contain these.
SECRET_EMAIL_DOMAIN = "adresse-privee.test"
SECRET_PHONE = "+33 6 99 88 77 66"
PRIVATE_NOTE = "Note privée de la modération"
MODERATOR_USERNAME = "moderation-en-bloc"


def signatory_steps(
    *,
    status: str = Status.APPROVED,
    was_approved: bool | None = None,
    codes: tuple[str, ...] = ("1.1", "2.1"),
    withdrawn_codes: tuple[str, ...] = (),
    at=None,
) -> list[Step]:
    """The service calls that leave a signature in `status`, dated from `at`.

    Submitted at `at` with `codes` and `withdrawn_codes`; approved a day later if
    `was_approved` (default: approved or unpublished); `withdrawn_codes` withdrawn on
    day 3; then asked for changes, refused or unpublished on day 4 (with PRIVATE_NOTE),
    or withdrawn on day 5.
    """
    if was_approved is None:
        was_approved = status in (Status.APPROVED, Status.UNPUBLISHED)
    if was_approved and status not in (Status.APPROVED, Status.UNPUBLISHED, Status.WITHDRAWN):
        raise ValueError(f"A signature staff approved cannot be {status}.")
    if status == Status.UNPUBLISHED and not was_approved:
        raise ValueError("Only an approved signature can be unpublished.")
    at = at or timezone.now() - timedelta(days=10)
    campaign = Campaign.objects.current()
    by_code = {
        c.code: c.pk
        for c in Commitment.objects.filter(proposal__campaign=campaign).select_related("proposal")
    }
    day = timedelta(days=1)
    steps = [Step(Action.SUBMIT, at, tuple(by_code[c] for c in (*codes, *withdrawn_codes)))]
    if was_approved:
        steps.append(Step(Action.APPROVE, at + day))
    for minute, code in enumerate(withdrawn_codes):
        moment = at + 3 * day + timedelta(minutes=minute)
        steps.append(Step(Action.WITHDRAW_COMMITMENT, moment, (by_code[code],)))
    if status == Status.CHANGES_REQUESTED:
        steps.append(Step(Action.REQUEST_CHANGES, at + 4 * day, note=PRIVATE_NOTE))
    elif status == Status.REJECTED:
        reason = RejectionReason.objects.filter(is_active=True).order_by("position", "pk")[0]
        steps.append(Step(Action.REJECT, at + 4 * day, note=PRIVATE_NOTE, reason=reason.pk))
    elif status == Status.UNPUBLISHED:
        steps.append(Step(Action.UNPUBLISH, at + 4 * day, note=PRIVATE_NOTE))
    elif status == Status.WITHDRAWN:
        steps.append(Step(Action.WITHDRAW, at + 5 * day))
    return steps


def bulk_moderator():
    """The staff member who signs the bulk signatories' decisions."""
    user, _created = get_user_model().objects.get_or_create(
        username=MODERATOR_USERNAME,
        defaults={"email": f"{MODERATOR_USERNAME}@coorace.test", "password": "!"},
    )
    return user


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
    """`count` signatures in `commune`, each signing `codes` (and `withdrawn_codes`, withdrawn).

    By default each is the head of a list of their own (« Liste commune numéro N »), which
    they sign for; a `list_name` given is one list, so for one signatory only (a second
    head of it raises ValueError, as the services refuse it), unless it numbers them:
    « Saint-Étienne demain {n} ».

    `was_approved` (default: approved or unpublished) tells whether staff approved the
    signature, which decides whether a withdrawn one stays public.
    """
    if isinstance(commune, str):
        commune = Commune.objects.select_related("departement").get(insee_code=commune)
    steps = signatory_steps(
        status=status,
        was_approved=was_approved,
        codes=codes,
        withdrawn_codes=withdrawn_codes,
        at=at,
    )
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
        fields["list_name"] = fields["list_name"].replace("{n}", str(n))
        candidates.append(
            Candidate(
                user=user,
                commune=commune,
                search_key=candidate_search_key(**_names(fields)),
                **fields,
            )
        )
    candidates = Candidate.objects.bulk_create(candidates)
    writer = RowWriter(campaign=Campaign.objects.current(), moderator=bulk_moderator())
    replays = writer.write([(candidate, steps) for candidate in candidates])
    return [replay.signature for replay in replays]


def french_date(value) -> str:
    """A datetime as the pages print it: « 15 mars 2020 », « 1er décembre 2026 », in Paris
    time (the site's one date rule), with the no-break space the pages set between day and
    month (config.typography)."""
    return french_text(grammar.french_date(value))


def make_signatory(**fields) -> Signature:
    (pledge,) = make_signatories(1, **fields)
    return pledge


def _names(fields: dict) -> dict:
    return {name: fields.get(name, "") for name in ("first_name", "last_name", "list_name")}
