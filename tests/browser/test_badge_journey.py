"""The badge in a real browser: once staff approve a list's signature, its head copies the
badge's snippets from « Mon espace » into a page of another site (another origin on
127.0.0.1, served by http.server), where the badge shows, links to the certificate's
verification page, and the iframe widget loads too."""

import functools
import http.server
import re
import threading

import pytest

from pledges.models import Certificate
from tests.browser.test_content_security_policy import sign_in
from tests.factories import approve, make_candidate, make_pledge

pytestmark = pytest.mark.django_db(transaction=True)
expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def other_site(tmp_path):
    """A site of someone else's, on another port: whatever HTML is written to its folder."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.func.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def copied(page, field: str, button: str) -> str:
    """Click a copy button of « Mon espace » and read back what the clipboard holds."""
    page.get_by_role("button", name=button).click()
    expect(page.locator(f'[data-copy-status="{field}"]')).to_have_text("Code copié.")
    text = page.evaluate("navigator.clipboard.readText()")
    assert text == page.locator(f"#{field}").input_value()
    return text


def test_a_head_pastes_the_badge_on_another_site_where_it_shows_and_proves_itself(
    page, live_server, settings, other_site, screenshot
):
    settings.SITE_URL = live_server.url  # the snippets' absolute addresses
    head = make_candidate(
        first_name="Camille", last_name="Durand", list_name="Saint-Étienne demain"
    )
    pledge = make_pledge(head)
    sign_in(page, head.user)
    page.goto(f"{live_server.url}/mon-espace/")
    expect(page.locator("#badge-image")).to_have_count(0)  # not before approval

    approve(pledge)
    reference = Certificate.objects.current().get(pledge=pledge).reference
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.reload()
    page.get_by_role("heading", name="Votre badge à afficher sur votre site").wait_for()
    img_snippet = copied(page, "badge-image", "Copier le code de l’image")
    iframe_snippet = copied(page, "badge-iframe", "Copier le code du cadre")
    assert f"{live_server.url}/badges/{reference}.svg" in img_snippet
    assert f"{live_server.url}/badges/{reference}/widget/" in iframe_snippet

    folder, origin = other_site
    (folder / "index.html").write_text(
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
        "<title>Le site de Camille Durand</title></head><body>"
        f"<h1>Camille Durand, candidate</h1><p>{img_snippet}</p><p>{iframe_snippet}</p>"
        "</body></html>",
        encoding="utf-8",
    )
    page.goto(f"{origin}/")

    badge = page.locator("body > p > a > img")
    expect(badge).to_have_attribute("src", f"{live_server.url}/badges/{reference}.svg")
    page.wait_for_function("document.querySelector('body > p > a > img').naturalWidth > 0")
    assert page.locator("body > p > a").get_attribute("href") == (
        f"{live_server.url}/verifier/{reference}/"
    )

    widget = page.frame_locator("iframe")
    widget_badge = widget.locator("a > img")
    expect(widget_badge).to_have_attribute("alt", re.compile("^A signé les engagements"))
    widget_badge.evaluate("img => img.decode()")
    assert widget_badge.evaluate("img => img.naturalWidth") == 340
    widget_link = widget.locator("a")
    expect(widget_link).to_have_attribute("href", f"/verifier/{reference}/")
    expect(widget_link).to_have_attribute("target", "_blank")
    expect(widget_link).to_have_attribute("rel", "noopener")
    screenshot("badge-on-another-site")

    # The badge proves itself: its link opens the verification page, which says it holds.
    page.locator("body > p > a").click()
    page.wait_for_url(f"{live_server.url}/verifier/{reference}/")
    expect(page.get_by_text("Attestation valide et à jour")).to_be_visible()
