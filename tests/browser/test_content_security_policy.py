"""The Content-Security-Policy in a real browser: it blocks nothing that the pages use.

Every page is watched for `securitypolicyviolation` events, which the browser fires for
each script, style, font, image or request that the policy refuses.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.bulk import make_signatory
from tests.factories import make_candidate, make_moderator, make_pledge, make_user

pytestmark = pytest.mark.django_db(transaction=True)

WATCH = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(
    `${event.violatedDirective} ${event.blockedURI} (${event.sourceFile}:${event.lineNumber})`
  );
});
"""


@pytest.fixture
def watched(page):
    page.add_init_script(WATCH)
    return page


def directives(header: str) -> dict[str, list[str]]:
    """A Content-Security-Policy as {directive: sources}: django-csp's order varies by hash seed."""
    parsed = {}
    for part in header.split(";"):
        if part.strip():
            name, *sources = part.split()
            parsed[name] = sources
    return parsed


def visit(page, path: str) -> None:
    response = page.goto(page.base_url + path)
    assert response.ok, path
    policy = directives(response.headers["content-security-policy"])
    assert policy["script-src"] == ["'self'"], path
    assert policy["style-src"] == ["'self'"], path


def violations(page) -> list[str]:
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.cspViolations")


def sign_in(page, user) -> None:
    """Hand the browser a session opened by Django's test client."""
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": page.base_url}])


def test_the_directives_are_read_whatever_their_order():
    one = "default-src 'self'; script-src 'self'; img-src 'self' data:"
    other = "img-src 'self' data:; script-src 'self'; default-src 'self'"
    assert directives(one) == directives(other)
    assert directives(one)["img-src"] == ["'self'", "data:"]


def test_the_watch_sees_what_the_policy_blocks(watched):
    visit(watched, "/mentions-legales/")
    assert violations(watched) == []
    watched.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">injecté</p>')"
    )
    watched.wait_for_function("window.cspViolations.length > 0")
    assert violations(watched)[0].startswith("style-src-attr inline")


def test_the_public_pages_load_everything_they_need(watched):
    make_signatory()
    for path in [
        "/",
        "/communes/42218/",
        "/recherche/?q=saint",
        "/compte/connexion/",
        "/admin/login/",
    ]:
        visit(watched, path)
        assert violations(watched) == [], path


def test_the_commune_autocomplete_and_tout_cocher_work_under_the_policy(watched):
    user = make_user()
    make_candidate(user=user)
    sign_in(watched, user)

    visit(watched, "/ma-candidature/")
    commune = watched.get_by_role("combobox", name=re.compile("Commune où vous êtes candidat"))
    commune.fill("")
    commune.press_sequentially("saint etien", delay=30)
    watched.get_by_role("option", name=re.compile("^Saint-Étienne Loire")).click()
    assert commune.input_value() == "Saint-Étienne (42)"
    assert violations(watched) == []

    visit(watched, "/signer/")
    watched.get_by_role("button", name="Tout cocher (proposition #2)").click()
    assert violations(watched) == []


def test_the_moderation_screens_load_everything_they_need(watched):
    pledge = make_pledge()
    sign_in(watched, make_moderator())
    for path in [
        reverse("admin:pledges_signature_dashboard"),
        reverse("admin:pledges_signature_changelist"),
        reverse("admin:pledges_signature_change", args=[pledge.pk]),
    ]:
        visit(watched, path)
        assert violations(watched) == [], path
    # The decision panel is styled by static/css/admin.css, which the policy allows.
    border = watched.locator(".decision-panel:not(.roster-match)").evaluate(
        "e => getComputedStyle(e).borderTopWidth"
    )
    assert border == "2px"
