"""After an import of the official candidatures (pledges.roster.receivers): signatures made
before the files were out are matched, those contradicting the files are flagged."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from candidates.models import Candidate, RosterMatch
from candidates.official.importer import import_candidatures
from candidates.services import check_candidacy
from communes.models import Commune
from pledges.lists.services import request_join
from pledges.models import ElectoralList
from pledges.moderation.ballot import against_the_hint, ballot_choice
from pledges.moderation.needs import needs_of
from tests.candidates.official.files import (
    individual_file_bytes,
    individual_row,
    list_file_bytes,
    list_row,
)
from tests.factories import make_candidate, make_pledge

pytestmark = pytest.mark.django_db

Match = RosterMatch


def saint_etienne() -> Commune:
    return Commune.objects.get(insee_code="42218")


def village() -> Commune:
    """L’Abergement-Clémenciat (01001), under 1,000 inhabitants."""
    return Commune.objects.get(insee_code="01001")


def saint_etienne_lists(*, with_ours=True) -> list:
    """Two lists in Saint-Étienne; the first is the site's « Ensemble pour Saint-Étienne »."""
    ours = [
        list_row(
            "218",
            "42",
            1,
            number,
            last,
            first,
            name="ENSEMBLE POUR SAINT-ÉTIENNE",
            short_name="ENSEMBLE ST-ÉTIENNE",
            nuance="LDVG",
        )
        for number, (last, first) in enumerate(
            (("MARTIN", "Camille"), ("DURAND", "Alex"), ("PETIT", "Léa")), start=1
        )
    ]
    theirs = [
        list_row("218", "42", 2, 1, "DUBOIS", "Marc", name="AGIR POUR SAINT-ÉTIENNE"),
        list_row("218", "42", 2, 2, "ROUX", "Inès", name="AGIR POUR SAINT-ÉTIENNE"),
    ]
    return (ours if with_ours else []) + theirs


def run_import(tmp_path, data: bytes, *, kind="listes", name="livre.txt"):
    path = tmp_path / name
    path.write_bytes(data)
    roster_import, _importer = import_candidatures(path=path, tour=1, kind=kind)
    return roster_import


def fresh(row):
    row.refresh_from_db()
    return row


def test_signatures_made_before_the_files_are_out_are_matched_when_they_are_imported(tmp_path):
    head = make_candidate(
        first_name="Camille",
        last_name="Martin",
        commune=saint_etienne(),
        list_name="Ensemble pour Saint-Étienne",
    )
    pledge = make_pledge(head)
    electoral_list = ElectoralList.objects.get(pk=pledge.electoral_list_id)
    colistier = make_candidate(
        first_name="Alex",
        last_name="Durand",
        commune=saint_etienne(),
        role=Candidate.Role.CANDIDATE,
        list_name="",
    )
    request_join(candidate=colistier, electoral_list=electoral_list, consent=True)
    individual = make_candidate(
        first_name="Gisèle",
        last_name="Clément",
        commune=village(),
        role=Candidate.Role.INDIVIDUAL,
        list_name="",
    )
    make_pledge(individual)
    for row in (electoral_list, head, colistier, individual):
        assert fresh(row).roster_match == Match.UNCHECKED

    run_import(tmp_path, list_file_bytes(saint_etienne_lists()))
    electoral_list.refresh_from_db()
    assert electoral_list.roster_match == Match.FOUND
    official = electoral_list.official_list
    assert (official.panel_number, official.name, official.nuance) == (
        1,
        "ENSEMBLE POUR SAINT-ÉTIENNE",
        "LDVG",
    )
    assert fresh(head).official_candidate.number == 1
    assert fresh(colistier).official_candidate.official_list == official
    assert colistier.official_candidate.number == 2
    # The village is not in the list file: not compared yet.
    assert fresh(individual).roster_match == Match.UNCHECKED

    run_import(
        tmp_path,
        individual_file_bytes([individual_row("001", "01", 1, "CLÉMENT", "Gisèle")]),
        kind="plurinominal",
        name="livre-des-candidats.txt",
    )
    assert fresh(individual).roster_match == Match.FOUND
    assert individual.official_candidate.last_name == "CLÉMENT"


def test_a_list_missing_from_a_newer_file_is_not_found_any_more(tmp_path):
    pledge = make_pledge(
        make_candidate(
            first_name="Camille",
            last_name="Martin",
            commune=saint_etienne(),
            list_name="Ensemble pour Saint-Étienne",
        )
    )
    run_import(tmp_path, list_file_bytes(saint_etienne_lists()))
    electoral_list = ElectoralList.objects.get(pk=pledge.electoral_list_id)
    assert electoral_list.roster_match == Match.FOUND
    run_import(tmp_path, list_file_bytes(saint_etienne_lists(with_ours=False)), name="v2.txt")
    electoral_list.refresh_from_db()
    assert (electoral_list.roster_match, electoral_list.official_list) == (Match.NOT_FOUND, None)


def test_signatures_whose_role_contradicts_the_files_are_flagged_for_staff(tmp_path):
    # Before the files: each explained, in one line, why they go against the population.
    individual = make_candidate(
        commune=saint_etienne(),
        role=Candidate.Role.INDIVIDUAL,
        list_name="",
        ballot_note="Je me présente seule.",
    )
    individual_pledge = make_pledge(individual)
    head = make_candidate(
        commune=village(), list_name="Village uni", ballot_note="Nous sommes une liste."
    )
    head_pledge = make_pledge(head)
    assert "mode de scrutin contraire à l’indication : « Je me présente seule. »" in needs_of(
        individual_pledge
    )

    run_import(tmp_path, list_file_bytes(saint_etienne_lists()))
    run_import(
        tmp_path,
        individual_file_bytes([individual_row("001", "01", 1, "CLÉMENT", "Gisèle")]),
        kind="plurinominal",
        name="livre-des-candidats.txt",
    )
    individual_pledge.candidate.commune.refresh_from_db()
    assert (
        "mode de scrutin contraire aux candidatures officielles : des listes se présentent dans "
        "la commune — « Je me présente seule. »"
    ) in needs_of(individual_pledge)
    head_pledge.candidate.commune.refresh_from_db()
    head_pledge.electoral_list.refresh_from_db()
    needs = needs_of(head_pledge)
    assert (
        "mode de scrutin contraire aux candidatures officielles : seul·es des candidat·es à "
        "titre individuel s’y présentent — « Nous sommes une liste. »"
    ) in needs
    assert "introuvable sur les listes officielles" in needs
    assert ballot_choice(fresh(individual)) == (
        "Scrutin individuel (contraire aux candidatures officielles : des listes se présentent "
        "dans la commune)"
    )
    assert set(Candidate.objects.filter(against_the_hint())) == {individual, head}


def test_the_population_hint_steps_aside_once_the_files_say_how_a_commune_votes(tmp_path):
    # A commune of over 170,000 inhabitants where, say, the files list no lists.
    commune = saint_etienne()
    commune.votes_by_list = False
    commune.save()
    individual = make_candidate(commune=commune, role=Candidate.Role.INDIVIDUAL, list_name="")
    check_candidacy(commune=commune, role=Candidate.Role.INDIVIDUAL, list_name="")
    pledge = make_pledge(individual)
    pledge.candidate.refresh_from_db()
    assert needs_of(pledge) == [
        "candidature individuelle : la personne et sa commune",
        "introuvable sur les candidatures officielles",
    ]  # nothing about the ballot
    assert ballot_choice(individual) == "Scrutin individuel (conforme aux candidatures officielles)"
    with pytest.raises(ValidationError) as error:
        check_candidacy(commune=commune, role=Candidate.Role.HEAD_OF_LIST, list_name="Unis")
    assert error.value.message_dict["ballot_note"] == [
        "D’après les candidatures officielles déposées en préfecture, on vote à Saint-Étienne "
        "pour des candidat·es, un·e par un·e, pas pour des listes. Si vous êtes pourtant sur une "
        "liste, dites pourquoi en une ligne."
    ]


def test_the_profile_page_says_the_official_files_decided(client):
    individual = make_candidate(commune=village(), role=Candidate.Role.INDIVIDUAL, list_name="")
    client.force_login(individual.user)
    page = client.get(reverse("pledges:profile")).content.decode()
    assert "Nous le déduisons de la population" in page
    Commune.objects.filter(pk=village().pk).update(votes_by_list=False)
    page = client.get(reverse("pledges:profile")).content.decode()
    assert "Nous le déduisons de la population" not in page
    assert (
        "D’après les candidatures officielles déposées en préfecture, on vote à "
        "L’Abergement-Clémenciat pour des candidat·es, un·e par un·e."
    ) in page.replace("&#x27;", "’")
