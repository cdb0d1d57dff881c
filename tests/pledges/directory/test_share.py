"""Share links (pledges/directory/share.py): their addresses, where they show, Mastodon."""

import html
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.conf import settings

from candidates.models import Candidate
from pledges.directory.share import normalize_instance, share_links
from pledges.models import Signature
from tests.factories import approve, make_candidate, make_pledge
from tests.pledges.directory.lists_data import make_list

pytestmark = pytest.mark.django_db

URL = "https://engagements.coorace.org/listes/12/"
TEXT = "Notre liste « Saint-Étienne & vous » a signé"
# The text as shared: French typography (U+202F inside the guillemets), percent-encoded.
TEXT_SENT = (
    "Notre%20liste%20%C2%AB%E2%80%AFSaint-%C3%89tienne%20%26%20vous%E2%80%AF%C2%BB%20a%20sign%C3%A9"
)
URL_SENT = "https%3A%2F%2Fengagements.coorace.org%2Flistes%2F12%2F"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://engagements.coorace.org"


def test_each_network_gets_its_own_share_address_with_the_text_and_the_link_encoded():
    links = {link.name: link.url for link in share_links(URL, TEXT)}
    assert links == {
        "facebook": f"https://www.facebook.com/sharer/sharer.php?u={URL_SENT}",
        "x": f"https://twitter.com/intent/tweet?text={TEXT_SENT}&url={URL_SENT}",
        "linkedin": f"https://www.linkedin.com/sharing/share-offsite/?url={URL_SENT}",
        "mastodon": (
            f"https://engagements.coorace.org/partager/mastodon/?url={URL_SENT}&text={TEXT_SENT}"
        ),
        "whatsapp": f"https://wa.me/?text={TEXT_SENT}%20{URL_SENT}",
        "email": f"mailto:?subject={TEXT_SENT}&body={TEXT_SENT}%20{URL_SENT}",
    }


def test_the_encoded_text_reads_back_whole():
    (x,) = [link for link in share_links(URL, TEXT) if link.name == "x"]
    query = parse_qs(urlsplit(x.url).query)
    assert query == {
        "text": ["Notre liste «\u202fSaint-Étienne & vous\u202f» a signé"],
        "url": [URL],
    }


def share_hrefs(content: str) -> set[str]:
    """The addresses of the page's share links, as a browser reads them."""
    section = content.split('<section class="share"', 1)[1].split("</section>", 1)[0]
    return {html.unescape(part.split('"', 1)[0]) for part in section.split('href="')[1:]}


def expected_hrefs(url: str, text: str) -> set[str]:
    return {link.url for link in share_links(url, text) if link.name != "mastodon"}


def test_a_signatory_page_offers_the_links_to_its_own_address(client):
    pledge = make_pledge(make_candidate(first_name="Léa", last_name="Dupré"), status="approved")
    content = client.get(f"/signataires/{pledge.pk}/").content.decode()
    url = f"https://engagements.coorace.org/signataires/{pledge.pk}/"
    text = "Léa Dupré a signé 2 engagements de la campagne #Municipales2020 de Coorace."
    assert share_hrefs(content) == expected_hrefs(url, text)
    # « Copier le lien »: without JavaScript, a readonly field holding the address.
    assert f'<input type="url" id="lien-a-partager" value="{url}" readonly>' in content
    assert 'data-copy="lien-a-partager"' in content
    # Mastodon: a form to this site's route, which asks for the instance.
    assert '<form method="get" action="/partager/mastodon/"' in content
    assert f'<input type="hidden" name="url" value="{url}">' in content
    # Nothing from another site is loaded: only our own script.
    assert "/static/js/share.js" in content
    assert '<script src="http' not in content and "<iframe" not in content


def test_a_list_page_offers_the_links_to_the_list(client):
    electoral_list = make_list("Saint-Étienne en commun")
    content = client.get(f"/listes/{electoral_list.pk}/").content.decode()
    url = f"https://engagements.coorace.org/listes/{electoral_list.pk}/"
    hrefs = share_hrefs(content)
    text = (
        f"La liste « Saint-Étienne en commun », conduite par {electoral_list.head.full_name}, "
        "a signé 2 engagements de la campagne #Municipales2020 de Coorace."
    )
    assert hrefs == expected_hrefs(url, text)
    assert f"https://www.facebook.com/sharer/sharer.php?u={quote(url, safe='')}" in hrefs
    assert len(hrefs) == 5  # Facebook, X, LinkedIn, WhatsApp, e-mail (Mastodon is a form)


def test_a_page_not_yet_public_offers_nothing_to_share(client):
    pledge = make_pledge()
    client.force_login(pledge.candidate.user)
    content = client.get(f"/signataires/{pledge.pk}/").content.decode()
    assert "Cette page n’est pas publique" in content
    assert '<section class="share"' not in content


def test_mon_espace_offers_the_links_once_the_signature_is_approved(client):
    candidate = make_candidate(role=Candidate.Role.INDIVIDUAL, list_name="")
    pledge = make_pledge(candidate)
    client.force_login(candidate.user)
    assert '<section class="share"' not in client.get("/mon-espace/").content.decode()
    approve(pledge)
    content = client.get("/mon-espace/").content.decode()
    url = f"https://engagements.coorace.org/signataires/{pledge.pk}/"
    text = "J’ai signé les engagements Coorace #Municipales2020 pour des territoires inclusifs."
    assert share_hrefs(content) == expected_hrefs(url, text)


def test_a_head_shares_the_list_page_from_mon_espace(client):
    electoral_list = make_list("Saint-Étienne en commun")
    client.force_login(electoral_list.head.user)
    content = client.get("/mon-espace/").content.decode()
    url = f"https://engagements.coorace.org/listes/{electoral_list.pk}/"
    text = (
        "Notre liste « Saint-Étienne en commun » a signé les engagements Coorace "
        "#Municipales2020 pour des territoires inclusifs."
    )
    assert share_hrefs(content) == expected_hrefs(url, text)


def test_the_approval_email_carries_the_links_in_text_and_html(mailoutbox):
    pledge = make_pledge(make_candidate(role=Candidate.Role.INDIVIDUAL, list_name=""))
    mailoutbox.clear()
    approve(pledge)
    (message,) = mailoutbox
    assert message.subject == "Votre signature est validée et publiée"
    url = f"https://engagements.coorace.org/signataires/{pledge.pk}/"
    text = "J’ai signé les engagements Coorace #Municipales2020 pour des territoires inclusifs."
    links = share_links(url, text)
    assert "Faites-le savoir, en un clic\u202f:" in message.body
    html_body = html.unescape(message.alternatives[0][0])
    for link in links:
        assert f'<a href="{link.url}"' in html_body
        # The text version leaves out the mailto: link (its typography would break « mailto: »).
        if link.name != "email":
            assert f"- {link.label}\u202f: {link.url}\n" in message.body
    assert "mailto" not in message.body


def test_the_other_decisions_carry_no_share_link(mailoutbox):
    make_pledge(status=Signature.Status.REJECTED)
    assert mailoutbox
    assert all("facebook.com" not in message.body for message in mailoutbox)


# ------------------------------------------------------------------ the Mastodon route


@pytest.mark.parametrize(
    ("typed", "host"),
    [
        ("mastodon.social", "mastodon.social"),
        ("  Mastodon.Social  ", "mastodon.social"),
        ("https://piaille.fr/", "piaille.fr"),
        ("https://piaille.fr/@moi", "piaille.fr"),
        ("@moi@mamot.fr", "mamot.fr"),
        ("réseau.example", "xn--rseau-bsa.example"),
    ],
)
def test_an_instance_is_read_as_people_type_it(typed, host):
    assert normalize_instance(typed) == host


@pytest.mark.parametrize(
    "typed", ["", "localhost", "pas une instance", "1.2.3.4", "evil.com:8080", "-a.fr", "a..fr"]
)
def test_what_is_not_a_host_name_is_refused(typed):
    assert normalize_instance(typed) is None


def mastodon(client, **query):
    return client.get("/partager/mastodon/", query)


def test_the_route_asks_for_the_instance_first(client):
    url = "https://engagements.coorace.org/listes/12/"
    response = mastodon(client, url=url, text="Notre liste a signé")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Votre instance Mastodon" in content
    assert f'<input type="hidden" name="url" value="{url}">' in content
    assert not response.cookies
    assert response["Cache-Control"] == f"public, max-age={settings.PUBLIC_CACHE_MAX_AGE}"


def test_the_route_redirects_to_the_instance_share_page(client):
    url = "https://engagements.coorace.org/listes/12/"
    response = mastodon(client, url=url, text="Notre liste a signé", instance="https://Piaille.fr/")
    assert response.status_code == 302
    assert response["Location"] == (
        "https://piaille.fr/share?text=Notre%20liste%20a%20sign%C3%A9%20"
        "https%3A%2F%2Fengagements.coorace.org%2Flistes%2F12%2F"
    )
    assert not response.cookies


def test_a_bad_instance_gets_a_french_message(client):
    response = mastodon(
        client, url="https://engagements.coorace.org/", text="", instance="pas une instance"
    )
    assert response.status_code == 400
    assert (
        "«\u202fpas une instance\u202f» n’est pas le nom d’une instance Mastodon\u202f: "
        "écrivez son adresse, par exemple «\u202fmastodon.social\u202f»."
    ) in response.content.decode()
    assert 'value="pas une instance"' in response.content.decode()


def test_the_route_shares_pages_of_this_site_only(client):
    response = mastodon(client, url="https://ailleurs.example/", instance="mastodon.social")
    assert response.status_code == 400
    assert "Ce lien ne mène pas à une page du site" in response.content.decode()
    assert "Location" not in response


def test_the_bare_route_shares_the_home_page(client):
    response = mastodon(client)
    assert response.status_code == 200
    assert 'name="url" value="https://engagements.coorace.org/"' in response.content.decode()
