"""Security headers, the Content-Security-Policy, and the admin login's rate limit."""

import json
import time
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from pledges.models import Signature
from tests.bulk import make_signatory
from tests.config.test_settings import PRODUCTION, run_python
from tests.factories import PASSWORD, make_candidate, make_moderator, make_pledge, make_user
from tests.pages import HTML_PAGES, PUBLIC_PAGES, SIGN_IN_PAGES

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = reverse("admin:login")
TOO_MANY = "Trop de tentatives de connexion échouées. Veuillez réessayer ultérieurement."
# Django's message for a wrong password or an account that is not staff.
WRONG = (
    "Veuillez compléter correctement les champs «\u202fnom "
    "d’utilisateur\u202f» et «\u202fmot de passe"
)

# The directory's HTML pages, and the pages that sign visitors in.
PAGES = [*HTML_PAGES, *SIGN_IN_PAGES]


@pytest.fixture(autouse=True)
def still_clock(monkeypatch):
    """The rate limits' clock (time.time, their cache's too) stands still during a test, so
    that no test depends on its failures falling within a wall-clock minute; a test that
    needs time to pass moves it."""
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now)


@pytest.fixture
def signatory():
    """A public signatory, so that the map, the lists and the commune page have one."""
    return make_signatory()


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


class _InlineCode(HTMLParser):
    """Collects what a `script-src 'self'; style-src 'self'` policy would block."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocked: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs.get("src") or "")
            # A JSON data block is never executed; anything else needs a src.
            if not attrs.get("src") and attrs.get("type") != "application/json":
                self.blocked.append(self.get_starttag_text())
        if tag == "style":
            self.blocked.append(self.get_starttag_text())
        for name, value in attrs.items():
            url = (value or "").strip().lower() if name in ("href", "src", "action") else ""
            if name.startswith("on") or name == "style" or url.startswith("javascript:"):
                self.blocked.append(f"<{tag} {name}={value!r}>")


def inline_code(response) -> _InlineCode:
    parser = _InlineCode()
    parser.feed(response.content.decode())
    return parser


def assert_secure_headers(response):
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["connect-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    header = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header


@pytest.mark.parametrize("path", PAGES)
def test_a_public_page_is_served_with_the_security_headers(client, signatory, path):
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert_secure_headers(response)


@pytest.mark.parametrize("path", sorted(set(PUBLIC_PAGES) - set(HTML_PAGES)))
def test_the_data_pages_are_served_with_the_security_headers_too(client, signatory, path):
    response = client.get(path)
    assert response.status_code == 200
    assert not response["Content-Type"].startswith("text/html")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", PAGES)
def test_a_public_page_has_no_inline_script_or_style(client, signatory, path):
    page = inline_code(client.get(path, follow=True))
    assert page.blocked == []


def test_the_pages_scripts_are_the_sites_own_files(client, signatory):
    """Every script the public pages and the admin load comes from /static/, but for the
    French catalogue's JavaScript (/jsi18n/), served by the site itself."""
    user = make_user()
    make_candidate(user=user)
    client.force_login(user)
    scripts = set()
    for path in ["/", "/ma-candidature/", "/signer/", "/admin/login/"]:
        scripts.update(inline_code(client.get(path, follow=True)).scripts)
    assert "/static/js/commune-autocomplete.js" in scripts
    assert "/static/js/check-all.js" in scripts
    assert "/jsi18n/" in scripts
    assert all(src.startswith("/static/") for src in scripts - {"/jsi18n/"}), scripts


def test_a_candidates_pages_have_no_inline_script_or_style(client):
    user = make_user()
    pledge = make_pledge(make_candidate(user=user))
    client.force_login(user)
    for path in ["/ma-candidature/", "/signer/", "/mon-espace/", "/compte/adresses/"]:
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        assert_secure_headers(response)
        assert inline_code(response).blocked == [], path
    assert pledge.status == Signature.Status.PENDING


def test_the_moderation_screens_have_no_inline_script_or_style(client):
    pledge = make_pledge()
    client.force_login(make_moderator())
    change_list = reverse("admin:pledges_signature_changelist")
    change_form = reverse("admin:pledges_signature_change", args=[pledge.pk])
    pages = {}
    dashboard = reverse("admin:pledges_signature_dashboard")
    for path in [reverse("admin:index"), change_list, change_form, dashboard]:
        pages[path] = response = client.get(path)
        assert response.status_code == 200, path
        assert_secure_headers(response)
        assert inline_code(response).blocked == [], path
    # Their styles are in a file that the policy allows.
    stylesheet = '<link rel="stylesheet" href="/static/css/admin.css">'
    assert stylesheet in pages[change_list].content.decode()
    assert stylesheet in pages[change_form].content.decode()
    assert 'class="decision-panel"' in pages[change_form].content.decode()


HEADERS_IN_PRODUCTION = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client, override_settings

# The manifest storage needs collectstatic first; the headers do not depend on it.
storages = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
with override_settings(STORAGES=storages):
    client = Client(HTTP_HOST="engagements.coorace.org")
    plain = client.get("/admin/login/")
    secure = client.get("/admin/login/", secure=True)
print(json.dumps({
    "plain": [plain.status_code, plain.headers.get("Location")],
    "status": secure.status_code,
    "headers": dict(secure.headers),
    "csrf_cookie_secure": secure.cookies["csrftoken"]["secure"],
}))
"""


def test_in_production_https_is_enforced_with_hsts():
    result = run_python(HEADERS_IN_PRODUCTION, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    served = json.loads(result.stdout.strip().splitlines()[-1])
    assert served["plain"] == [301, "https://engagements.coorace.org/admin/login/"]
    assert served["status"] == 200
    headers = served["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    # django-csp writes the directives in no fixed order.
    directives = {part.strip() for part in headers["Content-Security-Policy"].split(";")}
    assert "script-src 'self'" in directives
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert served["csrf_cookie_secure"] is True


# The admin login's rate limit (candidates/admin_login.py).


def admin_login(client, username, password, **extra):
    """The admin's login form as a browser sends it (next: the admin's index)."""
    data = {"username": username, "password": password, "next": reverse("admin:index")}
    return client.post(ADMIN_LOGIN, data, **extra)


def test_a_staff_member_logs_in_to_the_admin(client):
    staff = make_moderator("nadia")
    response = admin_login(client, "nadia", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_after_five_failures_even_the_right_password_is_refused_until_the_window_passes(
    client, monkeypatch
):
    now = time.time()  # standing still (see still_clock)
    staff = make_moderator("nadia")
    for _ in range(5):
        response = admin_login(client, "nadia", "pas-le-bon")
        assert WRONG in response.content.decode()
        assert TOO_MANY not in response.content.decode()

    response = admin_login(client, "nadia", PASSWORD)
    assert response.status_code == 200
    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another login from the same address is still free to try.
    make_moderator("yanis")
    assert admin_login(client, "yanis", PASSWORD).status_code == 302

    # Five minutes later, the window has passed.
    later = now + 5 * 60 + 1
    monkeypatch.setattr(time, "time", lambda: later)
    client.logout()
    response = admin_login(client, "nadia", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_the_limit_says_the_same_whether_the_account_exists_or_not(client):
    make_moderator("nadia")
    answers = {}
    for number, username in enumerate(["nadia", "personne"]):
        address = {"REMOTE_ADDR": f"192.0.2.{number + 1}"}
        for _ in range(5):
            assert WRONG in admin_login(client, username, "pas-le-bon", **address).content.decode()
        response = admin_login(client, username, "pas-le-bon", **address)
        answers[username] = (response.status_code, response.context["form"].errors)
    assert answers["nadia"] == answers["personne"] == (200, {"__all__": [TOO_MANY]})


def test_ten_failures_a_minute_from_one_address_close_the_admin_login_to_it(client):
    make_moderator("nadia")
    for number in range(10):
        admin_login(client, f"essai{number}", "pas-le-bon")
    assert TOO_MANY in admin_login(client, "nadia", PASSWORD).content.decode()
    # Another address is not held back.
    response = admin_login(client, "nadia", PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302


def test_behind_the_proxy_each_visitor_is_counted_at_their_own_address(client, settings):
    """Production trusts one proxy: the address it appends to X-Forwarded-For counts."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    make_moderator("nadia")
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for number in range(10):
        admin_login(
            client, f"essai{number}", "pas-le-bon", HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy
        )
    # A forged X-Forwarded-For is in front of the address the proxy appends.
    forged = {"HTTP_X_FORWARDED_FOR": "192.0.2.50, 203.0.113.9", **proxy}
    assert TOO_MANY in admin_login(client, "nadia", PASSWORD, **forged).content.decode()
    other = {"HTTP_X_FORWARDED_FOR": "198.51.100.7", **proxy}
    assert admin_login(client, "nadia", PASSWORD, **other).status_code == 302


def test_the_production_settings_trust_one_proxy():
    result = run_python(
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"


def test_a_member_of_the_public_cannot_log_in_to_the_admin(client):
    make_user("camille@exemple.test")
    response = admin_login(client, "camille@exemple.test", PASSWORD)
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert "_auth_user_id" not in client.session
