"""Attribution: a sign-up through a relay's link /r/<code>/ gives the signature its relay;
a sign-up without (the letter's own /l/<code>/, or no link) leaves it empty. Staff see it;
no public page, open data file nor API ever does."""

import json

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.test import Client
from django.urls import reverse

from pledges.models import ElectoralList, Signature
from pledges.relays.links import link_for
from pledges.relays.services import RELAY_LINK_KEY
from pledges.roster.views import OFFICIAL_INVITATION_KEY
from tests.factories import PASSWORD, approve, commitments, make_candidate, make_moderator
from tests.pages import PUBLIC_PAGES, pages_about, pages_about_list
from tests.pledges.relays.conftest import make_relay, official_list_in, page

pytestmark = pytest.mark.django_db

PROFILE = reverse("pledges:profile")
SIGN = reverse("pledges:sign")
SPACE = reverse("pledges:space")
RELAY_NAME = "Entreprises solidaires du Forez"


def profile_data(list_name):
    return {
        "first_name": "Camille",
        "last_name": "Martin",
        "commune_query": "Saint-Étienne (42)",
        "commune": "42218",
        "role": "head_of_list",
        "list_name": list_name,
        "ballot_note": "",
        "political_label": "",
        "website": "",
        "statement": "",
        "phone": "",
    }


def sign_data(*codes):
    return {
        "commitments": [str(c.pk) for c in commitments(*codes)],
        "consent_candidacy": "on",
        "consent_publication": "on",
    }


def sign_up_through(client, path, *, email="tete@exemple.test", list_name):
    """The head's whole journey from a link: sign-up, confirmation, profile, signature."""
    response = client.get(path)
    assert response.status_code == 200
    assert "Votre liste est invitée à signer" in page(response)
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD, "next": path}
    client.post(f"{reverse('account_signup')}?next={path}", data)
    address = EmailAddress.objects.get(email=email)
    response = client.post(
        reverse("account_confirm_email", args=[EmailConfirmationHMAC(address).key])
    )
    assert response["Location"] == path
    assert client.get(path)["Location"] == PROFILE
    response = client.post(PROFILE, profile_data(list_name))
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response["Location"] == SIGN
    response = client.post(SIGN, sign_data("1.1", "2.1"))
    assert response["Location"] == SPACE
    return Signature.objects.get(candidate__user__email=email)


@pytest.fixture
def loire_relay():
    return make_relay(name=RELAY_NAME, departements=["42"])


def test_a_sign_up_through_a_relay_link_is_attributed_to_the_relay(loire_relay):
    official_list = official_list_in("42218", name="Saint-Étienne demain")
    other_relay = make_relay(name="Autre relais", communes=["42218"])
    link = link_for(loire_relay, official_list)
    link_for(other_relay, official_list)  # another relay's link to the same list: not followed
    client = Client()
    path = reverse("pledges:relay_link", args=[link.code])
    assert path == f"/r/{link.code}/"
    signature = sign_up_through(client, path, list_name="Saint-Étienne demain")
    assert signature.relay == loire_relay
    # Exactly as the letter's link: the list is tied to the official list.
    assert ElectoralList.objects.get().official_list == official_list
    assert RELAY_LINK_KEY not in client.session
    assert OFFICIAL_INVITATION_KEY not in client.session


def test_a_sign_up_through_the_letter_short_link_is_not_attributed(loire_relay):
    official_list = official_list_in("42218", name="Saint-Étienne demain")
    link_for(loire_relay, official_list)
    client = Client()
    path = reverse("pledges:roster_invitation", args=[official_list.invitation_code])
    signature = sign_up_through(client, path, list_name="Saint-Étienne demain")
    assert signature.relay is None
    assert ElectoralList.objects.get().official_list == official_list


def test_a_signature_without_any_link_has_no_relay(loire_relay):
    official_list_in("42218", name="Saint-Étienne demain")
    candidate = make_candidate(list_name="Saint-Étienne demain")
    client = Client()
    client.force_login(candidate.user)
    assert client.post(SIGN, sign_data("1.1"))["Location"] == SPACE
    assert Signature.objects.get(candidate=candidate).relay is None


def test_a_relay_link_then_another_list_letter_is_not_attributed(loire_relay):
    followed = official_list_in("42218", name="Saint-Étienne demain")
    other = official_list_in("42218", name="Une autre liste")
    candidate = make_candidate(list_name="Une autre liste")
    client = Client()
    client.force_login(candidate.user)
    client.get(reverse("pledges:relay_link", args=[link_for(loire_relay, followed).code]))
    assert client.session[RELAY_LINK_KEY]
    # Then the other list's own letter: the signature is that list's, not the relay's.
    client.get(reverse("pledges:roster_invitation", args=[other.invitation_code]))
    client.post(SIGN, sign_data("1.1"))
    signature = Signature.objects.select_related("electoral_list").get(candidate=candidate)
    assert signature.electoral_list.official_list == other
    assert signature.relay is None


def test_an_inactive_relay_link_still_leads_to_the_list_but_attributes_nothing(loire_relay):
    official_list = official_list_in("42218", name="Saint-Étienne demain")
    link = link_for(loire_relay, official_list)
    loire_relay.is_active = False
    loire_relay.save()
    client = Client()
    path = reverse("pledges:relay_link", args=[link.code])
    signature = sign_up_through(client, path, list_name="Saint-Étienne demain")
    assert signature.relay is None
    assert ElectoralList.objects.get().official_list == official_list


@pytest.mark.parametrize("code", ["zzzzzzzz", "a", "x" * 40])
def test_an_unknown_relay_code_is_the_french_404(client, code):
    response = client.get(f"/r/{code}/")
    assert response.status_code == 404
    assert "Ce lien d’invitation est inconnu" in page(response)
    assert RELAY_LINK_KEY not in client.session


def test_a_code_in_capitals_is_found(client, loire_relay):
    link = link_for(loire_relay, official_list_in("42218", name="Saint-Étienne demain"))
    response = client.get(f"/r/{link.code.upper()}/")
    assert response.status_code == 200
    assert client.session[RELAY_LINK_KEY] == link.code


# ---------------------------------------------------------------- staff only, never public


def attributed_signature(relay):
    official_list = official_list_in("42218", name="Saint-Étienne demain")
    client = Client()
    path = reverse("pledges:relay_link", args=[link_for(relay, official_list).code])
    signature = sign_up_through(client, path, list_name="Saint-Étienne demain")
    return approve(signature)


def test_staff_see_the_relay_on_the_signature_page_read_only(client, loire_relay):
    signature = attributed_signature(loire_relay)
    client.force_login(make_moderator())
    content = page(client.get(reverse("admin:pledges_signature_change", args=[signature.pk])))
    assert "venue par le relais" in content.lower()
    assert RELAY_NAME in content
    assert 'name="relay"' not in content  # read only


def test_the_relay_admin_lists_the_signatures_its_links_brought(superuser_client, loire_relay):
    signature = attributed_signature(loire_relay)
    content = page(
        superuser_client.get(reverse("admin:pledges_relay_change", args=[loire_relay.pk]))
    )
    assert "1 signature venue par ses liens" in content
    assert reverse("admin:pledges_signature_change", args=[signature.pk]) in content


def body_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")


def test_no_public_page_file_or_api_shows_the_relay(loire_relay):
    signature = attributed_signature(loire_relay)
    paths = [
        *PUBLIC_PAGES,
        *pages_about(signature, "Saint-Étienne demain"),
        *pages_about_list(signature.electoral_list),
        reverse("pledges:open_data_roster_csv"),
        reverse("pledges:verify", args=[signature.certificates.current().get().reference]),
    ]
    anonymous = Client()
    checked = 0
    for path in dict.fromkeys(paths):
        response = anonymous.get(path)
        assert response.status_code == 200, path
        body = body_of(response)
        assert RELAY_NAME not in body.replace("\u202f", " "), path
        checked += 1
    assert checked > 30
    # The open data's files name no relay column either.
    assert "relay" not in body_of(anonymous.get(reverse("pledges:open_data_json")))
    assert "relais" not in body_of(anonymous.get(reverse("pledges:open_data_csv"))).lower()
    signatory = json.loads(body_of(anonymous.get(reverse("pledges:open_data_json"))))
    assert signatory and "relay" not in json.dumps(signatory)
