"""A voter's journey in a real browser: search, commune grid, candidate page, open data."""

import csv
import io
import re

import pytest

from tests.browser.conftest import RESULTS
from tests.bulk import make_signatory

pytestmark = pytest.mark.django_db(transaction=True)
expect = pytest.importorskip("playwright.sync_api").expect


def test_a_voter_finds_the_commune_reads_the_grid_opens_a_candidate_and_downloads_the_csv(
    page, screenshot
):
    make_signatory(
        first_name="Dominique",
        last_name="Durand",
        list_name="Saint-Étienne solidaire",
        codes=("1.1", "1.2", "2.1"),
        withdrawn_codes=("3.1",),
    )
    make_signatory(first_name="Sacha", last_name="Bernard", list_name="Agir ensemble")

    page.goto(page.base_url + "/")
    screenshot("voter-home-1280")
    page.get_by_label("Commune, candidat·e ou liste").fill("saint etienne")
    page.get_by_role("button", name="Rechercher").first.click()
    communes = page.get_by_role("region", name="Communes")
    communes.get_by_role("link", name="Saint-Étienne", exact=True).click()

    page.get_by_role("heading", name="Saint-Étienne", level=1).wait_for()
    grid = page.get_by_role("table", name=re.compile("^Les engagements signés à Saint-Étienne"))
    assert grid.is_visible()
    row = grid.get_by_role("row", name=re.compile("Dominique Durand"))
    cells = row.get_by_role("cell")
    # What a screen reader says of each mark: its words; the CSS draws the symbol, with an
    # empty alternative text, and the commitment's name is for phones only.
    expect(cells.nth(0)).to_have_accessible_name("signé")  # 1.1
    expect(cells.nth(3)).to_have_accessible_name("non signé")  # 2.2
    expect(cells.nth(5)).to_have_accessible_name(re.compile("^retiré le "))  # 3.1
    symbol = "el => getComputedStyle(el, '::before').content"
    assert cells.nth(0).evaluate(symbol).startswith('"✓"')
    assert cells.nth(5).evaluate(symbol).startswith('"↺"')
    assert cells.nth(3).evaluate(symbol).startswith('"–"')
    assert not cells.nth(0).get_by_text("1.1 généraliser").is_visible()
    # Every commitment is readable without hovering: the header links to the key.
    grid.get_by_role("link", name="1.2", exact=True).click()
    key = page.locator("#engagement-1-2")
    expect(key).to_contain_text("Je m’engage à renforcer le dialogue")
    assert key.is_visible()
    screenshot("voter-commune-1280")

    # On paper (A4, 12 mm margins: 186 mm ≈ 703 px), the whole grid fits the width, with
    # the key of the 20 commitments and the date of the state it shows.
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 703, "height": 900})
    assert grid.is_visible()
    assert page.evaluate("document.querySelector('table.grid').scrollWidth") <= 703
    assert page.get_by_role("heading", name="Les 20 engagements de la grille").is_visible()
    assert page.get_by_text(re.compile("^État au ")).is_visible()
    assert not page.locator("#engagement-1-1 b").count()
    pdf = page.pdf(path=str(RESULTS / "voter-commune-a4.pdf"), format="A4")
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 1
    page.emulate_media(media="screen")

    # On a phone the same table reads as cards, each naming the commitments it marks.
    screenshot("voter-commune-375", width=375)
    assert page.locator("table.grid").count() == 1
    card = page.locator("table.grid tbody tr", has_text="Dominique Durand")
    assert card.is_visible()
    text = card.inner_text()
    assert "3 engagements signés sur 20" in text
    assert "1.1 généraliser l’intégration des clauses…" in text
    assert "3.1 développer un réseau de transport en… retiré le " in text
    assert "2.2" not in text  # not signed: not listed
    assert card.bounding_box()["width"] <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1280, "height": 900})

    # The row is the list's: its page, then the page of the head who signed for it.
    grid.get_by_role("link", name="Saint-Étienne solidaire").click()
    page.get_by_role("heading", name="Saint-Étienne solidaire", level=1).wait_for()
    page.get_by_role("link", name="Dominique Durand").first.click()
    page.get_by_role("heading", name="Dominique Durand", level=1).wait_for()
    assert page.get_by_text("3 engagements signés, 1 retiré").is_visible()
    screenshot("voter-candidate-1280")
    screenshot("voter-candidate-375", width=375)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Données ouvertes").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="signataires.csv").click()
    download = download_info.value
    assert download.suggested_filename == "signataires.csv"
    with open(download.path(), encoding="utf-8") as file:
        rows = list(csv.DictReader(io.StringIO(file.read())))
    durand = next(row for row in rows if row["nom"] == "Durand")
    assert durand["engagements_signes"] == "1.1 1.2 2.1"
    assert durand["engagements_retires"] == "3.1"
    assert len(rows) == 2
