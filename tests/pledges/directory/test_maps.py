"""The outline map, parsed once from the project's copy of the svg-maps file (communes/maps.py)."""

import pytest

from communes.maps import MAP_FILE, departement_outline, shade, shading_scale
from communes.models import Departement


def test_the_map_file_ships_with_its_licence_and_readme():
    folder = MAP_FILE.parent
    assert MAP_FILE.name == "france.departments.svg"
    assert (folder / "LICENSE-CC-BY-4.0.md").exists()
    assert "Victor Cazanave" in (folder / "README.md").read_text()
    assert "/work/shared" not in str(MAP_FILE) and "shared" not in MAP_FILE.parts


@pytest.mark.django_db
def test_the_map_draws_every_metropolitan_departement_and_no_other():
    outline = departement_outline()
    assert outline.view_box == "0 0 613 585"
    metropolitan = set(
        Departement.objects.exclude(code__regex=r"^9[78]").values_list("code", flat=True)
    )
    assert outline.codes == metropolitan
    assert len(outline.shapes) == 96
    assert all(shape.path.startswith("m ") for shape in outline.shapes)


def test_the_file_is_parsed_once():
    assert departement_outline() is departement_outline()


@pytest.mark.parametrize(
    ("maximum", "scale"),
    [
        (0, []),
        (1, [(1, 1)]),
        (3, [(1, 1), (2, 2), (3, 3)]),
        (10, [(1, 2), (3, 3), (4, 4), (5, 6), (7, 10)]),
        (100, [(1, 3), (4, 6), (7, 16), (17, 40), (41, 100)]),
    ],
)
def test_the_shading_scale_is_geometric(maximum, scale):
    assert shading_scale(maximum) == scale


def test_each_count_falls_in_one_shade():
    scale = shading_scale(100)
    assert [shade(n, scale) for n in (0, 1, 3, 4, 16, 17, 100)] == [0, 1, 1, 2, 3, 4, 5]


def test_a_short_scale_spreads_over_the_palette_up_to_the_darkest_shade():
    assert [shade(n, shading_scale(1)) for n in (0, 1)] == [0, 5]
    assert [shade(n, shading_scale(2)) for n in (1, 2)] == [3, 5]
    assert [shade(n, shading_scale(3)) for n in (1, 2, 3)] == [2, 4, 5]
