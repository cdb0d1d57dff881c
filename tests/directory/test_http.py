"""Anonymous GETs of public pages: cacheable for a minute, stored, no cookie (pledges/http.py)."""

import gzip
import time

import brotli
import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.urls.resolvers import URLResolver

from pledges.http import (
    PAGE_CACHE_TIMEOUT,
    PUBLIC_MAX_AGE,
    QUIET_FACTOR,
    RENDER_WAIT_STEP,
    VERSION_MAX_AGE,
    _ProcessPages,
    page_cache_key,
    public_cache,
)
from pledges.queries import _VERSION_KEY, invalidate_public_caches
from tests.directory.factories import make_signatories, make_signatory

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


# ------------------------------------------------------------------ the page cache


def counting_view(response_factory=HttpResponse):
    """A public_cache view that counts the times it really runs."""
    calls = []

    @public_cache
    def view(request):
        calls.append(request.method)
        return response_factory()

    return view, calls


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_a_second_anonymous_visit_runs_no_sql(client, signatory, django_assert_num_queries, path):
    first = client.get(path)
    with django_assert_num_queries(0):
        second = client.get(path)
    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second["Cache-Control"] == "public, max-age=60"
    assert "Cookie" in second["Vary"]
    assert not second.cookies


def test_a_stored_signatory_page_runs_no_sql(client, signatory, django_assert_num_queries):
    first = client.get(signatory.get_absolute_url())
    with django_assert_num_queries(0):
        assert client.get(signatory.get_absolute_url()).content == first.content


def test_the_csv_export_keeps_its_file_name_when_stored(client, signatory):
    client.get("/donnees/signataires.csv")
    response = client.get("/donnees/signataires.csv")
    assert response["Content-Disposition"] == 'attachment; filename="signataires.csv"'
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_the_query_string_is_part_of_the_key(client, signatory):
    make_signatory(commune="42095", last_name="Villars")  # Villars, Loire
    assert "Villars" not in client.get("/recherche/?q=saint").content.decode()
    assert "Villars" in client.get("/recherche/?q=villars").content.decode()


def test_a_signed_in_visit_is_never_served_from_the_cache(client, signatory):
    anonymous = client.get("/").content.decode()  # stored
    assert "Mon espace" not in anonymous
    client.force_login(get_user_model().objects.create(username="connectee", password="!"))
    response = client.get("/")
    assert "Mon espace" in response.content.decode()
    assert response["Cache-Control"] == "private"


def test_a_signed_in_visit_is_never_stored(client, signatory, django_assert_num_queries):
    client.force_login(get_user_model().objects.create(username="connectee", password="!"))
    assert "Mon espace" in client.get("/").content.decode()
    client.logout()
    response = client.get("/")
    assert "Mon espace" not in response.content.decode()
    with django_assert_num_queries(0):  # the anonymous page, stored by that visit
        assert client.get("/").content == response.content


def test_a_visit_carrying_a_flash_message_neither_reads_nor_writes_the_cache():
    view, calls = counting_view()
    rf = RequestFactory()
    view(rf.get("/"))  # stored
    flashed = rf.get("/")
    flashed.COOKIES["messages"] = "quelque-chose"
    view(flashed)
    assert len(calls) == 2
    view(rf.get("/", {"suite": 1}, headers={"cookie": "messages=quelque-chose"}))
    view(rf.get("/", {"suite": 1}))
    assert len(calls) == 4


def test_invalidating_the_public_caches_makes_every_stored_page_stale(client, signatory):
    assert "Arrivante" not in client.get("/").content.decode()
    make_signatory(commune="69123", last_name="Arrivante")  # no service: no invalidation
    assert "Arrivante" not in client.get("/").content.decode()  # the stored page
    invalidate_public_caches()  # what the services call on commit after every change
    assert "Arrivante" in client.get("/").content.decode()


def test_a_moderation_decision_makes_the_stored_pages_stale(
    client, signatory, django_capture_on_commit_callbacks
):
    from pledges.moderation import unpublish_pledge

    name = signatory.candidate.last_name
    assert name in client.get("/communes/42218/").content.decode()  # stored
    moderator = get_user_model().objects.create(username="moderatrice", is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        unpublish_pledge(pledge=signatory, moderator=moderator, reason="Doublon.")
    assert name not in client.get("/communes/42218/").content.decode()


def test_a_post_always_reaches_the_view():
    view, calls = counting_view()
    rf = RequestFactory()
    view(rf.get("/"))
    view(rf.get("/"))
    view(rf.post("/"))
    view(rf.post("/"))
    assert calls == ["GET", "POST", "POST"]


def test_a_post_to_a_public_page_is_refused_not_served_from_the_cache(client, signatory):
    client.get("/")
    assert client.post("/").status_code == 405


def test_errors_are_not_stored():
    view, calls = counting_view(lambda: HttpResponse(status=404))
    view(RequestFactory().get("/"))
    view(RequestFactory().get("/"))
    assert len(calls) == 2


def test_a_response_that_sets_a_cookie_is_not_stored():
    def with_cookie():
        response = HttpResponse()
        response.set_cookie("choix", "1")
        return response

    view, calls = counting_view(with_cookie)
    view(RequestFactory().get("/"))
    assert view(RequestFactory().get("/")).cookies
    assert len(calls) == 2


def test_a_page_that_used_a_csrf_token_or_the_session_is_not_stored():
    rf = RequestFactory()

    @public_cache
    def with_token(request):
        return HttpResponse(get_token(request))

    first, second = with_token(rf.get("/")), with_token(rf.get("/"))
    assert first.content != second.content

    calls = []

    @public_cache
    def with_session(request):
        calls.append(1)
        request.session["vu"] = True
        return HttpResponse()

    for _ in range(2):
        request = rf.get("/")
        request.session = SessionStore()
        with_session(request)
    assert len(calls) == 2


def test_a_view_that_chose_its_own_cache_control_is_not_stored():
    def private():
        response = HttpResponse()
        response["Cache-Control"] = "private, no-cache"
        return response

    view, calls = counting_view(private)
    view(RequestFactory().get("/"))
    assert view(RequestFactory().get("/"))["Cache-Control"] == "private, no-cache"
    assert len(calls) == 2


def test_stored_pages_expire_after_a_quarter_of_an_hour_at_most(client, signatory, monkeypatch):
    """The version makes them stale; the expiry only bounds how long an unchanged page lives."""
    timeouts = []
    real_set_many = cache.set_many

    def spy(data, timeout):
        timeouts.extend(timeout for key in data if key.startswith("page:"))
        return real_set_many(data, timeout)

    monkeypatch.setattr(cache, "set_many", spy)
    client.get("/")
    assert timeouts == [PAGE_CACHE_TIMEOUT] * 2 == [15 * 60] * 2  # the page and its stamp
    assert PUBLIC_MAX_AGE == 60  # what shared caches may keep: unchanged


def test_editing_the_charter_makes_the_stored_pages_stale(
    client, signatory, django_capture_on_commit_callbacks
):
    from pledges.models import Proposal

    assert "Nouvel intitulé" not in client.get("/propositions/3/").content.decode()  # stored
    proposal = Proposal.objects.get(number=3)
    proposal.title = "Nouvel intitulé"
    with django_capture_on_commit_callbacks(execute=True):
        proposal.save()  # as the admin does
    assert "Nouvel intitulé" in client.get("/propositions/3/").content.decode()


def test_a_published_signatorys_profile_edit_makes_the_stored_pages_stale(
    client, signatory, django_capture_on_commit_callbacks
):
    path = signatory.get_absolute_url()
    assert "Liste renommée" not in client.get(path).content.decode()  # stored
    candidate = signatory.candidate
    candidate.list_name = "Liste renommée"
    with django_capture_on_commit_callbacks(execute=True):
        candidate.save()
    assert "Liste renommée" in client.get(path).content.decode()


def test_an_unpublished_candidates_profile_edit_leaves_the_stored_pages_current(
    django_capture_on_commit_callbacks,
):
    from pledges.models import Pledge
    from pledges.queries import public_version

    pending = make_signatory(status=Pledge.Status.PENDING)
    version = public_version()
    pending.candidate.list_name = "Liste en attente"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        pending.candidate.save()
    assert callbacks == []
    assert public_version() == version


BROWSER = "gzip, deflate, br, zstd"  # what Firefox and Chrome send


@pytest.mark.parametrize(
    ("accept_encoding", "coding", "decompress"),
    [
        (BROWSER, "br", brotli.decompress),
        ("gzip, deflate", "gzip", gzip.decompress),
        ("br;q=0, gzip;q=0.5", "gzip", gzip.decompress),
    ],
)
def test_a_large_page_is_served_compressed_to_clients_that_accept_it(
    client, signatory, accept_encoding, coding, decompress
):
    plain = client.get("/")
    compressed = client.get("/", headers={"accept-encoding": accept_encoding})
    assert compressed["Content-Encoding"] == coding
    assert decompress(compressed.content) == plain.content
    assert len(compressed.content) < len(plain.content) / 3
    for response in (plain, compressed):
        assert {"Cookie", "Accept-Encoding"} <= {v.strip() for v in response["Vary"].split(",")}
        assert response["Cache-Control"] == "public, max-age=60"
    assert not plain.has_header("Content-Encoding")


@pytest.mark.parametrize("accept_encoding", ["", "identity", "br;q=0, gzip;q=0", "deflate"])
def test_a_client_that_accepts_neither_gets_the_page_as_it_is(client, signatory, accept_encoding):
    response = client.get("/", headers={"accept-encoding": accept_encoding})
    assert not response.has_header("Content-Encoding")
    assert response.content.startswith(b"<!DOCTYPE html>")


def test_the_first_visit_is_compressed_too(client):
    make_signatories(20)  # over a kilobyte of CSV
    response = client.get("/donnees/signataires.csv", headers={"accept-encoding": BROWSER})
    assert response["Content-Encoding"] == "br"
    assert brotli.decompress(response.content).decode().startswith("id,prenom,nom,")


def test_a_small_page_is_not_compressed(client):
    response = client.get("/api/communes/?q=x", headers={"accept-encoding": BROWSER})
    assert response.content == b'{"results": []}'
    assert not response.has_header("Content-Encoding")


def test_a_signed_in_visit_is_not_compressed(client, signatory):
    client.force_login(get_user_model().objects.create(username="connectee", password="!"))
    response = client.get("/", headers={"accept-encoding": BROWSER})
    assert not response.has_header("Content-Encoding")


def test_each_process_keeps_at_most_its_budget_of_pages():
    pages = _ProcessPages(budget=100)

    def page(size=40):
        return ("v1", time.time() + 60, {}, b"x" * size, {"gzip": b"y" * 10})

    pages.put("a", page())
    pages.put("b", page())
    assert pages.get("a") is not None  # now the most recently used
    pages.put("c", page())  # 150 bytes: the least recently used goes
    assert pages.get("b") is None
    assert pages.get("a") is not None
    assert pages.get("c") is not None
    pages.put("d", page(size=91))
    assert pages.get("d") is None  # larger than the whole budget: not kept


# ------------------------------------------------------------------ this process's pages


def test_a_kept_page_is_served_before_the_rest_of_the_middleware(client, signatory, monkeypatch):
    first = client.get("/communes/42218/")

    def no_resolving(*args):
        raise AssertionError("URL resolved: the page went through the whole stack")

    monkeypatch.setattr(URLResolver, "resolve", no_resolving)
    second = client.get("/communes/42218/")
    assert second.status_code == 200
    assert second.content == first.content
    with pytest.raises(AssertionError, match="URL resolved"):
        client.get("/communes/42218/?autre=1")  # not kept: the whole stack


@pytest.mark.parametrize("accept_encoding", ["", BROWSER, "gzip"])
def test_a_kept_page_carries_the_headers_of_the_first_visit(client, signatory, accept_encoding):
    headers = {"accept-encoding": accept_encoding}
    first, second = (client.get("/donnees/signataires.csv", headers=headers) for _ in "12")
    assert dict(second.headers) == dict(first.headers)
    assert int(second["Content-Length"]) == len(second.content)
    assert second.content == first.content


def test_a_kept_page_is_not_served_to_a_host_outside_the_allowed_ones(client, signatory):
    client.get("/")
    assert client.get("/", headers={"host": "ailleurs.example"}).status_code == 400


def test_https_is_still_enforced_before_a_kept_page_is_served(signatory, settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()  # its middleware is built with these settings
    assert client.get("/", secure=True).status_code == 200  # kept
    response = client.get("/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/"


def test_a_change_made_through_another_process_shows_within_a_second(
    client, signatory, monkeypatch
):
    assert "Arrivante" not in client.get("/").content.decode()  # kept
    make_signatory(commune="69123", last_name="Arrivante")
    cache.set(_VERSION_KEY, "another-process-invalidated")  # as another app server would
    assert "Arrivante" not in client.get("/").content.decode()  # checked < 1 s ago
    now = time.monotonic()
    monkeypatch.setattr("pledges.queries.time.monotonic", lambda: now + VERSION_MAX_AGE)
    assert "Arrivante" in client.get("/").content.decode()


# ------------------------------------------------------------------ one render at a time


def lock_of(path: str) -> str:
    return page_cache_key(RequestFactory().get(path)) + ":lock"


@pytest.fixture
def process_pages(monkeypatch):
    """This process's pages, emptied: none left over by an earlier test."""
    pages = _ProcessPages(budget=2**24)
    monkeypatch.setattr("pledges.http._process_pages", pages)
    return pages


def test_while_another_request_renders_a_stale_page_the_previous_one_is_served(
    client, signatory, process_pages, django_assert_num_queries
):
    before = client.get("/communes/42218/")  # stored, in this process too
    make_signatory(last_name="Arrivante")
    invalidate_public_caches()
    cache.add(lock_of("/communes/42218/"), 1)  # another worker is rendering it
    with django_assert_num_queries(0):
        response = client.get("/communes/42218/")
    assert response.content == before.content
    assert response["Cache-Control"] == "public, max-age=0"  # not to be kept downstream
    cache.delete(lock_of("/communes/42218/"))  # that render failed: this request renders
    assert "Arrivante" in client.get("/communes/42218/").content.decode()


def test_without_a_previous_page_a_request_waits_for_the_render_under_way(
    client, signatory, process_pages, monkeypatch, django_assert_num_queries
):
    rendered = client.get("/communes/42218/")  # what the other worker will have stored
    key = page_cache_key(RequestFactory().get("/communes/42218/"))
    page = cache.get(key)
    cache.delete_many([key, f"{key}:version"])
    monkeypatch.setattr("pledges.http._process_pages", _ProcessPages(budget=2**24))
    cache.add(lock_of("/communes/42218/"), 1)
    waits = []

    def other_worker_stores_it(seconds):
        waits.append(seconds)
        cache.set_many({key: page, f"{key}:version": (page[0], page[5])})
        cache.delete(lock_of("/communes/42218/"))

    monkeypatch.setattr("pledges.http.time.sleep", other_worker_stores_it)
    with django_assert_num_queries(0):
        response = client.get("/communes/42218/")
    assert waits == [RENDER_WAIT_STEP]
    assert response.content == rendered.content
    assert response["Cache-Control"] == "public, max-age=60"


def test_while_another_request_renders_the_stale_stored_page_is_not_fetched(
    client, signatory, monkeypatch
):
    client.get("/communes/42218/")  # stored, with its stamp
    key = page_cache_key(RequestFactory().get("/communes/42218/"))
    invalidate_public_caches()
    cache.add(lock_of("/communes/42218/"), 1)  # another worker is rendering it
    fetched = []
    real_get = cache.get

    def spy(name, *args, **kwargs):
        fetched.append(name)
        return real_get(name, *args, **kwargs)

    monkeypatch.setattr(cache, "get", spy)
    response = client.get("/communes/42218/")
    assert response["Cache-Control"] == "public, max-age=0"  # the previous page
    assert f"{key}:version" in fetched  # the stamp, a few bytes
    assert key not in fetched  # not the page, megabytes for a busy commune


# ------------------------------------------------------------------ slow pages


def slow_view(seconds: float):
    """A public_cache view that takes `seconds` to render, and counts its renders."""
    calls = []

    @public_cache
    def view(request):
        calls.append(request.method)
        time.sleep(seconds)
        return HttpResponse(f"rendu n° {len(calls)}")

    return view, calls


def test_a_slow_page_is_rendered_again_at_most_once_per_ten_times_its_render_time():
    view, calls = slow_view(0.6)
    started = time.time()
    assert view(RequestFactory().get("/lent/")).content == b"rendu n\xc2\xb0 1"
    stored = cache.get(page_cache_key(RequestFactory().get("/lent/")))
    # Ten times the render, 0.6 s and a little more for the rest of the view.
    assert started + QUIET_FACTOR * 0.6 <= stored[5] <= time.time() + QUIET_FACTOR * 0.7
    invalidate_public_caches()  # a moderation decision
    response = view(RequestFactory().get("/lent/"))
    assert response.content == b"rendu n\xc2\xb0 1"  # not rendered again yet
    assert response["Cache-Control"] == "public, max-age=0"  # not to be kept downstream
    assert len(calls) == 1


def test_after_its_quiet_period_a_slow_page_is_rendered_again(monkeypatch):
    monkeypatch.setattr("pledges.http.QUIET_FACTOR", 0.5)
    view, _calls = slow_view(0.6)
    view(RequestFactory().get("/lent/"))
    invalidate_public_caches()
    assert view(RequestFactory().get("/lent/")).content == b"rendu n\xc2\xb0 1"  # quiet
    time.sleep(0.35)  # the quiet period, 0.3 s, is over
    response = view(RequestFactory().get("/lent/"))
    assert response.content == b"rendu n\xc2\xb0 2"
    assert response["Cache-Control"] == "public, max-age=60"


def test_a_fast_page_goes_stale_at_once():
    view, _calls = slow_view(0)
    view(RequestFactory().get("/rapide/"))
    assert cache.get(page_cache_key(RequestFactory().get("/rapide/")))[5] == 0
    invalidate_public_caches()
    assert view(RequestFactory().get("/rapide/")).content == b"rendu n\xc2\xb0 2"


def test_each_process_serves_a_quiet_page_before_the_rest_of_the_middleware(
    client, signatory, monkeypatch
):
    monkeypatch.setattr("pledges.http.SLOW_RENDER", 0)  # every page counts as slow here
    monkeypatch.setattr("pledges.http.QUIET_FACTOR", 10_000)
    before = client.get("/communes/42218/")
    make_signatory(last_name="Arrivante")
    invalidate_public_caches()

    def no_resolving(*args):
        raise AssertionError("URL resolved: the page went through the whole stack")

    monkeypatch.setattr(URLResolver, "resolve", no_resolving)
    response = client.get("/communes/42218/")
    assert response.content == before.content
    assert response["Cache-Control"] == "public, max-age=0"


def test_a_render_that_fails_elsewhere_is_done_here(client, signatory, process_pages, monkeypatch):
    cache.add(lock_of("/communes/42218/"), 1)
    monkeypatch.setattr(
        "pledges.http.time.sleep", lambda seconds: cache.delete(lock_of("/communes/42218/"))
    )
    response = client.get("/communes/42218/")
    assert signatory.candidate.last_name in response.content.decode()
    assert response["Cache-Control"] == "public, max-age=60"


def test_the_render_lock_is_released_even_after_an_error():
    @public_cache
    def broken(request):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        broken(RequestFactory().get("/en-panne/"))
    assert cache.get(lock_of("/en-panne/")) is None
