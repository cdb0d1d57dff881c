"""The shipped nginx configuration, run by Debian's nginx in front of the live test server.

Each test starts nginx (tests/deploy/nginx.py) with config/deploy/nginx/cache.conf,
compress.conf and brotli.conf as they ship, on 127.0.0.1, with an empty cache, and reads
what it did in the `X-Cache-Status` header that cache.conf adds. The public pages used are
the legal ones: the same `public_cache` as every directory page, without reference data.

The stale test cannot make a page old by waiting out the minute. It lowers the app's
`PUBLIC_CACHE_MAX_AGE` to one second (read at each response, config/http.py), and then
waits for an observable condition: it asks until nginx stops answering HIT (bounded at
ten seconds; nginx counts in whole seconds, so one to two), and checks what that answer
is, whatever the time it took. No assertion depends on how long anything took.
"""

import http.client
import http.server
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.signals import request_started
from django.db import OperationalError
from django.test import Client, RequestFactory

from config.site import client_ip
from tests.deploy.nginx import (
    BROTLI_MODULE,
    DEPLOY,
    Nginx,
    check_site_configuration,
    nginx_executable,
)

pytestmark = pytest.mark.nginx

PAGE = "/mentions-legales/"
OTHER_PAGE = "/accessibilite/"
SIGNED_IN = "Se déconnecter"
FROM_THE_CACHE = {"HIT", "STALE", "UPDATING"}
WAIT_LIMIT = 10


@pytest.fixture
def nginx(live_server):
    server = Nginx(nginx_executable(), urlsplit(live_server.url).port)
    yield server
    server.stop()


def get(nginx, path, *, method="GET", headers=None, body=None):
    """(status, headers, body) of one request to nginx, with exactly the headers given."""
    connection = http.client.HTTPConnection("127.0.0.1", nginx.port, timeout=30)
    try:
        connection.request(
            method, path, body=body, headers={"Host": "127.0.0.1", **(headers or {})}
        )
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def session_cookie(user=None) -> str:
    """A real signed-in session, as the browser of a candidate carries it."""
    client = Client()
    client.force_login(user or get_user_model().objects.create(username="connectee"))
    return f"sessionid={client.cookies['sessionid'].value}"


@pytest.mark.parametrize("brotli", [False, True], ids=["gzip alone", "with Brotli"])
def test_the_site_configuration_is_valid_with_or_without_brotli(tmp_path, brotli):
    if brotli and not BROTLI_MODULE.exists():
        pytest.skip(f"Brotli needs Debian's libnginx-mod-http-brotli-filter ({BROTLI_MODULE})")
    status, output = check_site_configuration(nginx_executable(), tmp_path, brotli=brotli)
    assert status == 0, output
    assert "test is successful" in output


def test_the_access_log_keeps_the_page_but_not_the_query_string(nginx):
    # « Données personnelles » says the searches are not recorded: nginx's log (the shipped
    # http.conf's format, which config/deploy/nginx.conf's servers use) keeps the path only.
    # nginx writes a request's log line before it closes the connection: asked to close, the
    # answer read to its end (EOF) means the line is in the file — no waiting on the clock.
    with socket.create_connection(("127.0.0.1", nginx.port), timeout=30) as connection:
        connection.sendall(
            f"GET {PAGE}?q=Martin+Camille&commune=42218 HTTP/1.1\r\n"
            "Host: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
        )
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200")
    log = (nginx.prefix / "access.log").read_text()
    assert f'"GET {PAGE} HTTP/1.1" 200' in log
    assert "Martin" not in log and "42218" not in log and "?" not in log
    shipped = (DEPLOY / "nginx.conf").read_text()
    assert shipped.count("access_log /var/log/nginx/coorace.access.log coorace_noquery;") == 2


def test_the_second_anonymous_get_of_a_public_page_is_a_cache_hit(nginx):
    status, first, body = get(nginx, PAGE)
    assert (status, first["X-Cache-Status"]) == (200, "MISS")
    assert first["Cache-Control"] == "public, max-age=60"

    status, second, again = get(nginx, PAGE)
    assert (status, second["X-Cache-Status"]) == (200, "HIT")
    assert again == body
    # HEAD is answered from the same copy.
    status, head, empty = get(nginx, PAGE, method="HEAD")
    assert (status, head["X-Cache-Status"], empty) == (200, "HIT", b"")


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_text_is_compressed_before_it_is_cached_one_copy_per_encoding(nginx, encoding):
    if encoding == "br" and not BROTLI_MODULE.exists():
        pytest.skip(f"Brotli needs Debian's libnginx-mod-http-brotli-filter ({BROTLI_MODULE})")
    _, plain, body = get(nginx, PAGE)
    asked = {"Accept-Encoding": f"{encoding}, deflate"}
    _, first, compressed = get(nginx, PAGE, headers=asked)
    _, second, again = get(nginx, PAGE, headers=asked)

    assert "Content-Encoding" not in plain
    assert (first["X-Cache-Status"], second["X-Cache-Status"]) == ("MISS", "HIT")
    assert second["Content-Encoding"] == encoding
    assert "Accept-Encoding" in second["Vary"]
    assert again == compressed
    assert len(compressed) < len(body) / 2


def test_a_signed_in_get_is_never_served_from_nor_stored_in_the_cache(nginx, live_server):
    cookie = {"Cookie": session_cookie()}
    get(nginx, PAGE)
    assert get(nginx, PAGE)[1]["X-Cache-Status"] == "HIT"  # an anonymous copy is kept

    status, headers, body = get(nginx, PAGE, headers=cookie)
    assert (status, headers["X-Cache-Status"]) == (200, "BYPASS")
    assert SIGNED_IN in body.decode()
    # Signed in first, on a page nothing holds yet: the next anonymous visitor is a MISS,
    # and gets the anonymous page.
    assert get(nginx, OTHER_PAGE, headers=cookie)[1]["X-Cache-Status"] == "BYPASS"
    _, headers, body = get(nginx, OTHER_PAGE)
    assert headers["X-Cache-Status"] == "MISS"
    assert SIGNED_IN not in body.decode()
    assert get(nginx, PAGE)[1]["X-Cache-Status"] == "HIT"


def test_the_app_reads_the_visitor_s_address_and_scheme_through_both_hops(nginx, settings):
    """The public server appends the visitor's address; the compressing one passes it on."""
    seen = []

    def record(environ, **kwargs):
        seen.append({k: v for k, v in environ.items() if k.startswith("HTTP_X_FORWARDED")})

    request_started.connect(record)
    try:
        get(nginx, PAGE, headers={"X-Forwarded-For": "203.0.113.9"})  # a visitor's claim
    finally:
        request_started.disconnect(record)

    assert seen == [
        {"HTTP_X_FORWARDED_FOR": "203.0.113.9, 127.0.0.1", "HTTP_X_FORWARDED_PROTO": "http"}
    ]
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1  # production's default
    request = RequestFactory().get(PAGE, headers={"x-forwarded-for": "203.0.113.9, 127.0.0.1"})
    assert client_ip(request) == "127.0.0.1"  # the address nginx saw, not the claim


def test_a_pending_message_cookie_bypasses_the_cache(nginx):
    get(nginx, PAGE)
    _, headers, _ = get(nginx, PAGE, headers={"Cookie": "messages=une-annonce"})
    assert headers["X-Cache-Status"] == "BYPASS"
    assert headers["Cache-Control"] == "private"


def test_a_post_is_never_served_from_nor_stored_in_the_cache(nginx):
    _, _, page = get(nginx, PAGE)
    assert get(nginx, PAGE)[1]["X-Cache-Status"] == "HIT"

    status, headers, body = get(
        nginx,
        PAGE,
        method="POST",
        body=b"x=1",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    # The app answered (CSRF refuses a POST without a token): nginx did not even look.
    assert status == 403
    assert "X-Cache-Status" not in headers
    assert body != page
    status, headers, again = get(nginx, PAGE)
    assert (status, headers["X-Cache-Status"], again) == (200, "HIT", page)


def test_a_stale_page_is_served_while_it_is_refreshed(nginx, settings):
    settings.PUBLIC_CACHE_MAX_AGE = 1
    settings.SITE_PUBLISHER = "L’éditeur d’avant"
    _, headers, _ = get(nginx, PAGE)
    assert headers["X-Cache-Status"] == "MISS"
    settings.SITE_PUBLISHER = "L’éditeur d’après"  # what the app would render now

    # Ask until the copy is older than its max-age: the first answer that is not a HIT is
    # the old copy, served at once, while nginx asks the app for the new one.
    status, body = "HIT", b""
    deadline = time.monotonic() + WAIT_LIMIT
    while status == "HIT" and time.monotonic() < deadline:
        _, headers, body = get(nginx, PAGE)
        status = headers["X-Cache-Status"]
    assert status == "STALE"
    assert "L’éditeur d’avant" in body.decode()

    # The refresh lands in the cache: later visitors get the new page, from the cache.
    while "L’éditeur d’après" not in body.decode() and time.monotonic() < deadline:
        _, headers, body = get(nginx, PAGE)
        assert headers["X-Cache-Status"] in FROM_THE_CACHE
    assert "L’éditeur d’après" in body.decode()


class Outage:
    """A value the page renders that fails as the database fails when it is unreachable."""

    def __str__(self):
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed")


def wait_until_not_a_hit(nginx, path):
    """Ask until nginx's copy is older than its max-age; the first answer that is not a HIT."""
    status, headers, body = 200, {"X-Cache-Status": "HIT"}, b""
    deadline = time.monotonic() + WAIT_LIMIT
    while headers["X-Cache-Status"] == "HIT" and time.monotonic() < deadline:
        status, headers, body = get(nginx, path)
    return status, headers, body


def test_when_the_app_errs_the_stale_copy_stands_in(nginx, settings):
    settings.PUBLIC_CACHE_MAX_AGE = 1
    settings.SITE_PUBLISHER = "L’éditeur d’avant la panne"
    _, headers, _ = get(nginx, PAGE)
    assert headers["X-Cache-Status"] == "MISS"
    settings.SITE_PUBLISHER = Outage()  # from now on the app answers 500, as without its database

    status, headers, body = wait_until_not_a_hit(nginx, PAGE)
    assert (status, headers["X-Cache-Status"]) == (200, "STALE")
    assert "L’éditeur d’avant la panne" in body.decode()
    # The refresh in the background failed too: the copy keeps standing in.
    for _ in range(3):
        status, headers, body = get(nginx, PAGE)
        assert status == 200 and headers["X-Cache-Status"] in FROM_THE_CACHE
        assert "L’éditeur d’avant la panne" in body.decode()
    # A page nginx never kept gets the site's own French error page.
    status, headers, body = get(nginx, OTHER_PAGE)
    assert status == 500
    assert "Le site rencontre un problème momentané" in body.decode()


class CachedPage(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = "<p>La page d’avant l’arrêt</p>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Cache-Control", "public, max-age=1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_when_the_app_is_down_the_stale_copy_stands_in():
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CachedPage)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    server = Nginx(nginx_executable(), upstream.server_address[1])
    try:
        _, headers, _ = get(server, PAGE)
        assert headers["X-Cache-Status"] == "MISS"
        upstream.shutdown()
        upstream.server_close()  # gunicorn stopped: nothing listens on its port any more

        status, headers, body = wait_until_not_a_hit(server, PAGE)
        assert (status, headers["X-Cache-Status"]) == (200, "STALE")
        assert "La page d’avant l’arrêt" in body.decode()
        status, _, _ = get(server, OTHER_PAGE)
        assert status == 502  # nothing to stand in for a page never kept
    finally:
        server.stop()
