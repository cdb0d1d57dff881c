"""The answers of official lists and candidates to the campaign, and the counts of who signed
(pledges/roster/answers.py)."""

from datetime import date

import pytest
from django.utils import timezone

from candidates.models import OfficialCandidate, OfficialList
from communes.models import Commune
from pledges.models import Campaign, ElectoralList, ListDecline, ListInvitation, Signature
from pledges.roster.answers import (
    Answer,
    RosterCount,
    answers_for,
    candidate_answers_for,
    roster_counts,
)
from pledges.signing.services import withdraw_pledge
from tests.factories import make_official_individual, make_official_list
from tests.pledges.directory.lists_data import make_individual, make_list

pytestmark = pytest.mark.django_db

Status = Signature.Status


def campaign() -> Campaign:
    return Campaign.objects.current()


def commune(code: str = "42218") -> Commune:
    return Commune.objects.get(insee_code=code)


def tie(site_list: ElectoralList, official_list: OfficialList) -> ElectoralList:
    site_list.official_list = official_list
    site_list.save(update_fields=["official_list"])
    return site_list


def tie_candidate(signature: Signature, official: OfficialCandidate) -> Signature:
    signature.candidate.official_candidate = official
    signature.candidate.save(update_fields=["official_candidate"])
    return signature


def invite(official_list: OfficialList, at: date) -> ListInvitation:
    return ListInvitation.objects.create(
        campaign=campaign(),
        official_list=official_list,
        at=at,
        channel=ListInvitation.Channel.LETTER,
        recorded_at=timezone.now(),
    )


def decline(official_list: OfficialList, *, reason: str = "", publish: bool = False):
    return ListDecline.objects.create(
        campaign=campaign(),
        official_list=official_list,
        reason=reason,
        publish_reason=publish,
        at=date(2020, 2, 20),
        recorded_at=timezone.now(),
    )


def answer_of(official_list: OfficialList):
    return answers_for([official_list], campaign=campaign())[official_list.pk]


# ------------------------------------------------------------------ answers of lists


def test_a_list_tied_to_a_site_list_with_an_approved_signature_has_signed():
    official = make_official_list(commune(), panel_number=1)
    site_list = tie(make_list("Saint-Étienne d’abord", codes=("1.1", "2.1", "3.2")), official)

    answer = answer_of(official)
    assert answer.answer == Answer.SIGNED
    assert answer.electoral_list == site_list
    assert answer.commitments == 3
    assert answer.url == f"/listes/{site_list.pk}/"
    assert answer.signed_at == site_list.signature.approved_at
    assert answer.is_counted


def test_a_signature_not_yet_approved_is_no_answer():
    official = make_official_list(commune(), panel_number=1)
    tie(make_list(status=Status.PENDING), official)
    assert answer_of(official).answer == Answer.NO_ANSWER


def test_a_withdrawn_signature_still_says_signed_but_no_longer_counts():
    official = make_official_list(commune(), panel_number=1)
    site_list = tie(make_list(), official)
    withdraw_pledge(pledge=site_list.signature)

    answer = answer_of(official)
    assert answer.answer == Answer.SIGNED
    assert answer.withdrawn_at is not None
    assert not answer.is_counted


def test_a_round_2_list_continuing_a_round_1_list_keeps_its_signature():
    round1 = make_official_list(commune(), panel_number=1, tour=1)
    round2 = make_official_list(commune(), panel_number=4, tour=2)
    round2.continues = round1
    round2.save()
    site_list = tie(make_list(), round1)

    answer = answer_of(round2)
    assert answer.answer == Answer.SIGNED
    assert answer.electoral_list == site_list


def test_a_round_1_list_keeps_the_signature_of_its_site_list_tied_since_to_round_2():
    round1 = make_official_list(commune(), panel_number=1, tour=1)
    round2 = make_official_list(commune(), panel_number=4, tour=2)
    round2.continues = round1
    round2.save()
    tie(make_list(), round2)
    assert answer_of(round1).answer == Answer.SIGNED


def test_a_merged_round_2_list_signs_anew():
    first = make_official_list(commune(), panel_number=1, tour=1)
    second = make_official_list(commune(), panel_number=2, tour=1, name="Autre liste")
    merged = make_official_list(commune(), panel_number=4, tour=2)
    merged.continues = first
    merged.save()
    merged.merged_from.set([first, second])
    tie(make_list(), first)

    assert answer_of(merged).answer == Answer.NO_ANSWER
    assert answer_of(first).answer == Answer.SIGNED


def test_an_invited_list_shows_its_latest_invitation():
    official = make_official_list(commune(), panel_number=1)
    invite(official, date(2020, 1, 10))
    invite(official, date(2020, 2, 3))

    answer = answer_of(official)
    assert answer.answer == Answer.INVITED
    assert answer.invited_at == date(2020, 2, 3)
    assert answer.date == date(2020, 2, 3)


def test_a_declined_list_shows_its_reason_only_if_it_agreed_to_publish_it():
    published = make_official_list(commune(), panel_number=1)
    private = make_official_list(commune(), panel_number=2, name="Une autre")
    invite(published, date(2020, 1, 10))
    decline(published, reason=" Nous ne signons aucune charte. ", publish=True)
    decline(private, reason="Raison gardée pour l’équipe.", publish=False)

    answers = answers_for([published, private], campaign=campaign())
    assert answers[published.pk].answer == Answer.DECLINED
    assert answers[published.pk].decline_reason == "Nous ne signons aucune charte."
    assert answers[published.pk].declined_at == date(2020, 2, 20)
    assert answers[private.pk].answer == Answer.DECLINED
    assert answers[private.pk].decline_reason == ""


def test_a_list_that_signs_after_declining_has_signed():
    official = make_official_list(commune(), panel_number=1)
    decline(official, reason="Pas maintenant.", publish=True)
    tie(make_list(), official)
    assert answer_of(official).answer == Answer.SIGNED


def test_a_list_with_nothing_recorded_has_not_yet_answered():
    official = make_official_list(commune(), panel_number=1)
    answer = answer_of(official)
    assert answer.answer == Answer.NO_ANSWER
    assert Answer(answer.answer).label == "n’a pas (encore) répondu"
    assert answer.url == ""


def test_another_campaigns_records_do_not_answer(django_assert_num_queries):
    official = make_official_list(commune(), panel_number=1)
    invite(official, date(2020, 1, 10))
    with django_assert_num_queries(0):
        assert answers_for([official], campaign=None)[official.pk].answer == Answer.NO_ANSWER


@pytest.mark.parametrize("count", [1, 12])
def test_answers_take_the_same_queries_whatever_the_number_of_lists(
    django_assert_num_queries, count
):
    lists = [make_official_list(commune(), panel_number=n, tour=1) for n in range(1, count + 1)]
    tie(make_list(), lists[0])
    invite(lists[-1], date(2020, 1, 10))
    current = campaign()
    # the round-2 lists continuing them, the site lists, the declines, the invitations
    with django_assert_num_queries(4):
        answers = answers_for(lists, campaign=current)
    assert answers[lists[0].pk].answer == Answer.SIGNED
    assert len(answers) == count


# ------------------------------------------------------------------ candidates standing alone


def test_a_candidate_standing_alone_has_signed_through_their_public_signature():
    small = commune("01001")
    signed = make_official_individual(small, first_name="Dominique", last_name="Petit")
    silent = make_official_individual(small, first_name="Claude", last_name="Roux")
    signature = tie_candidate(make_individual(commune="01001", codes=("1.1", "2.1")), signed)

    answers = candidate_answers_for([signed, silent], campaign=campaign())
    assert answers[signed.pk].answer == Answer.SIGNED
    assert answers[signed.pk].signature == signature
    assert answers[signed.pk].commitments == 2
    assert answers[signed.pk].url == f"/signataires/{signature.pk}/"
    assert answers[silent.pk].answer == Answer.NO_ANSWER


def test_a_colistiers_or_pending_signature_does_not_answer_for_a_candidate():
    small = commune("01001")
    official = make_official_individual(small)
    pending = make_individual(commune="01001")
    pending.status = Status.PENDING
    pending.approved_at = None
    pending.save()
    tie_candidate(pending, official)
    assert (
        candidate_answers_for([official], campaign=campaign())[official.pk].answer
        == Answer.NO_ANSWER
    )


# ------------------------------------------------------------------ counts


def test_counts_per_commune_departement_and_region_count_who_signed():
    saint_etienne = commune()
    lists = [make_official_list(saint_etienne, panel_number=n) for n in (1, 2, 3)]
    tie(make_list(), lists[0])
    roanne = commune("42187")
    make_official_list(roanne, panel_number=1)
    small = commune("01001")
    signed = make_official_individual(small)
    make_official_individual(small, first_name="Claude", last_name="Roux")
    tie_candidate(make_individual(commune="01001"), signed)

    by_commune = roster_counts(campaign(), by="commune")
    assert by_commune[saint_etienne.pk] == RosterCount(lists=3, lists_signed=1)
    assert by_commune[roanne.pk] == RosterCount(lists=1, lists_signed=0)
    assert by_commune[small.pk] == RosterCount(candidates=2, candidates_signed=1)
    assert roster_counts(campaign(), by="departement")["42"] == RosterCount(4, 1)
    assert roster_counts(campaign(), by="region")["84"] == RosterCount(4, 1, 2, 1)
    only = roster_counts(campaign(), by="commune", communes=[roanne.pk])
    assert only == {roanne.pk: RosterCount(lists=1)}


def test_counts_read_the_latest_round_of_each_place_and_standing_lists_only():
    saint_etienne = commune()
    round1 = [make_official_list(saint_etienne, panel_number=n, tour=1) for n in (1, 2, 3)]
    round2 = make_official_list(saint_etienne, panel_number=1, tour=2)
    round2.continues = round1[0]
    round2.save()
    tie(make_list(), round1[0])
    roanne = commune("42187")
    make_official_list(roanne, panel_number=1, tour=1)
    gone = make_official_list(roanne, panel_number=2, tour=1)
    gone.gone_at = timezone.now()
    gone.save()

    counts = roster_counts(campaign(), by="commune")
    assert counts[saint_etienne.pk] == RosterCount(lists=1, lists_signed=1)
    assert counts[roanne.pk] == RosterCount(lists=1)


def test_counts_read_each_secteur_at_its_latest_round():
    marseille = commune("13055")
    first, second = marseille.secteurs.order_by("number")[:2]
    make_official_list(marseille, secteur=first, panel_number=1, tour=1)
    make_official_list(marseille, secteur=first, panel_number=2, tour=1)
    make_official_list(marseille, secteur=first, panel_number=1, tour=2)
    make_official_list(marseille, secteur=second, panel_number=1, tour=1)
    make_official_list(marseille, secteur=second, panel_number=2, tour=1)
    # Secteur 1 went to a second round (1 list), secteur 2 was decided in the first (2).
    assert roster_counts(campaign(), by="commune")[marseille.pk] == RosterCount(lists=3)


def test_a_withdrawn_signature_or_a_merger_is_not_counted_as_signed():
    saint_etienne = commune()
    first = make_official_list(saint_etienne, panel_number=1, tour=1)
    second = make_official_list(saint_etienne, panel_number=2, tour=1)
    merged = make_official_list(saint_etienne, panel_number=1, tour=2)
    merged.continues = first
    merged.save()
    merged.merged_from.set([first, second])
    continued = make_official_list(saint_etienne, panel_number=2, tour=2)
    continued.continues = second
    continued.save()
    tie(make_list(), first)
    withdrawn = tie(make_list(), second)
    withdraw_pledge(pledge=withdrawn.signature)
    assert roster_counts(campaign())[saint_etienne.pk] == RosterCount(lists=2, lists_signed=0)


def test_counts_follow_a_round_1_site_list_tied_since_to_round_2():
    saint_etienne = commune()
    round1 = make_official_list(saint_etienne, panel_number=1, tour=1)
    round2 = make_official_list(saint_etienne, panel_number=1, tour=2)
    round2.continues = round1
    round2.save()
    roanne = commune("42187")
    roanne_round1 = make_official_list(roanne, panel_number=1, tour=1)
    roanne_round2 = make_official_list(roanne, panel_number=1, tour=2)
    roanne_round2.continues = roanne_round1
    roanne_round2.save()
    tie(make_list(), round1)  # round 2 continues it
    tie(make_list(commune="42187"), roanne_round2)
    counts = roster_counts(campaign())
    assert counts[saint_etienne.pk] == RosterCount(lists=1, lists_signed=1)
    assert counts[roanne.pk] == RosterCount(lists=1, lists_signed=1)


def test_no_campaign_counts_no_signature():
    make_official_list(commune(), panel_number=1)
    assert roster_counts(None)[commune().pk] == RosterCount(lists=1)


def test_counts_before_any_import_are_empty(django_assert_num_queries):
    current = campaign()
    with django_assert_num_queries(1):
        assert roster_counts(current, by="region") == {}


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (RosterCount(lists=3, lists_signed=1), "1 liste sur 3 a signé"),
        (RosterCount(lists=3, lists_signed=2), "2 listes sur 3 ont signé"),
        (RosterCount(lists=3, lists_signed=3), "3 listes sur 3 ont signé"),
        (RosterCount(lists=1250, lists_signed=1001), "1\u00a0001 listes sur 1\u00a0250 ont signé"),
    ],
)
def test_the_count_reads_in_french(count, text):
    assert count.lists_text == text
    assert (
        count.short_lists_text
        == text.split(" ")[0] + " sur " + text.split(" sur ")[1].split(" ")[0]
    )


def test_the_count_of_candidates_standing_alone_reads_in_french():
    assert RosterCount(candidates=11, candidates_signed=1).candidates_text == (
        "1 candidat·e sur 11 a signé"
    )
    assert RosterCount(candidates=11, candidates_signed=2).candidates_text == (
        "2 candidat·es sur 11 ont signé"
    )
    assert RosterCount(lists=2).candidates_text == ""
