"""Small factory functions for test data (the JSON fixtures are for the site).

Signatures and decisions go through the signing and moderation services, as on the site;
for many signatories at once, tests/bulk.py writes the same rows in bulk.
"""

import itertools

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from candidates.models import Candidate
from communes.models import Commune, Departement
from communes.search import normalize_name
from pledges.models import Campaign, Commitment, RejectionReason, Signature
from pledges.moderation.services import (
    approve_pledge,
    reject_pledge,
    request_changes,
    unpublish_pledge,
)
from pledges.signing.services import submit_pledge, withdraw_pledge

PASSWORD = "un-mot-de-passe-solide-2020"
CHANGES_MESSAGE = "Merci d’indiquer le nom de votre liste tel qu’il a été déposé."
REJECTION_DETAILS = "Aucune liste de ce nom n’a été déposée en préfecture."
UNPUBLISH_REASON = "La liste n’a finalement pas été déposée."
_numbers = itertools.count(1)


def make_commune(**fields) -> Commune:
    """A commune in a département of the imported reference data, with a fresh code."""
    number = next(_numbers)
    name = fields.pop("name", f"Commune d’essai {number}")
    fields.setdefault("departement", Departement.objects.get(code="2A"))
    fields.setdefault("insee_code", f"2A{900 + number % 100:03d}")
    fields.setdefault("population", 500)
    return Commune.objects.create(
        name=name, slug=name.lower(), search_key=normalize_name(name), **fields
    )


def make_user(email: str | None = None, *, verified: bool = True, **fields):
    email = email or f"candidat{next(_numbers)}@exemple.test"
    user = get_user_model().objects.create_user(
        username=email, email=email, password=PASSWORD, **fields
    )
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    return user


def make_candidate(user=None, **fields) -> Candidate:
    fields.setdefault("first_name", "Camille")
    fields.setdefault("last_name", f"Martin{next(_numbers)}")
    number = next(_numbers)
    fields.setdefault("role", Candidate.Role.HEAD_OF_LIST)
    # One list per head: two heads of the same list are stopped when the second signs.
    fields.setdefault("list_name", f"Ensemble pour Saint-Étienne {number}")
    if "commune" not in fields:
        fields["commune"] = Commune.objects.get(insee_code="42218")
    return Candidate.objects.create(user=user or make_user(), **fields)


def commitments(*codes: str) -> list[Commitment]:
    wanted = set(codes)
    return [
        commitment
        for commitment in Commitment.objects.select_related("proposal")
        if commitment.code in wanted
    ]


def make_pledge(candidate=None, *, codes=("1.1", "2.1"), status=None) -> Signature:
    """A pledge submitted through the service, then taken to `status` by the services too.

    Approved, asked for changes, refused or unpublished by a moderator; withdrawn by the
    candidate before any decision.
    """
    pledge = submit_pledge(candidate=candidate or make_candidate(), commitments=commitments(*codes))
    Status = Signature.Status
    if status in (None, Status.PENDING):
        return pledge
    if status == Status.WITHDRAWN:
        return withdraw_pledge(pledge=pledge)
    if status in (Status.APPROVED, Status.UNPUBLISHED):
        pledge = approve(pledge)
    moderator = a_moderator()
    if status == Status.CHANGES_REQUESTED:
        pledge = request_changes(pledge=pledge, moderator=moderator, message=CHANGES_MESSAGE)
    elif status == Status.REJECTED:
        reason = RejectionReason.objects.filter(is_active=True).order_by("position", "pk")[0]
        pledge = reject_pledge(
            pledge=pledge, moderator=moderator, reason=reason, details=REJECTION_DETAILS
        )
    elif status == Status.UNPUBLISHED:
        pledge = unpublish_pledge(pledge=pledge, moderator=moderator, reason=UNPUBLISH_REASON)
    pledge.refresh_from_db()
    return pledge


def make_moderator(username: str | None = None, *, group: str = "Modération", **fields):
    """A staff member in the « Modération » group (seeded by a migration)."""
    username = username or f"moderatrice{next(_numbers)}"
    user = get_user_model().objects.create_user(
        username=username,
        email=f"{username}@coorace.test",
        password=PASSWORD,
        is_staff=True,
        **fields,
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def a_moderator():
    """The first member of « Modération », made if there is none."""
    moderator = get_user_model().objects.filter(groups__name="Modération").first()
    return moderator or make_moderator()


def approve(pledge: Signature, moderator=None) -> Signature:
    """Approve through the moderation service, as staff would."""
    return approve_pledge(pledge=pledge, moderator=moderator or a_moderator())


def current_campaign() -> Campaign:
    return Campaign.objects.current()
