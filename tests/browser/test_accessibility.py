"""axe-core's WCAG 2.1 A and AA rules on the pages that matter, with real data on them.

axe-playwright-python ships axe.min.js: nothing is downloaded when the tests run. Every
<details> is opened first, so that what it hides (the map's table) is checked too.
"""

import re

import pytest

from pledges.directory.areas import COMMUNE_PAGE_SIZE
from pledges.signing.services import withdraw_commitment
from tests.browser.journeys import log_in
from tests.bulk import make_signatories
from tests.factories import approve, commitments, make_candidate, make_pledge, make_user

pytestmark = pytest.mark.django_db(transaction=True)
Axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
# What axe cannot decide is reported as "incomplete", to review by hand. Contrast was: it
# cannot rate the grid's symbols (✓ ↺ –, each doubled by a text for screen readers) nor
# the cells of a table scrolled out of view; the colours themselves are rated in site.css.
# Anything else it cannot decide fails, like the aria-describedby that pointed nowhere.
REVIEWED_BY_HAND = {"color-contrast"}


@pytest.fixture
def new_page(browser, live_server, reference_data):
    """A fresh browser context per visitor. axe is injected into the page, which the site's
    Content-Security-Policy would refuse (the policy is tested in tests/config)."""
    contexts = []

    def open_page(*, width=1280):
        context = browser.new_context(
            locale="fr-FR", viewport={"width": width, "height": 900}, bypass_csp=True
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.base_url = live_server.url
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def signatory():
    """An approved signatory in Saint-Étienne who later withdrew a commitment: the grid,
    the signatory page and the certificate then show every state."""
    candidate = make_candidate(
        user=make_user("dominique@exemple.test"),
        first_name="Dominique",
        last_name="Durand",
        list_name="Saint-Étienne solidaire",
        political_label="Divers gauche",
        statement="Une ville où chacun trouve sa place.",
    )
    pledge = approve(make_pledge(candidate, codes=("1.1", "1.2", "2.1", "3.1")))
    withdraw_commitment(pledge=pledge, commitment=commitments("3.1")[0])
    return pledge


def axe_findings(page, url: str | None = None) -> list[dict]:
    """axe's violations and unreviewed "incomplete" results on `url`, or on the page as
    it stands (a form sent back with its errors)."""
    if url:
        response = page.goto(url)
        assert response.status == 200, f"{url}: {response.status}"
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    results = Axe().run(page, options=WCAG_21_AA).response
    undecided = [r for r in results["incomplete"] if r["id"] not in REVIEWED_BY_HAND]
    return results["violations"] + [{**r, "impact": f"{r['impact']}, to review"} for r in undecided]


def report(found: dict[str, list[dict]]) -> str:
    """What to fix, page by page: the rule, its impact, its help and the elements."""
    lines = []
    for name, findings in found.items():
        for finding in findings:
            lines.append(
                f"{name}: {finding['id']} ({finding['impact']}): {finding['help']} "
                f"<{finding['helpUrl']}>"
            )
            for node in finding["nodes"]:
                summary = " ".join(node.get("failureSummary", "").split())
                lines.append(f"    {' '.join(map(str, node['target']))}  {summary[:300]}")
    return "\n".join(lines)


def assert_no_findings(checked: dict[str, list[dict]]) -> None:
    found = {name: findings for name, findings in checked.items() if findings}
    if found:
        pytest.fail("axe-core (WCAG 2.1 A/AA) found:\n" + report(found), pytrace=False)


def test_the_public_pages_pass_axe_core(new_page, signatory):
    reference = signatory.certificates.current().get().reference
    page = new_page()
    base = page.base_url
    checked = {
        "home": axe_findings(page, base + "/"),
        "commune (1280 px)": axe_findings(page, base + "/communes/42218/"),
        "candidate": axe_findings(page, base + signatory.get_absolute_url()),
        "proposal": axe_findings(page, base + "/propositions/1/"),
        "verification": axe_findings(page, base + f"/verifier/{reference}/"),
        "sign-up": axe_findings(page, base + "/compte/inscription/"),
        "login": axe_findings(page, base + "/compte/connexion/"),
        "accessibility statement": axe_findings(page, base + "/accessibilite/"),
    }
    assert page.get_by_role("heading", name="Déclaration d’accessibilité").is_visible()
    # A commune with more signatories than a page: its second page, and its page links.
    make_signatories(COMMUNE_PAGE_SIZE + 1, commune="42187", codes=("1.1", "2.1"))
    checked["commune, page 2"] = axe_findings(page, base + "/communes/42187/?page=2")
    assert page.get_by_role("navigation", name="Pages des listes et candidat·es").is_visible()
    phone = new_page(width=375)
    checked["commune (375 px)"] = axe_findings(phone, base + "/communes/42218/")
    card = phone.locator("table.grid tbody tr", has_text="Dominique Durand")
    assert card.is_visible() and "1.1 généraliser" in card.inner_text()
    assert_no_findings(checked)


def test_the_candidate_pages_pass_axe_core(new_page, signatory):
    make_candidate(user=make_user("alix@exemple.test"), first_name="Alix", last_name="Martin")
    page = new_page()
    base = page.base_url
    log_in(page, "alix@exemple.test")
    checked = {"signing": axe_findings(page, base + "/signer/")}
    page.get_by_role("button", name="Signer et envoyer").click()
    page.get_by_role("heading", name=re.compile("il reste à corriger")).wait_for()
    checked["signing, with its errors"] = axe_findings(page)
    checked["« Ma candidature »"] = axe_findings(page, base + "/ma-candidature/")

    newcomer = new_page()
    make_user("sam@exemple.test")
    log_in(newcomer, "sam@exemple.test")
    newcomer.goto(base + "/ma-candidature/")
    newcomer.get_by_role("button", name="Continuer vers les engagements").click()
    newcomer.get_by_role("heading", name=re.compile("il reste à corriger")).wait_for()
    checked["« Ma candidature », with its errors"] = axe_findings(newcomer)

    signed_in = new_page()
    log_in(signed_in, "dominique@exemple.test")  # lands on « Mon espace », with a message
    assert signed_in.get_by_role("status").get_by_text("Connexion avec").is_visible()
    checked["« Mon espace »"] = axe_findings(signed_in)
    assert signed_in.get_by_text("Retiré le").is_visible()
    assert_no_findings(checked)


def test_the_pages_reflow_at_320_pixels_without_scrolling_sideways(new_page, signatory):
    """WCAG 1.4.10: 1280 px zoomed to 400 %. Only wide tables scroll, inside their frame."""
    page = new_page(width=320)
    paths = ["/", "/communes/42218/", signatory.get_absolute_url(), "/propositions/1/"]
    paths += ["/compte/inscription/", "/accessibilite/"]
    too_wide = {}
    for path in paths:
        page.goto(page.base_url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            too_wide[path] = width
    assert too_wide == {}


def test_the_account_and_error_pages_pass_axe_core(new_page):
    page = new_page()
    base = page.base_url
    checked = {
        "sign-up": axe_findings(page, base + "/compte/inscription/"),
        "forgotten password": axe_findings(page, base + "/compte/mot-de-passe/oubli/"),
    }
    assert page.goto(base + "/une-page-qui-n-existe-pas/").status == 404
    page.get_by_role("heading", name="Cette page est introuvable").wait_for()
    checked["page not found"] = axe_findings(page)

    make_user("alix@exemple.test")
    log_in(page, "alix@exemple.test")
    checked["e-mail address"] = axe_findings(page, base + "/compte/adresses/")
    checked["password change"] = axe_findings(page, base + "/compte/mot-de-passe/modifier/")
    checked["logout"] = axe_findings(page, base + "/compte/deconnexion/")
    assert_no_findings(checked)
