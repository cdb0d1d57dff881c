"""Lists and candidates of the site matched to the official roster (pledges.roster.matching)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from candidates.models import Candidate, RosterMatch
from communes.models import Commune, Secteur
from pledges.lists.services import request_join
from pledges.models import ElectoralList
from pledges.roster.matching import (
    match_candidate,
    match_list,
    match_signature,
    official_candidates_for,
    official_lists_for,
    rematch_communes,
)
from tests.factories import (
    make_candidate,
    make_commune,
    make_moderator,
    make_official_individual,
    make_official_list,
    make_pledge,
    make_roster_import,
)

pytestmark = pytest.mark.django_db

Match = RosterMatch


def saint_etienne() -> Commune:
    return Commune.objects.get(insee_code="42218")


def files_in(commune: Commune, *, by_list: bool = True) -> Commune:
    """What the import says of a commune it covers (lists stand, or individuals do)."""
    Commune.objects.filter(pk=commune.pk).update(votes_by_list=by_list)
    commune.refresh_from_db()
    return commune


def head_signs(list_name, *, first="Camille", last="Martin", commune=None, **fields):
    """A head who signed for their list (matched on commit); the list, fresh from the base."""
    candidate = make_candidate(
        first_name=first,
        last_name=last,
        list_name=list_name,
        commune=commune or saint_etienne(),
        **fields,
    )
    pledge = make_pledge(candidate)
    return ElectoralList.objects.get(pk=pledge.electoral_list_id), pledge


def fresh(row):
    row.refresh_from_db()
    return row


# ---------------------------------------------------------------- lists


def test_nothing_is_compared_before_the_communes_files_are_in():
    make_official_list(saint_etienne(), name="Ensemble pour demain")
    electoral_list, _pledge = head_signs("Ensemble pour demain")
    assert electoral_list.roster_match == Match.UNCHECKED
    assert electoral_list.official_list is None


def test_a_list_is_found_without_accents_case_hyphens_or_punctuation():
    commune = files_in(saint_etienne())
    official = make_official_list(
        commune,
        panel_number=4,
        name="SAINT-ÉTIENNE, ÉCOLOGIQUE ET SOLIDAIRE !",
        nuance="LECO",
        head=("Jeanne", "Bernard"),
    )
    make_official_list(commune, name="Agir pour Saint-Étienne", head=("Marc", "Dubois"))
    electoral_list, _pledge = head_signs("Saint Etienne — écologique et solidaire")
    assert electoral_list.roster_match == Match.FOUND
    assert electoral_list.official_list == official
    # The files give the list its panel number and nuance.
    assert (electoral_list.panel_number, electoral_list.nuance) == (4, "LECO")


def test_the_short_name_on_the_file_matches_the_name_on_the_site():
    commune = files_in(saint_etienne())
    official = make_official_list(
        commune,
        name="Ensemble pour Saint-Étienne, avec Camille Martin et les écologistes",
        short_name="ENSEMBLE POUR ST-ETIENNE",
        head=("Jeanne", "Bernard"),
    )
    electoral_list, _pledge = head_signs("Ensemble pour Saint-Étienne")
    assert (electoral_list.roster_match, electoral_list.official_list) == (Match.FOUND, official)


def test_a_leading_liste_on_the_file_is_ignored_but_a_longer_name_is_another_name():
    commune = files_in(saint_etienne())
    official = make_official_list(
        commune, name="LISTE SAINT-ÉTIENNE EN COMMUN", head=("Jeanne", "Bernard")
    )
    electoral_list, _pledge = head_signs("Saint-Étienne en commun, liste citoyenne")
    assert electoral_list.roster_match == Match.NOT_FOUND
    electoral_list.name = "Saint-Étienne en commun"
    electoral_list.save()
    assert match_list(electoral_list) == Match.FOUND
    assert fresh(electoral_list).official_list == official


def test_the_head_is_recognised_whatever_the_order_of_first_and_last_names():
    commune = files_in(saint_etienne())
    official = make_official_list(commune, name="Un autre nom", head=("Camille", "Martin-Lévêque"))
    # Typed the other way round, with a space instead of the hyphen.
    electoral_list, _pledge = head_signs("Ensemble", first="Martin Leveque", last="Camille")
    assert (electoral_list.roster_match, electoral_list.official_list) == (Match.FOUND, official)


def test_a_homonym_list_in_another_commune_never_matches():
    files_in(saint_etienne())
    make_official_list(saint_etienne(), name="Agir pour Saint-Étienne", head=("Marc", "Dubois"))
    elsewhere = files_in(make_commune(population=4000))
    make_official_list(elsewhere, name="Ensemble pour demain", head=("Camille", "Martin"))
    electoral_list, _pledge = head_signs("Ensemble pour demain")
    assert electoral_list.roster_match == Match.NOT_FOUND
    assert official_lists_for(electoral_list) == []


def test_a_homonym_list_in_another_secteur_never_matches():
    marseille = files_in(Commune.objects.get(insee_code="13055"))
    first, second = (Secteur.objects.get(commune=marseille, number=n) for n in (1, 2))
    make_official_list(marseille, secteur=second, name="Marseille en commun")
    electoral_list, _pledge = head_signs("Marseille en commun", commune=marseille, secteur=first)
    assert electoral_list.roster_match == Match.NOT_FOUND
    mine = make_official_list(marseille, secteur=first, name="Marseille en commun")
    assert match_list(electoral_list) == Match.FOUND
    assert fresh(electoral_list).official_list == mine


def test_a_head_whose_list_changed_name_between_rounds_still_matches():
    commune = files_in(saint_etienne())
    make_official_list(commune, tour=1, name="Saint-Étienne demain", head=("Camille", "Martin"))
    electoral_list, _pledge = head_signs("Saint-Étienne demain")
    assert electoral_list.official_list.tour == 1
    renamed = make_official_list(
        commune, tour=2, name="Saint-Étienne demain, rassemblés", head=("Camille", "Martin")
    )
    make_official_list(commune, tour=2, name="Agir pour Saint-Étienne", head=("Marc", "Dubois"))
    rematch_communes([commune.pk])
    electoral_list.refresh_from_db()
    assert (electoral_list.roster_match, electoral_list.official_list) == (Match.FOUND, renamed)


def test_a_list_continued_in_round_two_under_a_new_name_and_head_follows_its_record():
    commune = files_in(saint_etienne())
    round1 = make_official_list(commune, tour=1, name="Gauche unie", head=("Camille", "Martin"))
    electoral_list, _pledge = head_signs("Gauche unie")
    assert electoral_list.official_list == round1
    round2 = make_official_list(commune, tour=2, name="Rassemblement", head=("Léa", "Petit"))
    round2.continues = round1
    round2.save()
    rematch_communes([commune.pk])
    assert fresh(electoral_list).official_list == round2


def test_a_list_that_did_not_stand_in_round_two_was_still_filed_in_round_one():
    commune = files_in(saint_etienne())
    round1 = make_official_list(commune, tour=1, name="Gauche unie", head=("Camille", "Martin"))
    make_official_list(commune, tour=2, name="Agir pour Saint-Étienne", head=("Marc", "Dubois"))
    electoral_list, _pledge = head_signs("Gauche unie")
    assert (electoral_list.roster_match, electoral_list.official_list) == (Match.FOUND, round1)


def test_a_list_gone_from_a_newer_file_is_no_longer_found():
    commune = files_in(saint_etienne())
    official = make_official_list(commune, name="Gauche unie", head=("Jeanne", "Bernard"))
    electoral_list, _pledge = head_signs("Gauche unie")
    assert electoral_list.roster_match == Match.FOUND
    type(official).objects.filter(pk=official.pk).update(gone_at=timezone.now())
    rematch_communes([commune.pk])
    electoral_list.refresh_from_db()
    assert (electoral_list.roster_match, electoral_list.official_list) == (Match.NOT_FOUND, None)
    assert electoral_list.panel_number is None


def test_a_name_on_one_list_and_a_head_on_another_is_ambiguous():
    commune = files_in(saint_etienne())
    by_name = make_official_list(commune, name="Ensemble pour demain", head=("Jeanne", "Bernard"))
    by_head = make_official_list(commune, name="Saint-Étienne d’abord", head=("Camille", "Martin"))
    make_official_list(commune, name="Agir", head=("Marc", "Dubois"))
    electoral_list, _pledge = head_signs("Ensemble pour demain")
    assert (electoral_list.roster_match, electoral_list.official_list) == (Match.AMBIGUOUS, None)
    # The possibilities are computed again for staff, nothing is stored.
    assert {ol.pk for ol in official_lists_for(electoral_list)} == {by_name.pk, by_head.pk}


def test_name_and_head_together_beat_either_alone():
    commune = files_in(saint_etienne())
    both = make_official_list(commune, name="Ensemble pour demain", head=("Camille", "Martin"))
    make_official_list(commune, name="Ensemble pour demain !", head=("Jeanne", "Bernard"))
    make_official_list(commune, name="Autre chose", head=("Camille", "Martin"))
    electoral_list, _pledge = head_signs("Ensemble pour demain")
    assert (electoral_list.roster_match, electoral_list.official_list) == (Match.FOUND, both)


def test_a_list_of_a_commune_whose_files_are_in_but_which_is_on_none_is_not_found():
    commune = files_in(saint_etienne())
    make_official_list(commune, name="Agir pour Saint-Étienne", head=("Marc", "Dubois"))
    electoral_list, _pledge = head_signs("Une liste que personne n’a déposée")
    assert electoral_list.roster_match == Match.NOT_FOUND


def test_a_staff_decision_is_never_overwritten_automatically():
    commune = files_in(saint_etienne())
    chosen = make_official_list(commune, name="Agir pour Saint-Étienne", head=("Marc", "Dubois"))
    electoral_list, pledge = head_signs("Ensemble pour demain")
    assert electoral_list.roster_match == Match.NOT_FOUND
    ElectoralList.objects.filter(pk=electoral_list.pk).update(
        official_list=chosen,
        roster_match=Match.CONFIRMED,
        roster_checked_at=timezone.now(),
        roster_checked_by=make_moderator(),
    )
    make_official_list(commune, name="Ensemble pour demain", head=("Camille", "Martin"))
    rematch_communes([commune.pk])
    assert match_signature(pledge) == Match.CONFIRMED
    electoral_list.refresh_from_db()
    assert (electoral_list.roster_match, electoral_list.official_list) == (Match.CONFIRMED, chosen)
    # « Introuvable » said by staff stays too.
    ElectoralList.objects.filter(pk=electoral_list.pk).update(
        official_list=None, roster_match=Match.NOT_FOUND
    )
    rematch_communes([commune.pk])
    assert fresh(electoral_list).roster_match == Match.NOT_FOUND


def test_the_list_its_head_signed_for_through_the_letter_settles_a_tie():
    commune = files_in(saint_etienne())
    make_official_list(commune, name="Ensemble pour demain", head=("Jeanne", "Bernard"))
    letter = make_official_list(commune, name="Saint-Étienne d’abord", head=("Camille", "Martin"))
    electoral_list, _pledge = head_signs("Ensemble pour demain")
    assert electoral_list.roster_match == Match.AMBIGUOUS
    ElectoralList.objects.filter(pk=electoral_list.pk).update(official_list=letter)
    rematch_communes([commune.pk])
    assert fresh(electoral_list).official_list == letter
    assert electoral_list.roster_match == Match.FOUND


# ---------------------------------------------------------------- candidates


def test_an_individual_candidate_is_found_in_the_plurinominal_roster_either_way_round():
    village = files_in(make_commune(population=300), by_list=False)
    official = make_official_individual(village, first_name="Dominique", last_name="Petit")
    make_official_individual(village, first_name="Dominique", last_name="Petitjean")
    candidate = make_candidate(
        commune=village,
        role=Candidate.Role.INDIVIDUAL,
        list_name="",
        first_name="PETIT",
        last_name="Dominique",
    )
    pledge = make_pledge(candidate)
    assert fresh(candidate).roster_match == Match.FOUND
    assert candidate.official_candidate == official
    assert match_signature(pledge) == Match.FOUND


def test_an_individual_is_not_looked_for_among_the_lists_candidates():
    commune = files_in(saint_etienne())
    make_official_list(commune, head=("Dominique", "Petit"))
    candidate = make_candidate(
        commune=commune,
        role=Candidate.Role.INDIVIDUAL,
        list_name="",
        first_name="Dominique",
        last_name="Petit",
        ballot_note="Je me présente seule.",
    )
    make_pledge(candidate)
    assert fresh(candidate).roster_match == Match.NOT_FOUND


def test_a_colistier_is_found_on_their_lists_official_list_before_a_namesake_elsewhere():
    commune = files_in(saint_etienne())
    theirs = make_official_list(
        commune, name="Ensemble pour demain", colistiers=(("Alex", "Durand"),)
    )
    make_official_list(
        commune, name="Agir", head=("Marc", "Dubois"), colistiers=(("Alex", "Durand"),)
    )
    electoral_list, _pledge = head_signs("Ensemble pour demain")
    colistier = make_candidate(
        commune=commune,
        role=Candidate.Role.CANDIDATE,
        list_name="",
        first_name="Alex",
        last_name="Durand",
    )
    assert match_candidate(colistier) == Match.AMBIGUOUS
    assert len(official_candidates_for(colistier)) == 2
    request_join(candidate=colistier, electoral_list=electoral_list, consent=True)
    colistier.refresh_from_db()
    assert colistier.roster_match == Match.FOUND
    assert colistier.official_candidate.official_list == theirs


def test_a_head_is_matched_to_number_one_of_their_official_list():
    commune = files_in(saint_etienne())
    theirs = make_official_list(commune, name="Ensemble pour demain", head=("Camille", "Martin"))
    make_official_list(
        commune, name="Agir", head=("Marc", "Dubois"), colistiers=(("Camille", "Martin"),)
    )
    _electoral_list, pledge = head_signs("Ensemble pour demain")
    head = fresh(pledge.candidate)
    assert head.roster_match == Match.FOUND
    assert head.official_candidate.official_list == theirs
    assert head.official_candidate.number == 1


# ---------------------------------------------------------------- in bulk


def _lists_in(communes: list[Commune], per_commune: int) -> None:
    imported = make_roster_import()
    for commune in communes:
        files_in(commune)
        for number in range(per_commune):
            make_official_list(
                commune,
                name=f"Liste {number}",
                head=("Camille", f"Tête{number}"),
                colistiers=(("Alex", f"Colistier{number}"),),
                roster_import=imported,
            )
            head_signs(f"Liste {number}", last=f"Tête{number}", commune=commune)


def _rematch_queries(commune_ids) -> int:
    with CaptureQueriesContext(connection) as queries:
        rematch_communes(commune_ids)
    return len(queries)


def test_rematching_takes_the_same_few_queries_for_one_commune_or_many():
    few = [make_commune(population=2000 + n) for n in range(2)]
    many = [make_commune(population=3000 + n) for n in range(8)]
    _lists_in(few, 1)
    _lists_in(many, 3)
    ElectoralList.objects.update(roster_match="", official_list=None)
    Candidate.objects.update(roster_match="", official_candidate=None)
    assert _rematch_queries([c.pk for c in few]) == _rematch_queries([c.pk for c in many])
    assert not ElectoralList.objects.exclude(roster_match=Match.FOUND).exists()
    assert not Candidate.objects.exclude(roster_match=Match.FOUND).exists()
    # Nothing changed: nothing written.
    with CaptureQueriesContext(connection) as queries:
        result = rematch_communes([c.pk for c in many])
    assert result.changed == 0
    assert not [q for q in queries if q["sql"].startswith("UPDATE")]


def test_a_signature_matched_yesterday_by_mistake_is_corrected_by_the_next_import():
    commune = files_in(saint_etienne())
    electoral_list, _pledge = head_signs("Ensemble pour demain", first="Jeanne", last="Roux")
    other = make_official_list(commune, name="Autre", head=("Marc", "Dubois"))
    ElectoralList.objects.filter(pk=electoral_list.pk).update(
        official_list=other, roster_match=Match.FOUND
    )
    ElectoralList.objects.filter(pk=electoral_list.pk).update(
        created_at=timezone.now() - timedelta(days=1)
    )
    right = make_official_list(commune, name="Ensemble pour demain", head=("Léa", "Petit"))
    rematch_communes([commune.pk])
    assert fresh(electoral_list).official_list == right
