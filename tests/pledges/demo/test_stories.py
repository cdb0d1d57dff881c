"""What 300 demo candidates look like (pledges.demo.stories, played by pledges.demo.seeding):
lists by commune size, a head each who signs for it, colistiers up to the council's size,
some lists with the head alone, individuals in small communes, secteurs in Paris, Lyon and
Marseille, the statuses and histories of a campaign.

The 300 are seeded once for the module, in a transaction rolled back at its end.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count

from candidates.models import Candidate
from communes.models import SECTOR_CITIES, Commune
from pledges.demo.seeding import MODERATOR_EMAIL, demo_signatures, demo_users
from pledges.demo.stories import SECTOR_CITY_SEATS, STATUS_MIX, council_seats
from pledges.models import (
    ElectoralList,
    ListMembership,
    Signature,
    SignatureEvent,
    SignedCommitment,
)

pytestmark = pytest.mark.django_db

Status = Signature.Status
Role = Candidate.Role
Membership = ListMembership.Status


@pytest.fixture(scope="module")
def campaign_of_300(django_db_setup, django_db_blocker):
    """`manage.py seed_demo --signatories 300 --seed 3`'s output; its rows, for the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("seed_demo", signatories=300, seed=3, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def demo_pledges():
    return demo_signatures()


def demo_candidates():
    return Candidate.objects.filter(user__in=demo_users().exclude(email=MODERATOR_EMAIL))


def demo_lists():
    return ElectoralList.objects.filter(head__in=demo_candidates())


def test_the_statuses_follow_a_real_campaigns_mix(campaign_of_300):
    output = campaign_of_300

    counts = dict(demo_pledges().values_list("status").annotate(n=Count("pk")))
    assert set(counts) == set(Status.values)
    signatures = sum(counts.values())
    # Dealt from decks of 100 with exactly 70 / 12 / 5 / 5 / 3 / 5 %.
    total = sum(STATUS_MIX.values())
    for status, weight in STATUS_MIX.items():
        assert abs(counts[status] / signatures - weight / total) < 0.06, status
    assert "300 / 300" in output
    assert "300 signataires de démonstration créés" in output
    assert f"{signatures} signatures : validée : {counts[Status.APPROVED]}" in output
    assert f"{demo_lists().count()} listes, chacune signée par sa tête de liste" in output
    assert f"Tête de liste : {demo_candidates().filter(role=Role.HEAD_OF_LIST).count()}" in output


def test_each_list_has_a_head_who_signs_for_it_and_colistiers_who_join_it(campaign_of_300):
    lists = demo_lists().select_related("head", "commune", "secteur")
    assert lists.count() >= 15
    for electoral_list in lists:
        head = electoral_list.head
        assert head.role == Role.HEAD_OF_LIST
        assert electoral_list.signature.candidate == head
        assert (electoral_list.commune, electoral_list.secteur) == (head.commune, head.secteur)
        assert electoral_list.name == head.list_name
        assert electoral_list.review_note == ""
        for membership in electoral_list.memberships.select_related("candidate"):
            colistier = membership.candidate
            assert colistier.role == Role.CANDIDATE
            assert colistier.list_name == electoral_list.name
            assert (colistier.commune, colistier.secteur) == (head.commune, head.secteur)
            assert membership.requested_at >= electoral_list.created_at
    # Some lists: only the head signed; the others, colistiers who joined.
    joined = Count("memberships")
    assert lists.annotate(n=joined).filter(n=0).exists()
    assert lists.annotate(n=joined).filter(n__gte=5).exists()
    assert set(
        ListMembership.objects.filter(candidate__in=demo_candidates()).values_list(
            "status", flat=True
        )
    ) == set(Membership.values)
    # Every colistier asked to join a list; some confirmed by their head.
    colistiers = demo_candidates().filter(role=Role.CANDIDATE)
    assert not colistiers.exclude(list_memberships__isnull=False).exists()
    confirmed = ListMembership.objects.filter(status=Membership.CONFIRMED).select_related(
        "electoral_list__head"
    )
    assert confirmed.exists()
    assert all(m.decided_by == m.electoral_list.head.user for m in confirmed)


def test_a_colistier_who_signs_signs_beyond_their_list_and_in_their_name(campaign_of_300):
    personal = demo_pledges().filter(candidate__role=Role.CANDIDATE)
    assert personal.exists()
    for signature in personal.select_related("candidate"):
        assert signature.electoral_list is None
        membership = signature.candidate.list_memberships.get()
        assert membership.status in ListMembership.ACTIVE
        theirs = set(signature.signed_commitments.values_list("commitment", flat=True))
        lists = membership.electoral_list.signature.signed_commitments
        assert not theirs & set(lists.values_list("commitment", flat=True))


def test_lists_per_commune_and_colistiers_per_list_follow_the_population(campaign_of_300):
    places = demo_lists().values("commune_id", "secteur_id").annotate(n=Count("pk"))
    for place in places:
        commune = Commune.objects.get(pk=place["commune_id"])
        if place["secteur_id"]:
            most = 5
        elif commune.population < 3_500:
            most = 2
        elif commune.population < 30_000:
            most = 4
        else:
            most = 8
        assert place["n"] <= most, commune.name
    assert len(places) >= 10
    for electoral_list in demo_lists().select_related("commune").annotate(n=Count("memberships")):
        commune = electoral_list.commune
        if electoral_list.secteur_id:
            seats = round(SECTOR_CITY_SEATS[commune.insee_code] / commune.secteurs.count())
        else:
            seats = council_seats(commune.population)
        assert electoral_list.n <= seats - 1, electoral_list.name


def test_small_communes_have_individual_candidates_and_the_three_cities_secteurs(campaign_of_300):
    for candidate in demo_candidates().select_related("commune", "secteur"):
        commune = candidate.commune
        if commune.insee_code in SECTOR_CITIES:
            assert candidate.secteur.commune == commune
            assert candidate.role in Candidate.LIST_ROLES
        elif commune.population < 1_000:
            assert candidate.role == Role.INDIVIDUAL and candidate.secteur is None
        else:
            assert candidate.role in Candidate.LIST_ROLES and candidate.secteur is None
    individuals = demo_pledges().filter(candidate__role=Role.INDIVIDUAL)
    assert individuals.exists() and not individuals.exclude(electoral_list=None).exists()
    assert demo_candidates().filter(secteur__isnull=False).exists()
    assert demo_lists().filter(secteur__isnull=False).exists()


@pytest.mark.parametrize(
    ("population", "seats"),
    [(50, 7), (100, 11), (999, 15), (1_000, 15), (1_499, 15), (1_500, 19), (3_499, 23),
     (3_500, 27), (30_000, 39), (299_999, 65), (300_000, 69), (2_000_000, 69)],
)  # fmt: skip
def test_the_council_seats_follow_article_l2121_2(population, seats):
    assert council_seats(population) == seats


def test_the_histories_take_every_path_of_a_campaign(campaign_of_300):
    events = SignatureEvent.objects.filter(pledge__in=demo_pledges()).select_related("pledge")
    assert events.filter(kind=SignatureEvent.Kind.SUBMITTED).count() == demo_pledges().count()
    assert set(events.values_list("kind", flat=True)) == set(SignatureEvent.Kind.values)
    # Never public before approval, nor on a signature staff never approved.
    public = events.filter(is_public=True)
    assert not public.filter(pledge__approved_at__isnull=True).exists()
    assert all(event.at >= event.pledge.approved_at for event in public)
    rejections = events.filter(kind=SignatureEvent.Kind.REJECTED)
    assert rejections.count() == demo_pledges().filter(status=Status.REJECTED).count()
    assert not rejections.filter(reason__isnull=True).exists()
    withdrawn = demo_pledges().filter(status=Status.WITHDRAWN)
    for pledge in withdrawn:
        assert pledge.events.filter(kind=SignatureEvent.Kind.WITHDRAWN, at=pledge.withdrawn_at)
    # Mostly after approval (on the public record), sometimes before (never public).
    after_approval = withdrawn.filter(approved_at__isnull=False).count()
    assert after_approval >= 1


def test_candidates_spread_over_communes_in_proportion_to_population(campaign_of_300):
    per_commune = dict(demo_candidates().values_list("commune__insee_code").annotate(n=Count("pk")))
    assert len(per_commune) >= 15
    small = Commune.objects.filter(population__lt=1000).values_list("insee_code", flat=True)
    big = Commune.objects.filter(population__gte=30_000).values_list("insee_code", flat=True)
    # Drawn by population: most candidates stand in big communes, a few in small ones.
    in_big = sum(per_commune.get(code, 0) for code in big)
    in_small = sum(per_commune.get(code, 0) for code in small)
    assert in_big > in_small > 0
    assert not Commune.objects.filter(insee_code__in=per_commune, elects_council=False).exists()


def test_by_default_a_pledge_signs_about_seven_commitments(campaign_of_300):
    signatures = demo_pledges().exclude(candidate__role=Role.CANDIDATE)
    signed = SignedCommitment.objects.filter(pledge__in=signatures).count()
    assert 6 <= signed / signatures.count() <= 8.5
