"""The rounds drive signing: open until round 1's polls open (15 March 2020, 08:00), then
only for the lists standing in round 2, closed from round 2's polls (28 June 2020, 08:00);
staff override the dates with an audited decision; every page says where signing stands.

Time is frozen by patching django.utils.timezone.now (what the services and the rule read).
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from pledges.models import AuditEntry, Campaign, Signature
from pledges.signing.rounds import Phase, may_sign, override_signing, signing_phase
from pledges.signing.services import add_commitment, submit_pledge
from tests.factories import (
    approve,
    commitments,
    make_candidate,
    make_commune,
    make_moderator,
    make_official_list,
    make_pledge,
    make_user,
)

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
ROUND_1 = datetime.datetime(2020, 3, 15, 8, 0, tzinfo=PARIS)
ROUND_2 = datetime.datetime(2020, 6, 28, 8, 0, tzinfo=PARIS)
BEFORE = datetime.datetime(2020, 3, 1, 12, 0, tzinfo=PARIS)
BETWEEN = datetime.datetime(2020, 5, 20, 12, 0, tzinfo=PARIS)
AFTER = datetime.datetime(2020, 6, 28, 9, 0, tzinfo=PARIS)
CLOSED_MESSAGE = (
    "Les signatures sont closes depuis l’ouverture des bureaux de vote du premier tour, "
    "le 15 mars 2020. Entre les deux tours, seules les listes présentes au second tour "
    "peuvent signer."
)


@pytest.fixture
def campaign():
    Campaign.objects.update(first_round_polls_open_at=ROUND_1, second_round_polls_open_at=ROUND_2)
    return Campaign.objects.current()


def freeze(monkeypatch, moment):
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


def text(response):
    content = response.content.decode()
    return content.replace("\u00a0", " ").replace("\u202f", " ")


def test_without_dates_signing_is_open(monkeypatch):
    freeze(monkeypatch, AFTER)
    assert signing_phase(Campaign.objects.current()) == Phase.OPEN


def test_the_phases_follow_the_polls_opening(campaign):
    assert signing_phase(campaign, BEFORE) == Phase.OPEN
    assert signing_phase(campaign, ROUND_1 - datetime.timedelta(seconds=1)) == Phase.OPEN
    assert signing_phase(campaign, ROUND_1) == Phase.BETWEEN_ROUNDS
    assert signing_phase(campaign, BETWEEN) == Phase.BETWEEN_ROUNDS
    assert signing_phase(campaign, ROUND_2) == Phase.CLOSED
    assert signing_phase(campaign, AFTER) == Phase.CLOSED


def test_anyone_signs_before_round_one(campaign, monkeypatch):
    freeze(monkeypatch, BEFORE)
    pledge = submit_pledge(candidate=make_candidate(), commitments=commitments("1.1"))
    assert pledge.status == Signature.Status.PENDING


def test_signing_closes_when_round_one_polls_open(campaign, monkeypatch):
    freeze(monkeypatch, ROUND_1)
    with pytest.raises(ValidationError) as error:
        submit_pledge(candidate=make_candidate(), commitments=commitments("1.1"))
    assert error.value.messages == [CLOSED_MESSAGE]
    assert not Signature.objects.exists()


def test_between_rounds_only_a_round_two_list_signs(campaign, monkeypatch):
    commune = make_commune()
    make_official_list(commune, head=("Inès", "Moreau"), tour=2)
    make_official_list(commune, head=("Paul", "Girard"), tour=1)
    freeze(monkeypatch, BETWEEN)
    standing = make_candidate(first_name="Inès", last_name="Moreau", commune=commune)
    gone = make_candidate(first_name="Paul", last_name="Girard", commune=commune)
    assert may_sign(standing, campaign) and not may_sign(gone, campaign)
    pledge = submit_pledge(candidate=standing, commitments=commitments("1.1"))
    assert pledge.electoral_list.head == standing
    with pytest.raises(ValidationError) as error:
        submit_pledge(candidate=gone, commitments=commitments("1.1"))
    assert error.value.messages == [CLOSED_MESSAGE]


def test_between_rounds_a_round_one_list_continued_or_merged_in_round_two_signs(
    campaign, monkeypatch
):
    commune = make_commune()
    continued = make_official_list(commune, head=("Léa", "Roux"), tour=1)
    merged = make_official_list(commune, head=("Yann", "Blanc"), tour=1)
    alone = make_official_list(commune, head=("Zoé", "Faure"), tour=1)
    round_two = make_official_list(commune, head=("Léa", "Roux"), tour=2)
    round_two.continues = continued
    round_two.save()
    round_two.merged_from.add(merged)
    freeze(monkeypatch, BETWEEN)
    for official_list, allowed in ((continued, True), (merged, True), (alone, False)):
        candidate = make_candidate(first_name="Autre", last_name="Nom", commune=commune)
        assert may_sign(candidate, campaign, official_list=official_list) is allowed
    # A list gone from the round-2 file no longer stands.
    round_two.gone_at = BETWEEN
    round_two.save()
    assert not may_sign(make_candidate(commune=commune), campaign, official_list=continued)


def test_adding_a_commitment_follows_the_rounds_too(campaign, monkeypatch):
    freeze(monkeypatch, BEFORE)
    pledge = approve(make_pledge(codes=("1.1",)))
    freeze(monkeypatch, BETWEEN)
    with pytest.raises(ValidationError, match="seules les listes présentes au second tour"):
        add_commitment(pledge=pledge, commitment=commitments("2.1")[0])


def test_signing_is_closed_for_good_after_round_two(campaign, monkeypatch):
    commune = make_commune()
    make_official_list(commune, head=("Inès", "Moreau"), tour=2)
    freeze(monkeypatch, AFTER)
    standing = make_candidate(first_name="Inès", last_name="Moreau", commune=commune)
    assert not may_sign(standing, campaign)
    with pytest.raises(ValidationError):
        submit_pledge(candidate=standing, commitments=commitments("1.1"))


def test_staff_override_the_dates_with_an_audited_decision(campaign, monkeypatch):
    moderator = make_moderator()
    freeze(monkeypatch, AFTER)
    entry = override_signing(
        campaign=campaign, moderator=moderator, state="open", note="Report du second tour."
    )
    campaign.refresh_from_db()
    assert signing_phase(campaign) == Phase.OPEN
    assert (campaign.signing_override_at, campaign.signing_override_by) == (AFTER, moderator)
    assert campaign.signing_override_note == "Report du second tour."
    submit_pledge(candidate=make_candidate(), commitments=commitments("1.1"))
    assert entry.action == AuditEntry.Action.SIGNING_OVERRIDDEN
    assert entry.changes == {"signing_override": ["auto", "open"]}
    assert (entry.at, entry.actor, entry.note) == (AFTER, moderator, "Report du second tour.")

    freeze(monkeypatch, BEFORE)
    override_signing(campaign=campaign, moderator=moderator, state="closed", note="Incident.")
    campaign.refresh_from_db()
    assert signing_phase(campaign) == Phase.CLOSED
    with pytest.raises(ValidationError):
        submit_pledge(candidate=make_candidate(), commitments=commitments("1.1"))

    override_signing(campaign=campaign, moderator=moderator, state="auto")
    campaign.refresh_from_db()
    assert signing_phase(campaign) == Phase.OPEN  # back to the dates: before round 1
    assert [e.changes["signing_override"] for e in AuditEntry.objects.order_by("pk")] == [
        ["auto", "open"],
        ["open", "closed"],
        ["closed", "auto"],
    ]
    with pytest.raises(ValidationError, match="Choix inconnu"):
        override_signing(campaign=campaign, moderator=moderator, state="peut-être")


def test_staff_override_from_the_charter_admin(superuser_client, campaign):
    response = superuser_client.post(
        "/admin/pledges/campaign/",
        {"action": "force_signing_closed", "_selected_action": [campaign.pk]},
        follow=True,
    )
    assert "Décision enregistrée dans le journal." in text(response)
    campaign.refresh_from_db()
    assert campaign.signing_override == "closed"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SIGNING_OVERRIDDEN)
    assert entry.changes == {"signing_override": ["auto", "closed"]}


@pytest.mark.parametrize(
    ("moment", "banner"),
    [
        (BEFORE, "Signatures ouvertes jusqu’au 15 mars 2020 à 8 h"),
        (
            BETWEEN,
            "Entre les deux tours : seules les listes présentes au second tour peuvent "
            "signer, jusqu’au 28 juin 2020 à 8 h",
        ),
        (AFTER, "Élections terminées : les signatures sont closes"),
    ],
)
def test_every_page_says_where_signing_stands(client, campaign, monkeypatch, moment, banner):
    freeze(monkeypatch, moment)
    assert banner in text(client.get("/"))
    assert banner in text(client.get("/regions/84/"))


def test_the_banner_follows_the_override(client, campaign, monkeypatch):
    freeze(monkeypatch, BEFORE)
    override_signing(campaign=campaign, moderator=make_moderator(), state="closed")
    content = text(client.get("/"))
    assert "Les signatures sont closes" in content
    assert "Signatures ouvertes" not in content


def test_between_rounds_the_signing_page_tells_a_round_one_list_and_disables_its_button(
    client, campaign, monkeypatch
):
    commune = make_commune()
    make_official_list(commune, head=("Inès", "Moreau"), tour=2)
    make_official_list(commune, head=("Paul", "Girard"), tour=1)
    freeze(monkeypatch, BETWEEN)
    gone = make_candidate(
        user=make_user("paul@exemple.test"), first_name="Paul", last_name="Girard", commune=commune
    )
    client.force_login(gone.user)
    content = text(client.get("/signer/"))
    assert CLOSED_MESSAGE in content
    assert '<button type="submit" disabled>' in content

    standing = make_candidate(
        user=make_user("ines@exemple.test"), first_name="Inès", last_name="Moreau", commune=commune
    )
    client.force_login(standing.user)
    content = text(client.get("/signer/"))
    assert CLOSED_MESSAGE not in content
    assert '<button type="submit">' in content
