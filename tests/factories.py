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


def make_roster_import(*, tour: int = 1, kind: str = "listes", **fields):
    """A RosterImport row, as import_candidatures leaves one (for tests of what reads it)."""
    from django.utils import timezone

    from candidates.models import RosterImport

    now = timezone.now()
    defaults = {
        "file_name": f"test-{next(_numbers)}.txt",
        "file_sha256": "0" * 64,
        "encoding": "latin-1",
        "started_at": now,
        "finished_at": now,
    }
    return RosterImport.objects.create(tour=tour, kind=kind, **{**defaults, **fields})


def make_official_list(
    commune=None,
    *,
    panel_number: int | None = None,
    name: str = "Ensemble pour demain",
    short_name: str = "",
    nuance: str = "LDIV",
    head: tuple[str, str] = ("Camille", "Martin"),
    colistiers: tuple[tuple[str, str], ...] = (("Alex", "Durand"),),
    secteur=None,
    tour: int = 1,
    roster_import=None,
):
    """An official list and its candidates (head first), as the importer writes them.

    `head` and `colistiers` are (prénom, nom) pairs.
    """
    from candidates.models import OfficialCandidate, OfficialList
    from candidates.official.models import person_key

    commune = commune or make_commune()
    roster_import = roster_import or make_roster_import(tour=tour)
    panel_number = panel_number or next(_numbers) % 30000 + 1
    place = secteur.code if secteur else commune.insee_code
    official_list = OfficialList.objects.create(
        tour=tour,
        row_key=f"{place}|{panel_number}",
        commune=commune,
        secteur=secteur,
        panel_number=panel_number,
        short_name=short_name,
        name=name,
        name_key=normalize_name(name).replace(" ", ""),
        short_name_key=normalize_name(short_name).replace(" ", ""),
        nuance=nuance,
        head_first_name=head[0],
        head_last_name=head[1],
        head_key=person_key(*head),
        candidate_count=1 + len(colistiers),
        first_import=roster_import,
        last_import=roster_import,
    )
    for number, (first_name, last_name) in enumerate((head, *colistiers), start=1):
        OfficialCandidate.objects.create(
            tour=tour,
            kind="listes",
            row_key=f"L|{place}|{panel_number}|{number}",
            commune=commune,
            secteur=secteur,
            official_list=official_list,
            panel_number=panel_number,
            number=number,
            first_name=first_name,
            last_name=last_name,
            name_key=person_key(first_name, last_name),
            last_import=roster_import,
        )
    return official_list


def make_official_individual(
    commune=None, *, first_name="Dominique", last_name="Petit", panel_number=None, tour=1
):
    """A candidate standing alone (scrutin plurinominal, communes under 1,000)."""
    from candidates.models import OfficialCandidate
    from candidates.official.models import person_key

    commune = commune or make_commune()
    panel_number = panel_number or next(_numbers) % 30000 + 1
    return OfficialCandidate.objects.create(
        tour=tour,
        kind="plurinominal",
        row_key=f"P|{commune.insee_code}|{panel_number}",
        commune=commune,
        panel_number=panel_number,
        first_name=first_name,
        last_name=last_name,
        name_key=person_key(first_name, last_name),
        last_import=make_roster_import(tour=tour, kind="plurinominal"),
    )
