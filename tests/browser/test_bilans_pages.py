"""The bilans in a real browser: axe-core's WCAG 2.1 A and AA rules on each page with
hand-counted data (tests/pledges/bilans/data.py), and no sideways scrolling at 320 pixels
but inside the tables' own scrolling boxes."""

import pytest

from tests.browser.test_accessibility import (
    assert_no_findings,
    axe_findings,
    new_page,  # noqa: F401 (a fixture)
)
from tests.pledges.bilans.data import make_bilan_data

pytestmark = pytest.mark.django_db(transaction=True)


def bilan_pages(data) -> dict[str, str]:
    return {
        "national": "/bilans/",
        "région": "/bilans/regions/94/",
        "département": "/bilans/departements/2A/",
        "commune": f"/bilans/communes/{data.town.insee_code}/",
        "commune of a candidate": f"/bilans/communes/{data.village.insee_code}/",
        "commitment": "/bilans/engagements/3.1/",
    }


def test_the_bilans_pass_axe_core(new_page):  # noqa: F811
    data = make_bilan_data()
    page = new_page()
    checked = {
        name: axe_findings(page, page.base_url + path) for name, path in bilan_pages(data).items()
    }
    checked["before the results"] = axe_findings(page, page.base_url + "/bilans/communes/42187/")
    assert_no_findings(checked)


def test_the_bilans_reflow_at_320_pixels(new_page):  # noqa: F811
    data = make_bilan_data()
    page = new_page(width=320)
    for name, path in bilan_pages(data).items():
        page.goto(page.base_url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{name}: {width} px wide"
