"""tests/bulk.py writes the rows the signing and moderation services write for the same steps:
the signature and all that hangs off it, and the list its head signs for."""

import pytest

from candidates.models import Candidate
from communes.models import Secteur
from pledges.demo.seeding import Player, mail_set_aside
from pledges.models import Campaign, ElectoralList, Signature
from tests.bulk import bulk_moderator, make_signatories, make_signatory, signatory_steps
from tests.factories import make_user
from tests.rows import list_rows, signature_rows

pytestmark = pytest.mark.django_db

Status = Signature.Status

CASES = [
    pytest.param({}, id="approved"),
    pytest.param({"withdrawn_codes": ("3.1", "3.2")}, id="approved-commitments-withdrawn"),
    pytest.param({"status": Status.PENDING}, id="pending"),
    pytest.param({"status": Status.PENDING, "withdrawn_codes": ("1.2",)}, id="pending-edited"),
    pytest.param({"status": Status.CHANGES_REQUESTED}, id="changes-requested"),
    pytest.param({"status": Status.REJECTED}, id="rejected"),
    pytest.param({"status": Status.UNPUBLISHED}, id="unpublished"),
    pytest.param({"status": Status.WITHDRAWN}, id="withdrawn-before-approval"),
    pytest.param(
        {"status": Status.WITHDRAWN, "was_approved": True, "withdrawn_codes": ("1.2",)},
        id="withdrawn-after-approval",
    ),
]


@pytest.mark.parametrize("options", CASES)
def test_make_signatories_writes_what_the_services_write(options):
    (bulk,) = make_signatories(1, codes=("1.1", "2.1", "4.1"), **options)
    steps = signatory_steps(codes=("1.1", "2.1", "4.1"), at=bulk.submitted_at, **options)
    actual = {**signature_rows(bulk), "lists": list_rows(bulk.candidate)}
    fields = {
        field.attname: getattr(bulk.candidate, field.attname)
        for field in Candidate._meta.concrete_fields
        if field.attname not in ("id", "user_id", "created_at", "updated_at")
    }
    # The head's list is theirs: gone with them, before their twin creates it anew.
    lists = list(ElectoralList.objects.filter(head=bulk.candidate))
    bulk.candidate.user.delete()
    for electoral_list in lists:
        electoral_list.delete()
    # The same candidate, under another account, signs through the services.
    twin = Candidate.objects.create(user=make_user(), **fields)
    with mail_set_aside():
        player = Player(campaign=Campaign.objects.current(), moderator=bulk_moderator())
        through_services = player.sign(twin, steps)

    expected = {**signature_rows(through_services), "lists": list_rows(twin)}
    for part in ("user", "addresses"):  # two accounts, on purpose
        del expected[part], actual[part]
    assert actual == expected
    assert actual["signature"][0]["status"] == options.get("status", Status.APPROVED)
    # A head signs for their list.
    (electoral_list,) = expected["lists"]
    assert actual["signature"][0]["electoral_list_id"] == (
        electoral_list["commune_id"],
        electoral_list["secteur_id"],
        electoral_list["name_key"],
    )


def test_in_paris_the_list_stands_in_the_heads_secteur():
    secteur = Secteur.objects.get(commune__insee_code="75056", number=5)
    pledge = make_signatory(commune="75056", secteur=secteur, list_name="Paris en commun")

    assert pledge.electoral_list.secteur == secteur
    assert pledge.electoral_list.head == pledge.candidate
    assert pledge.electoral_list.name == "Paris en commun"


def test_two_heads_for_one_list_are_refused_in_bulk_as_by_the_services():
    make_signatory(list_name="Saint-Étienne demain")

    with pytest.raises(ValueError, match="second head"):
        make_signatory(list_name="SAINT-ÉTIENNE DEMAIN")
    with pytest.raises(ValueError, match="second head"):
        make_signatories(2, list_name="Saint-Étienne, après-demain")
    numbered = make_signatories(2, list_name="Saint-Étienne, après-demain {n}")
    assert len({pledge.electoral_list.name for pledge in numbered}) == 2


def test_colistiers_are_no_signatories_in_bulk_until_they_join():
    with pytest.raises(ValueError, match="on no list"):
        make_signatory(role=Candidate.Role.CANDIDATE)


def test_steps_the_services_would_refuse_are_refused():
    with pytest.raises(ValueError, match="cannot be"):
        signatory_steps(status=Status.REJECTED, was_approved=True)
    with pytest.raises(ValueError, match="unpublished"):
        signatory_steps(status=Status.UNPUBLISHED, was_approved=False)
