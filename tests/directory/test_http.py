"""Anonymous GETs of public pages: cacheable for a minute, no cookie (pledges/http.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import RequestFactory

from pledges.http import public_cache
from tests.directory.factories import make_signatory

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/",
    "/propositions/3/",
    "/communes/42218/",
    "/communes/75056/",
    "/communes/?q=saint",
    "/api/communes/?q=saint",
    "/regions/84/",
    "/regions/84/?tri=nom",
    "/departements/42/",
    "/departements/42/?q=saint&tri=population",
    "/recherche/?q=saint etienne",
    "/donnees/",
    "/donnees/signataires.csv",
    "/donnees/signataires.json",
    "/api/communes/42218/signataires/",
    "/sitemap.xml",
    "/mentions-legales/",
    "/donnees-personnelles/",
]


@pytest.fixture
def signatory():
    return make_signatory()


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_an_anonymous_visit_is_cacheable_by_anyone_and_sets_no_cookie(client, signatory, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60"
    assert "Cookie" in response["Vary"]
    assert not response.cookies
    assert "Set-Cookie" not in str(response.serialize_headers())


def test_a_signatory_page_is_cacheable_too(client, signatory):
    response = client.get(signatory.get_absolute_url())
    assert response["Cache-Control"] == "public, max-age=60"
    assert not response.cookies


@pytest.mark.parametrize("path", ["/", "/communes/42218/", "/donnees/signataires.csv"])
def test_a_signed_in_visit_is_private(client, signatory, path):
    client.force_login(get_user_model().objects.create(username="connectee", password="!"))
    response = client.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private"


def test_a_visit_carrying_a_flash_message_is_private(client):
    client.cookies["messages"] = "quelque-chose"
    assert client.get("/").get("Cache-Control") == "private"


def test_errors_and_other_methods_are_not_shared():
    rf = RequestFactory()

    @public_cache
    def view(request):
        return HttpResponse(status=int(request.GET.get("status", 200)))

    assert view(rf.get("/")).get("Cache-Control") == "public, max-age=60"
    assert view(rf.get("/", {"status": 500}))["Cache-Control"] == "private"
    assert view(rf.post("/"))["Cache-Control"] == "private"


def test_a_cookie_set_by_the_view_makes_the_response_private():
    @public_cache
    def view(request):
        response = HttpResponse()
        response.set_cookie("choix", "1")
        return response

    assert view(RequestFactory().get("/"))["Cache-Control"] == "private"
