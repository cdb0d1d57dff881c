"""On a phone, no line of text starts with « : ; ! ? » or « » »: the no-break spaces that
config/typography.py sets keep each sign with the word before it.

Line boxes are read from the rendered page: every visible character of every text node is
measured (Range.getClientRects), and a character starts a line when it is not on the same
line as the character before it (not overlapping it vertically, or back to the left).
"""

import re

import pytest
from django.conf import settings
from django.test import Client

from communes.models import Commune, Secteur
from pledges.models import Proposal
from tests.factories import approve, make_candidate, make_pledge, make_user

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (320, 375)

# For each text node's visible characters, in document order: does it start a line? The
# signs found at the start of a line are returned with the text before and after them.
LINE_STARTS = """
() => {
  const signs = new Set([":", ";", "!", "?", "»"]);
  const found = [];
  const range = document.createRange();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let previous = null;
  let before = "";
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest("script, style, noscript, template")) continue;
    if (getComputedStyle(parent).visibility !== "visible") continue;
    const text = node.data;
    for (let i = 0; i < text.length; i++) {
      const char = text[i];
      // Ordinary whitespace collapses or is where a line may break: not measured.
      if (/[ \\t\\n\\r\\f]/.test(char)) { before = (before + " ").slice(-30); continue; }
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      if (!rect || (rect.width === 0 && rect.height === 0)) continue;
      const sameLine = previous
        && rect.top < previous.bottom - 1 && rect.bottom > previous.top + 1
        && rect.left >= previous.left - 1;
      if (previous && !sameLine && signs.has(char)) {
        found.push(before.trimEnd() + " ⏎ " + text.slice(i, i + 20));
      }
      previous = rect;
      before = (before + char).slice(-30);
    }
  }
  return found;
}
"""


def lines_starting_with_a_sign(page, path: str | None = None) -> list[str]:
    if path is not None:
        response = page.goto(page.base_url + path)
        assert response.status in (200, 404), (path, response.status)
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    return page.evaluate(LINE_STARTS)


def test_the_measure_sees_a_sign_wrapped_alone_and_not_one_held_by_a_no_break_space(page):
    box = '<p style="width: 5ch; font: 16px monospace; margin: 0">{}</p>'
    page.set_content(box.format("aaaaa ?") + box.format("bbbbb «\u202fc\u202f»"))
    assert lines_starting_with_a_sign(page) == ["aaaaa ⏎ ?"]
    page.set_content(box.format("aaaaa\u202f?"))
    assert lines_starting_with_a_sign(page) == []


@pytest.fixture
def signatories():
    """Signatories with names and lists as candidates type them: straight apostrophes,
    plain spaces before signs."""
    head = make_candidate(
        user=make_user("dominique@exemple.test"),
        first_name="Dominique",
        last_name="D'Almeida",
        list_name="Saint-Étienne, c'est maintenant !",
        statement="Une ville où chacun trouve sa place : la nôtre. Et demain ?",
    )
    pledge = approve(make_pledge(head, codes=("1.1", "1.2", "2.1")))
    commune = Commune.objects.get(insee_code="75056")
    paris = make_candidate(
        list_name="Paris, et après ?",
        commune=commune,
        secteur=Secteur.objects.get(commune=commune, number=12),
    )
    paris_pledge = approve(make_pledge(paris))
    return [pledge, paris_pledge]


def test_no_line_of_the_public_pages_starts_with_a_sign_on_a_phone(page, signatories):
    pledge, paris = signatories
    paths = [
        "/",
        *(f"/propositions/{p.number}/" for p in Proposal.objects.all()),
        "/regions/84/",
        "/departements/42/",
        "/communes/42218/",
        "/communes/75056/",
        "/communes/01002/",
        pledge.get_absolute_url(),
        paris.get_absolute_url(),
        f"/listes/{pledge.electoral_list_id}/",
        "/recherche/?q=saint etienne",
        "/communes/?q=abergement",
        "/donnees/",
        "/accessibilite/",
        "/mentions-legales/",
        "/donnees-personnelles/",
        "/regles-de-publication/",
        "/verifier/",
        f"/verifier/{pledge.certificates.current().get().reference}/",
        "/compte/connexion/",
        "/compte/inscription/",
        "/page-introuvable/",
    ]
    found = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            starts = lines_starting_with_a_sign(page, path)
            if starts:
                found[f"{path} ({width} px)"] = starts
    assert found == {}


def sign_in(page, user) -> None:
    """The browser carries a session of `user` (the login form has its own tests)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": page.base_url}]
    )


def submit(page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def test_no_line_of_the_signing_journey_starts_with_a_sign_on_a_phone(page):
    candidate = make_candidate(first_name="Alix", last_name="N'Goma")
    found = {}

    def check(name: str, path: str | None = None) -> None:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            if path is not None:
                page.goto(page.base_url + path)
            starts = lines_starting_with_a_sign(page)
            if starts:
                found[f"{name} ({width} px)"] = starts

    sign_in(page, candidate.user)
    check("« Mon espace » before signing", "/mon-espace/")
    check("signing", "/signer/")
    submit(page, "Signer et envoyer")
    assert page.locator(".field__error").count() > 0
    check("signing, with its errors")
    page.get_by_label(re.compile(r"^1\.1 ")).first.check()
    page.locator("input[name=consent_candidacy]").check()
    page.locator("input[name=consent_publication]").check()
    submit(page, "Signer et envoyer")
    assert page.url.endswith("/mon-espace/")
    check("« Mon espace », signed")
    check("« Ma candidature »", "/ma-candidature/")
    sign_in(page, make_user("sam@exemple.test"))
    check("« Ma candidature », new", "/ma-candidature/")
    submit(page, "Continuer vers les engagements")
    assert page.locator(".field__error").count() > 0
    check("« Ma candidature », with its errors")
    assert found == {}
