"""Accounts with django-allauth: in French, inside the site's layout, verified e-mail."""

import re

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

SIGNUP = reverse("account_signup")
LOGIN = reverse("account_login")
RESET = reverse("account_reset_password")


def page(response):
    return response.content.decode()


def link_in(email) -> str:
    return re.search(r"https?://[^\s]+", email.body).group(0)


def test_signup_sends_a_verification_link_that_logs_in_to_mon_espace(client, mailoutbox):
    response = client.post(
        SIGNUP,
        {"email": "nouveau@exemple.test", "password1": PASSWORD, "password2": PASSWORD},
        follow=True,
    )
    assert "Vérifiez votre adresse électronique" in page(response)
    (email,) = mailoutbox
    assert email.to == ["nouveau@exemple.test"]
    assert email.subject.startswith("[Coorace #Municipales2020] ")
    # Not signed in until the address is confirmed.
    assert client.get(reverse("pledges:space")).status_code == 302
    confirm = link_in(email).split("://", 1)[1].split("/", 1)[1]
    response = client.post("/" + confirm, follow=True)
    assert response.redirect_chain[-1][0] == reverse("pledges:space")
    assert "Étape 1\u202f: votre candidature" in page(response)


def test_account_pages_are_in_french_inside_the_site_layout(client):
    for url in (SIGNUP, LOGIN, RESET):
        content = page(client.get(url))
        assert '<html lang="fr">' in content
        assert 'id="contenu"' in content
        assert "Mentions légales" in content
    assert "Créer mon compte" in page(client.get(SIGNUP))
    assert "Mot de passe oublié" in page(client.get(LOGIN))


def test_a_wrong_password_gets_a_french_message(client):
    make_user("lea@exemple.test")
    response = client.post(LOGIN, {"login": "lea@exemple.test", "password": "faux"})
    assert "L’adresse électronique ou le mot de passe sont incorrects." in page(response)


def test_password_reset_does_not_reveal_whether_an_account_exists(client, mailoutbox):
    make_user("lea@exemple.test")
    known = client.post(RESET, {"email": "lea@exemple.test"}, follow=True)
    unknown = client.post(RESET, {"email": "personne@exemple.test"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert page(known) == page(unknown).replace("personne@exemple.test", "lea@exemple.test")
    assert len(mailoutbox) == 2  # the unknown address is told it has no account


def test_signing_up_with_a_taken_address_does_not_reveal_it(client, mailoutbox):
    make_user("lea@exemple.test")
    response = client.post(
        SIGNUP,
        {"email": "lea@exemple.test", "password1": PASSWORD, "password2": PASSWORD},
        follow=True,
    )
    assert "Vérifiez votre adresse électronique" in page(response)
    assert mailoutbox[0].to == ["lea@exemple.test"]  # the owner is warned, nobody else learns


def test_repeated_failed_logins_are_rate_limited(client):
    make_user("lea@exemple.test")
    for _ in range(5):
        client.post(LOGIN, {"login": "lea@exemple.test", "password": "faux"})
    response = client.post(LOGIN, {"login": "lea@exemple.test", "password": PASSWORD})
    assert "Trop de tentatives de connexion échouées. Veuillez réessayer ultérieurement." in page(
        response
    )
    assert "_auth_user_id" not in client.session
