"""Small factory functions for test data (the JSON fixtures are for the site)."""

import itertools

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from candidates.models import Candidate
from communes.models import Commune, Departement
from communes.search import normalize_name
from pledges.models import Campaign, Commitment, Signature
from pledges.moderation.services import approve_pledge
from pledges.signing.services import submit_pledge

PASSWORD = "un-mot-de-passe-solide-2020"
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
    fields.setdefault("role", Candidate.Role.HEAD_OF_LIST)
    fields.setdefault("list_name", "Ensemble pour Saint-Étienne")
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
    """A pledge submitted through the service; `status` then set as moderation would."""
    pledge = submit_pledge(candidate=candidate or make_candidate(), commitments=commitments(*codes))
    if status == Signature.Status.APPROVED:
        approve(pledge)
    elif status is not None:
        Signature.objects.filter(pk=pledge.pk).update(status=status)
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


def approve(pledge: Signature, moderator=None) -> Signature:
    """Approve through the moderation service, as staff would."""
    moderator = moderator or get_user_model().objects.filter(groups__name="Modération").first()
    return approve_pledge(pledge=pledge, moderator=moderator or make_moderator())


def current_campaign() -> Campaign:
    return Campaign.objects.current()
