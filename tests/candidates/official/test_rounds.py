"""Round-2 lists tied to the round-1 lists they continue or merge (candidates.official.rounds)."""

import pytest

from candidates.official.rounds import link_rounds
from tests.factories import make_commune, make_official_list, make_roster_import

pytestmark = pytest.mark.django_db

GAUCHE = (("Alex", "Durand"), ("Léa", "Petit"), ("Noé", "Roux"), ("Inès", "Blanc"))
VERTS = (("Hugo", "Garnier"), ("Zoé", "Faure"), ("Théo", "Mercier"))
DROITE = (("Paul", "Lefèvre"), ("Anne", "Morel"), ("Luc", "Girard"))


def _round1(commune):
    imported = make_roster_import(tour=1)
    return {
        "gauche": make_official_list(
            commune,
            panel_number=1,
            name="Gauche unie",
            head=("Camille", "Martin"),
            colistiers=GAUCHE,
            roster_import=imported,
        ),
        "verts": make_official_list(
            commune,
            panel_number=2,
            name="Écologie d’abord",
            head=("Jeanne", "Bernard"),
            colistiers=VERTS,
            roster_import=imported,
        ),
        "droite": make_official_list(
            commune,
            panel_number=3,
            name="Agir pour la ville",
            head=("Marc", "Dubois"),
            colistiers=DROITE,
            roster_import=imported,
        ),
    }


def test_a_list_standing_again_continues_its_round_1_list():
    commune = make_commune()
    first = _round1(commune)
    imported = make_roster_import(tour=2)
    again = make_official_list(
        commune,
        panel_number=2,
        name="Agir pour la ville",
        head=("Marc", "Dubois"),
        colistiers=DROITE,
        tour=2,
        roster_import=imported,
    )

    assert link_rounds(roster_import=imported) == 1

    again.refresh_from_db()
    assert again.continues == first["droite"]
    assert list(again.merged_from.all()) == []
    assert list(first["droite"].continued_by.all()) == [again]


def test_a_renamed_list_with_the_same_head_continues_its_round_1_list():
    commune = make_commune()
    first = _round1(commune)
    imported = make_roster_import(tour=2)
    renamed = make_official_list(
        commune,
        panel_number=5,
        name="Agir ensemble pour la ville",
        head=("Marc", "Dubois"),
        colistiers=(*DROITE[:2], ("Nouveau", "Venu")),
        tour=2,
        roster_import=imported,
    )

    link_rounds(roster_import=imported)

    renamed.refresh_from_db()
    assert renamed.continues == first["droite"]
    assert list(renamed.merged_from.all()) == []


def test_a_list_merging_two_round_1_lists_is_a_fusion_continuing_its_heads_list():
    commune = make_commune()
    first = _round1(commune)
    imported = make_roster_import(tour=2)
    merged = make_official_list(
        commune,
        panel_number=1,
        name="Gauche et écologistes unis",
        head=("Camille", "Martin"),
        colistiers=(*GAUCHE[:3], ("Jeanne", "Bernard"), VERTS[0]),
        tour=2,
        roster_import=imported,
    )

    link_rounds(roster_import=imported)

    merged.refresh_from_db()
    assert set(merged.merged_from.all()) == {first["gauche"], first["verts"]}
    assert merged.continues == first["gauche"]
    assert list(first["verts"].merged_into.all()) == [merged]


def test_a_single_colistier_changing_sides_is_not_a_fusion():
    commune = make_commune()
    first = _round1(commune)
    imported = make_roster_import(tour=2)
    continued = make_official_list(
        commune,
        panel_number=1,
        name="Gauche unie",
        head=("Camille", "Martin"),
        colistiers=(*GAUCHE, VERTS[1]),
        tour=2,
        roster_import=imported,
    )

    link_rounds(roster_import=imported)

    continued.refresh_from_db()
    assert continued.continues == first["gauche"]
    assert list(continued.merged_from.all()) == []


def test_a_round_1_list_absent_from_round_2_simply_does_not_stand():
    commune = make_commune()
    first = _round1(commune)
    imported = make_roster_import(tour=2)
    make_official_list(
        commune,
        panel_number=1,
        name="Gauche unie",
        head=("Camille", "Martin"),
        colistiers=GAUCHE,
        tour=2,
        roster_import=imported,
    )

    link_rounds(roster_import=imported)

    assert not first["verts"].continued_by.exists()
    assert not first["verts"].merged_into.exists()
    assert not first["droite"].continued_by.exists()


def test_a_new_list_in_round_2_continues_nothing():
    commune = make_commune()
    _round1(commune)
    imported = make_roster_import(tour=2)
    new = make_official_list(
        commune,
        panel_number=4,
        name="Liste citoyenne",
        head=("Rose", "Nouvelle"),
        colistiers=(("Paul", "Lefèvre"), ("Yves", "Neuf")),
        tour=2,
        roster_import=imported,
    )

    link_rounds(roster_import=imported)

    new.refresh_from_db()
    assert new.continues is None
    assert list(new.merged_from.all()) == []


def test_lists_of_another_commune_are_never_linked():
    commune, other = make_commune(), make_commune()
    _round1(other)
    imported = make_roster_import(tour=2)
    lookalike = make_official_list(
        commune,
        panel_number=1,
        name="Gauche unie",
        head=("Camille", "Martin"),
        colistiers=GAUCHE,
        tour=2,
        roster_import=imported,
    )

    link_rounds(roster_import=imported)

    lookalike.refresh_from_db()
    assert lookalike.continues is None


def test_running_it_again_recomputes_rather_than_adds():
    commune = make_commune()
    first = _round1(commune)
    imported = make_roster_import(tour=2)
    merged = make_official_list(
        commune,
        panel_number=1,
        name="Union",
        head=("Camille", "Martin"),
        colistiers=(*GAUCHE[:2], *VERTS[:2]),
        tour=2,
        roster_import=imported,
    )
    link_rounds(roster_import=imported)
    # A newer file: the ecologists' candidates are gone from the list.
    merged.candidates.filter(name_key__in=["hugogarnier", "zoefaure"]).delete()

    link_rounds(roster_import=imported)

    assert list(merged.merged_from.all()) == []
    merged.refresh_from_db()
    assert merged.continues == first["gauche"]


def test_it_takes_a_few_queries_whatever_the_number_of_communes(django_assert_max_num_queries):
    imported = make_roster_import(tour=2)
    for _ in range(3):
        commune = make_commune()
        _round1(commune)
        make_official_list(
            commune,
            panel_number=1,
            name="Gauche unie",
            head=("Camille", "Martin"),
            colistiers=GAUCHE,
            tour=2,
            roster_import=imported,
        )

    with django_assert_max_num_queries(10):
        assert link_rounds(roster_import=imported) == 3
