"""What the app tells shared caches (config/http.py): public for a minute, or private;
and what it tells browsers they may not use (Permissions-Policy)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory

from config.http import PermissionsPolicyMiddleware, public_cache
from tests.bulk import make_signatory
from tests.factories import make_candidate, make_moderator
from tests.pages import PUBLIC_PAGES, SIGN_IN_PAGES

pytestmark = pytest.mark.django_db


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
    assert view(rf.post("/")).status_code == 405


def test_a_cookie_set_by_the_view_makes_the_response_private():
    @public_cache
    def view(request):
        response = HttpResponse()
        response.set_cookie("choix", "1")
        return response

    assert view(RequestFactory().get("/"))["Cache-Control"] == "private"


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_a_head_request_is_answered_like_a_get(client, signatory, path):
    get, head = client.get(path), client.head(path)
    assert head.status_code == 200
    assert head.getvalue() == b""  # getvalue(): the exports are streamed
    assert head["Content-Type"] == get["Content-Type"]
    assert head["Cache-Control"] == "public, max-age=60"


def test_a_post_to_a_public_page_is_refused(client, signatory):
    assert client.post("/").status_code == 405


def test_a_page_that_used_a_csrf_token_or_the_session_is_private():
    rf = RequestFactory()

    @public_cache
    def with_token(request):
        return HttpResponse(get_token(request))

    assert with_token(rf.get("/"))["Cache-Control"] == "private"

    @public_cache
    def with_session(request):
        request.session["vu"] = True
        return HttpResponse()

    request = rf.get("/")
    request.session = SessionStore()
    assert with_session(request)["Cache-Control"] == "private"


def test_a_view_that_chose_its_own_cache_control_keeps_it():
    @public_cache
    def view(request):
        response = HttpResponse()
        response["Cache-Control"] = "private, no-cache"
        return response

    assert view(RequestFactory().get("/"))["Cache-Control"] == "private, no-cache"


DENIED = ["camera", "microphone", "geolocation", "payment", "usb", "browsing-topics",
          "interest-cohort"]  # fmt: skip


def denied_features(response) -> set[str]:
    """The features the response's Permissions-Policy allows to no origin at all."""
    return {
        name.strip()
        for name, _, allowlist in (
            item.partition("=") for item in response["Permissions-Policy"].split(",")
        )
        if allowlist.strip() == "()"
    }


@pytest.mark.parametrize("path", [*PUBLIC_PAGES, *SIGN_IN_PAGES, "/page-qui-n-existe-pas/"])
def test_every_public_page_denies_the_browser_features_the_site_does_not_use(
    client, signatory, path
):
    response = client.get(path)
    assert set(DENIED) <= denied_features(response), path


def test_a_signatory_page_denies_them_too(client, signatory):
    assert set(DENIED) <= denied_features(client.get(signatory.get_absolute_url()))


@pytest.mark.parametrize(
    "path", ["/mon-espace/", "/ma-candidature/", "/signer/", "/mon-espace/mes-donnees.json"]
)
def test_every_personal_page_denies_them(client, path):
    client.force_login(make_candidate().user)
    response = client.get(path)
    assert response.status_code == 200
    assert set(DENIED) <= denied_features(response)


def test_the_admin_denies_them(client):
    client.force_login(make_moderator())
    response = client.get("/admin/")
    assert response.status_code == 200
    assert set(DENIED) <= denied_features(response)


def test_a_view_that_chose_its_own_permissions_policy_keeps_it():
    def view(request):
        response = HttpResponse()
        response["Permissions-Policy"] = "fullscreen=(self)"
        return response

    response = PermissionsPolicyMiddleware(view)(RequestFactory().get("/"))
    assert response["Permissions-Policy"] == "fullscreen=(self)"
