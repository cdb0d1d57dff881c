"""templates/404.html, 403.html and 400.html: in production (DEBUG=False), a visitor who
meets an error reads it in French, in the site's layout, with a way on."""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import override_settings
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns
from tests.factories import make_user


def refused(request):
    raise PermissionDenied


def suspicious(request):
    raise SuspiciousOperation("a tampered request")


urlpatterns = [
    path("essai/refuse/", refused),
    path("essai/suspect/", suspicious),
    *site_urlpatterns,
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

ENGLISH = ["Not Found", "Forbidden", "Bad Request", "requested resource", "server"]


def page(response) -> str:
    return response.content.decode()


def assert_in_the_sites_layout(content: str) -> None:
    assert '<html lang="fr">' in content
    assert 'href="#contenu"' in content  # base.html's skip link
    assert "Mentions légales" in content  # and its footer
    assert 'action="/communes/"' in content  # a commune search
    assert 'href="/"' in content
    for words in ENGLISH:
        assert words not in content


@override_settings(DEBUG=False)
def test_a_page_that_does_not_exist_says_so_in_french(client):
    response = client.get("/une-page-qui-n-existe-pas/")
    assert response.status_code == 404
    content = page(response)
    assert "Cette page est introuvable" in content
    assert "<title>Page introuvable · Coorace #Municipales2020</title>" in content
    assert_in_the_sites_layout(content)


@override_settings(DEBUG=False)
def test_a_missing_commune_is_the_same_french_page(client):
    response = client.get("/communes/99999/")
    assert response.status_code == 404
    assert "Cette page est introuvable" in page(response)


@override_settings(DEBUG=False)
def test_a_refused_page_says_so_in_french_and_offers_to_sign_in(client):
    response = client.get("/essai/refuse/")
    assert response.status_code == 403
    content = page(response)
    assert "Vous n’avez pas accès à cette page" in content
    assert 'href="/compte/connexion/"' in content
    assert_in_the_sites_layout(content)


@override_settings(DEBUG=False)
def test_a_signed_in_visitor_refused_a_page_is_sent_to_their_space(client):
    client.force_login(make_user("camille@exemple.test"))
    content = page(client.get("/essai/refuse/"))
    assert "Vous êtes connecté·e avec un compte qui n’y a pas accès." in content
    assert 'href="/mon-espace/"' in content


@override_settings(DEBUG=False)
def test_a_suspicious_request_is_a_french_bad_request_page(client):
    response = client.get("/essai/suspect/")
    assert response.status_code == 400
    content = page(response)
    assert "Cette demande n’a pas pu être traitée" in content
    assert_in_the_sites_layout(content)


@override_settings(DEBUG=False, ALLOWED_HOSTS=["engagements.coorace.test"])
def test_an_unknown_host_gets_the_french_bad_request_page(client):
    response = client.get("/", HTTP_HOST="ailleurs.test")
    assert response.status_code == 400
    assert "Cette demande n’a pas pu être traitée" in page(response)


def test_the_server_error_page_needs_no_database(django_assert_num_queries):
    from django.test import RequestFactory
    from django.views.defaults import server_error

    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    content = page(response)
    assert "Le site rencontre un problème momentané" in content
    assert '<html lang="fr">' in content


@override_settings(DEBUG=False)
def test_a_form_sent_without_its_security_token_says_so_in_french():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/compte/connexion/", {"login": "lea@exemple.test", "password": "x"})
    assert response.status_code == 403
    content = page(response)
    assert "Ce formulaire n’a pas pu être envoyé" in content
    assert "CSRF verification failed" not in content
    assert '<html lang="fr">' in content and "Mentions légales" in content
