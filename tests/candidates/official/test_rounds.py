"""Round-2 lists tied to the round-1 lists they continue or merge (candidates.official.rounds)."""

from io import StringIO

import pytest
from django.core.management import call_command

from candidates.official.models import OfficialList
from candidates.official.rounds import link_rounds
from tests.candidates.official.files import list_file_bytes, list_row
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


def _rows(panel, name, people):
    return [
        list_row("004", "01", panel, number, last, first, name=name)
        for number, (first, last) in enumerate(people, start=1)
    ]


def test_importing_the_round_2_file_links_it_to_round_1(tmp_path):
    """Through import_candidatures: Ambérieu's left and ecologists merge, the right stands
    again renamed, a fourth list does not stand; a second run changes nothing."""
    gauche = [("Camille", "MARTIN"), *((p, n.upper()) for p, n in GAUCHE)]
    verts = [("Jeanne", "BERNARD"), *((p, n.upper()) for p, n in VERTS)]
    droite = [("Marc", "DUBOIS"), *((p, n.upper()) for p, n in DROITE)]
    first = tmp_path / "tour1.txt"
    first.write_bytes(
        list_file_bytes(
            _rows(1, "Gauche unie", gauche)
            + _rows(2, "Écologie d'abord", verts)
            + _rows(3, "Agir pour Ambérieu", droite)
            + _rows(4, "Liste sans suite", [("Ida", "FONTAINE"), ("Max", "VIDAL")])
        )
    )
    second = tmp_path / "tour2.txt"
    second.write_bytes(
        list_file_bytes(
            _rows(1, "Agir ensemble pour Ambérieu", droite)
            + _rows(2, "Union pour Ambérieu", [*gauche[:3], *verts[:2]]),
            preamble="Elections municipales 2020 - 2nd tour - Livre des listes et candidats",
        )
    )
    call_command("import_candidatures", str(first), "--tour", "1", stdout=StringIO())
    call_command("import_candidatures", str(second), "--tour", "2", stdout=StringIO())
    call_command("import_candidatures", str(second), "--tour", "2", stdout=StringIO())

    round1 = {ol.panel_number: ol for ol in OfficialList.objects.filter(tour=1)}
    round2 = {ol.panel_number: ol for ol in OfficialList.objects.filter(tour=2)}
    assert round2[1].continues == round1[3]
    assert list(round2[1].merged_from.all()) == []
    assert round2[2].continues == round1[1]
    assert set(round2[2].merged_from.all()) == {round1[1], round1[2]}
    assert not round1[4].continued_by.exists() and not round1[4].merged_into.exists()
