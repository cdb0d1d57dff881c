"""The legal, privacy and accessibility pages: TemplateViews whose publisher's identity
comes from settings at each request (pledges/directory/context_processors.py)."""

import pytest
from django.urls import resolve
from django.views.generic import TemplateView

pytestmark = pytest.mark.django_db

LEGAL_PAGES = ["/mentions-legales/", "/donnees-personnelles/", "/accessibilite/"]


@pytest.fixture
def identity(settings):
    settings.SITE_PUBLISHER = "Coorace Exemple"
    settings.SITE_CONTACT_EMAIL = "ecrire@coorace.test"
    settings.SITE_PUBLICATION_DIRECTOR = "Dominique Directrice"
    settings.SITE_HOSTING_PROVIDER = "Hébergeur Exemple SAS, 1 rue de l’Exemple, Paris"
    return settings


def test_the_legal_notice_shows_the_settings_of_the_moment(client, identity):
    content = client.get("/mentions-legales/").content.decode()
    assert "Ce site est édité par Coorace Exemple, réseau national" in content
    assert '<a href="mailto:ecrire@coorace.test">ecrire@coorace.test</a>' in content
    assert "Directeur ou directrice de la publication\u202f: Dominique Directrice" in content
    assert "Hébergeur Exemple SAS, 1 rue de l’Exemple, Paris</li>" in content


def test_without_a_hosting_provider_the_legal_notice_says_it_is_missing(client, settings):
    settings.SITE_HOSTING_PROVIDER = ""
    settings.SITE_PUBLICATION_DIRECTOR = ""
    content = client.get("/mentions-legales/").content.decode()
    # « non renseigné » (config.checks warns staff), never the variable's name.
    assert content.count("non renseigné") >= 2
    assert "SITE_HOSTING_PROVIDER" not in content


def test_the_privacy_and_accessibility_pages_name_the_publisher_and_its_address(client, identity):
    privacy = client.get("/donnees-personnelles/").content.decode()
    assert "Responsable du traitement\u202f: Coorace Exemple." in privacy
    assert '<a href="mailto:ecrire@coorace.test">ecrire@coorace.test</a>' in privacy
    accessibility = client.get("/accessibilite/").content.decode()
    assert "Coorace Exemple s’engage à rendre accessible" in accessibility
    assert '<a href="mailto:ecrire@coorace.test">ecrire@coorace.test</a>' in accessibility


@pytest.mark.parametrize("path", LEGAL_PAGES)
def test_each_is_a_template_view_shared_by_caches_and_setting_no_cookie(client, path):
    assert resolve(path).func.view_class is TemplateView
    response = client.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60"
    assert not response.cookies
    assert client.head(path).status_code == 200
    assert client.post(path).status_code == 405
