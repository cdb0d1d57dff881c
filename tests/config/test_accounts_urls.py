"""config/accounts_urls.py: allauth's pages under French paths, with allauth's names, and
its English paths redirecting permanently to them."""

import pytest
from django.urls import resolve, reverse

from tests.factories import make_user

FRENCH_PATHS = {
    "account_login": "/compte/connexion/",
    "account_logout": "/compte/deconnexion/",
    "account_signup": "/compte/inscription/",
    "account_inactive": "/compte/inactif/",
    "account_reauthenticate": "/compte/reauthentification/",
    "account_request_reauthentication_code": "/compte/reauthentification/code/",
    "account_confirm_reauthentication_code": "/compte/reauthentification/code/confirmer/",
    "account_email": "/compte/adresses/",
    "account_email_verification_sent": "/compte/confirmer-email/",
    "account_change_password": "/compte/mot-de-passe/modifier/",
    "account_set_password": "/compte/mot-de-passe/definir/",
    "account_reset_password": "/compte/mot-de-passe/oubli/",
    "account_reset_password_done": "/compte/mot-de-passe/oubli/envoye/",
    "account_reset_password_from_key_done": "/compte/mot-de-passe/oubli/termine/",
}

# allauth's English path → the French one, for paths with keys too.
MOVED = {
    "/compte/login/": "/compte/connexion/",
    "/compte/logout/": "/compte/deconnexion/",
    "/compte/signup/": "/compte/inscription/",
    "/compte/inactive/": "/compte/inactif/",
    "/compte/reauthenticate/": "/compte/reauthentification/",
    "/compte/reauthenticate/code/": "/compte/reauthentification/code/",
    "/compte/reauthenticate/code/confirm/": "/compte/reauthentification/code/confirmer/",
    "/compte/email/": "/compte/adresses/",
    "/compte/confirm-email/": "/compte/confirmer-email/",
    "/compte/confirm-email/MTI:1abc:xyz-_/": "/compte/confirmer-email/MTI:1abc:xyz-_/",
    "/compte/password/change/": "/compte/mot-de-passe/modifier/",
    "/compte/password/set/": "/compte/mot-de-passe/definir/",
    "/compte/password/reset/": "/compte/mot-de-passe/oubli/",
    "/compte/password/reset/done/": "/compte/mot-de-passe/oubli/envoye/",
    "/compte/password/reset/key/done/": "/compte/mot-de-passe/oubli/termine/",
    "/compte/password/reset/key/4-abc-123def/": "/compte/mot-de-passe/oubli/cle/4-abc-123def/",
}


@pytest.mark.parametrize(("name", "path"), FRENCH_PATHS.items())
def test_allauths_names_give_the_french_paths(name, path):
    assert reverse(name) == path
    assert resolve(path).url_name == name


def test_the_keys_of_links_sent_by_e_mail_fit_the_french_paths():
    assert reverse("account_confirm_email", args=["MTI:1abc:x-y_z"]) == (
        "/compte/confirmer-email/MTI:1abc:x-y_z/"
    )
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": "4", "key": "abc-12"})
    assert path == "/compte/mot-de-passe/oubli/cle/4-abc-12/"
    assert resolve(path).url_name == "account_reset_password_from_key"


@pytest.mark.django_db
@pytest.mark.parametrize(("old", "new"), MOVED.items())
def test_the_english_paths_redirect_permanently_to_the_french_ones(client, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new


@pytest.mark.django_db
def test_the_redirect_keeps_the_query_string(client):
    response = client.get("/compte/login/?next=/signer/")
    assert response.status_code == 301
    assert response["Location"] == "/compte/connexion/?next=/signer/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/compte/connexion/", "/compte/inscription/", "/compte/mot-de-passe/oubli/"]
)
def test_the_french_paths_answer_an_anonymous_visitor(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_the_signing_page_sends_an_anonymous_visitor_to_the_french_login(client):
    response = client.get(reverse("pledges:sign"))
    assert response.status_code == 302
    assert response["Location"] == "/compte/connexion/?next=/signer/"


@pytest.mark.django_db
def test_a_signed_in_candidate_reaches_the_e_mail_page_at_its_french_path(client):
    client.force_login(make_user("camille@exemple.test"))
    response = client.get("/compte/adresses/")
    assert response.status_code == 200
    assert "camille@exemple.test" in response.content.decode()
