"""The badge that proves itself (pledges/directory/badges.py): its states, its headers."""

import xml.etree.ElementTree as ET

import pytest
from django.conf import settings

from pledges.models import Certificate
from pledges.moderation.services import unpublish_pledge
from pledges.signing.services import withdraw_pledge
from tests.factories import a_moderator, make_candidate, make_pledge

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def reference_of(pledge) -> str:
    return Certificate.objects.current().get(pledge=pledge).reference


def badge_text(response) -> str:
    """The badge's visible text, read from the SVG as an XML parser reads it."""
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == f"{SVG}svg"
    assert (root.get("width"), root.get("height")) == ("340", "56")
    return " ".join(text.text for text in root.iter(f"{SVG}text"))


@pytest.fixture
def approved():
    return make_pledge(make_candidate(first_name="Léa", last_name="Dupré"), status="approved")


def test_an_approved_signature_s_badge_says_it_signed(client, approved):
    response = client.get(f"/badges/{reference_of(approved)}.svg")
    assert response.status_code == 200
    assert badge_text(response) == "A signé les engagements Coorace #Municipales2020 — vérifier"


def test_the_badge_follows_a_withdrawal(client, approved):
    reference = reference_of(approved)
    withdraw_pledge(pledge=approved)
    response = client.get(f"/badges/{reference}.svg")
    assert response.status_code == 200
    assert badge_text(response) == "Signature retirée Coorace #Municipales2020 — vérifier"


def test_an_unpublished_signature_s_badge_says_so_and_names_nobody(client, approved):
    reference = reference_of(approved)
    unpublish_pledge(pledge=approved, moderator=a_moderator(), reason="Liste non déposée.")
    response = client.get(f"/badges/{reference}.svg")
    assert response.status_code == 200
    assert badge_text(response) == "Signature non publiée Coorace #Municipales2020"
    content = response.content.decode()
    assert "Dupré" not in content and "Léa" not in content and "Saint-Étienne" not in content


def test_an_unknown_reference_is_a_404_that_still_draws(client):
    response = client.get("/badges/CRC-0000-0000.svg")
    assert response.status_code == 404
    assert badge_text(response) == "Attestation inconnue Coorace #Municipales2020"
    assert client.get("/badges/pas-une-reference.svg").status_code == 404
    assert client.get("/badges/CRC-0000-0000/widget/").status_code == 404
    assert client.get("/badges/n-importe-quoi/widget/").status_code == 404


def test_a_reference_typed_loosely_redirects_to_its_canonical_badge(client, approved):
    reference = reference_of(approved)
    response = client.get(f"/badges/{reference.lower()}.svg")
    assert response.status_code == 302
    assert response["Location"] == f"/badges/{reference}.svg"


def test_the_widget_links_the_badge_to_the_verification_page_in_a_new_tab(client, approved):
    reference = reference_of(approved)
    response = client.get(f"/badges/{reference}/widget/")
    assert response.status_code == 200
    content = response.content.decode()
    assert f'<a href="/verifier/{reference}/" target="_blank" rel="noopener">' in content
    assert f'<img src="/badges/{reference}.svg" width="340" height="56"' in content
    assert "Dupré" not in content


# ------------------------------------------------------------------ headers


def directives(response) -> dict[str, list[str]]:
    parsed = {}
    for part in response["Content-Security-Policy"].split(";"):
        if part.strip():
            name, *sources = part.split()
            parsed[name] = sources
    return parsed


@pytest.mark.parametrize("suffix", [".svg", "/widget/"])
def test_only_the_badge_and_its_widget_may_be_framed_by_other_sites(client, approved, suffix):
    response = client.get(f"/badges/{reference_of(approved)}{suffix}")
    assert "X-Frame-Options" not in response
    policy = directives(response)
    assert policy["frame-ancestors"] == ["*"]
    # The rest of the policy stays: scripts and styles from the site alone.
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]


@pytest.mark.parametrize(
    "path",
    ["/", "/verifier/", "/partager/mastodon/", "/mentions-legales/", "signatory", "certificate"],
)
def test_every_other_page_keeps_framing_denied(client, approved, path):
    path = {
        "signatory": approved.get_absolute_url(),
        "certificate": f"/verifier/{reference_of(approved)}/",
    }.get(path, path)
    response = client.get(path)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert directives(response)["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize("suffix", [".svg", "/widget/"])
def test_the_badge_is_cached_like_a_public_page_and_sets_no_cookie(client, approved, suffix):
    response = client.get(f"/badges/{reference_of(approved)}{suffix}")
    assert response["Cache-Control"] == f"public, max-age={settings.PUBLIC_CACHE_MAX_AGE}"
    assert "Cookie" in response["Vary"]
    assert not response.cookies


def test_mon_espace_offers_the_snippets_once_approved(client, settings):
    settings.SITE_URL = "https://engagements.coorace.org"
    pledge = make_pledge()
    client.force_login(pledge.candidate.user)
    assert "badge-image" not in client.get("/mon-espace/").content.decode()
    from tests.factories import approve

    approve(pledge)
    content = client.get("/mon-espace/").content.decode()
    reference = reference_of(pledge)
    site = "https://engagements.coorace.org"
    img = (
        f"&lt;a href=&quot;{site}/verifier/{reference}/&quot;&gt;&lt;img src=&quot;"
        f"{site}/badges/{reference}.svg&quot; width=&quot;340&quot; height=&quot;56&quot; "
        "alt=&quot;A signé les engagements Coorace #Municipales2020 — vérifier&quot;&gt;&lt;/a&gt;"
    )
    iframe = (
        f"&lt;iframe src=&quot;{site}/badges/{reference}/widget/&quot; width=&quot;340&quot; "
        "height=&quot;56&quot;"
    )
    assert f'<textarea id="badge-image" rows="3" readonly>{img}</textarea>' in content
    assert iframe in content
    assert 'data-copy="badge-image"' in content and 'data-copy="badge-iframe"' in content
