"""HTTP caching of the public pages: by shared caches, and by the app servers themselves.

A public page is the same for every visitor who is not signed in, so a reverse proxy or a
CDN may keep it for a minute: `public_cache` marks such responses
`Cache-Control: public, max-age=60`. It never marks a response that could be personal:
a request carrying a session or messages cookie (a signed-in user, a pending flash
message) gets `private`, and so does anything but a successful GET. `Vary: Cookie` tells
caches to keep those apart. The decorator itself touches neither the session nor the
cookies, so an anonymous visit still sets no cookie.

The app servers keep the same responses, so that an anonymous GET of a public page runs
no view and no SQL:

- A page is stored in Django's default cache (CACHE_URL: Redis in production, shared by
  every worker) for PAGE_CACHE_TIMEOUT seconds under its full path, query string included,
  together with the public version of pledges.queries, also stored apart as the page's
  small stamp. A stored page counts only while that version is current, so
  `invalidate_public_caches()`, which the services call on commit after every change of
  public data, makes every stored page stale at once.
- Only what `public_cache` would let a shared cache keep is stored, and only if rendering
  it left nothing personal behind (a session, a CSRF token, a message): a signed-in user,
  a flash message or a POST always reaches the view.
- One request at a time renders a stale page (a lock in the cache). Meanwhile the others
  get the previous page (`max-age=0`) if their process still has it, or wait for the new
  one: a busy commune or the exports take seconds to render, and a version change must
  not make every worker render them at once.
- A page that took seconds to render (a busy commune, the exports) stays quiet for ten
  times that: a change of version meanwhile leaves it served as the previous page, so
  that decisions every few seconds on the eve of the deadline do not keep a worker
  rendering it without pause. The quiet period ends; the next request renders it anew.
- Large text pages are also stored compressed, once, with Brotli and with gzip, and served
  so to clients that accept it (`Vary: Accept-Encoding`): a busy commune's grid is 140
  times smaller in Brotli, the CSV export 7 times.
- Each process keeps the pages it served lately (PROCESS_PAGES_BYTES at most), as they
  left the middleware, and `PageCacheMiddleware`, placed right after the security and
  static-file middleware, serves them before the rest of the stack runs: no session, no
  URL resolution, no CSP header built anew. It checks them against the public version as
  this process read it less than VERSION_MAX_AGE (a second) ago, rather than on every
  request: a Redis round trip costs more than the rest of serving such a page. A change
  committed through this process is seen at once; through another, within that second
  (shared caches may keep a page for a minute anyway). Fetching a 10 MB export from Redis
  and unpickling it costs tens of milliseconds; the whole stack, a few tenths of one.
"""

import gzip
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps

import brotli
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

from pledges.queries import public_version, recent_public_version

PUBLIC_MAX_AGE = 60
# A stored page goes stale with the public version, which every change of public data
# renews (the services, pledges.signals); this expiry is only a bound. Short, it would
# have the busiest pages, which take seconds to render, rendered again every minute
# for nothing.
PAGE_CACHE_TIMEOUT = 15 * 60
# One render at a time per page; a render slower than this lets another request try.
RENDER_LOCK_TIMEOUT = 30
# How long a request waits for another's render before rendering itself, and how often
# it looks.
RENDER_WAIT = 15.0
RENDER_WAIT_STEP = 0.05
# A previous page is served during another's render only if it expired less than this ago.
STALE_GRACE = 120
# A page that takes seconds to render (a busy commune's grid, the exports) is rendered
# again at most once per QUIET_FACTOR times its render time: until then, a change of the
# public version leaves it served as a previous page (max-age=0). Otherwise moderation
# decisions every few seconds would keep a worker rendering it without pause, and the
# requests that worker holds waiting. A page rendered faster than SLOW_RENDER seconds goes
# stale at once.
SLOW_RENDER = 0.5
QUIET_FACTOR = 10
PROCESS_PAGES_BYTES = 64 * 2**20
# A page this process keeps is served if it matches the public version read at most this
# many seconds ago: a change made through another process shows here within that time.
VERSION_MAX_AGE = 1.0
# Smaller pages gain little from compression; these types gain much. Brotli's quality 9
# is the best before its slow levels: 0.3 s for the 7 MB CSV export, once per version.
COMPRESS_MIN_BYTES = 1024
COMPRESS_TYPES = ("text/", "application/json", "application/xml")
BROTLI_QUALITY = 9
# The cookies through which a response could carry something personal.
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, getattr(settings, "MESSAGE_COOKIE", "messages"))

# A stored page: (public version, expiry as a Unix time, headers, body, {encoding: body},
# end of its quiet period as a Unix time), the encodings in order of preference ("br",
# then "gzip"). Beside it, its stamp: (public version, end of its quiet period).
StoredPage = tuple[str, float, dict[str, str], bytes, dict[str, bytes], float]


def is_shareable(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether a shared cache may serve this response to anyone."""
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.cookies
        and not any(name in request.COOKIES for name in PERSONAL_COOKIES)
    )


def page_cache_key(request: HttpRequest) -> str:
    # Hashed: a query string may be long, or hold characters a cache key may not. The
    # prefix names StoredPage's shape: change it with the shape.
    return "page:3:" + hashlib.sha256(request.get_full_path().encode()).hexdigest()


def _is_fresh(page: StoredPage | None, version: str) -> bool:
    return page is not None and page[0] == version and page[1] > time.time()


def _is_quiet(page: StoredPage | None) -> bool:
    """Whether a slow page, even of a previous version, is still served as it is."""
    return page is not None and min(page[1], page[5]) > time.time()


class _ProcessPages:
    """The stored pages this process served lately, least recently used dropped first.

    A page stays here after it went stale: it may be served while another request renders
    the new one.
    """

    def __init__(self, budget: int):
        self.budget = budget
        self._pages: OrderedDict[str, StoredPage] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # gunicorn's gthread workers serve in threads

    @staticmethod
    def _size(page: StoredPage) -> int:
        return len(page[3]) + sum(map(len, page[4].values()))

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._bytes = 0

    def get(self, key: str) -> StoredPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: str, page: StoredPage) -> None:
        size = self._size(page)
        with self._lock:
            if key in self._pages:
                self._bytes -= self._size(self._pages.pop(key))
            if size > self.budget:
                return
            self._pages[key] = page
            self._bytes += size
            while self._bytes > self.budget:
                _key, dropped = self._pages.popitem(last=False)
                self._bytes -= self._size(dropped)


_process_pages = _ProcessPages(PROCESS_PAGES_BYTES)


def _may_be_served_from_cache(request: HttpRequest) -> bool:
    return request.method == "GET" and not any(name in request.COOKIES for name in PERSONAL_COOKIES)


def _left_something_personal(request: HttpRequest) -> bool:
    """Whether rendering wrote to the session, used a CSRF token or queued a message.

    The middleware turns each of those into a cookie only after the view has returned,
    so the response alone does not tell.
    """
    session = getattr(request, "session", None)
    return bool(
        request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or (session is not None and session.modified)
        or getattr(getattr(request, "_messages", None), "added_new", False)
    )


def _stored_page(response: HttpResponse, version: str, render_seconds: float) -> StoredPage:
    content = response.content
    encoded = {}
    if len(content) >= COMPRESS_MIN_BYTES and response.get("Content-Type", "").startswith(
        COMPRESS_TYPES
    ):
        encoded = {
            "br": brotli.compress(content, quality=BROTLI_QUALITY),
            # mtime=0: the same page always compresses to the same bytes.
            "gzip": gzip.compress(content, compresslevel=6, mtime=0),
        }
        encoded = {name: body for name, body in encoded.items() if len(body) < len(content)}
        if encoded:
            patch_vary_headers(response, ("Accept-Encoding",))
    now = time.time()
    quiet_until = now + QUIET_FACTOR * render_seconds if render_seconds >= SLOW_RENDER else 0.0
    return (
        version,
        now + PAGE_CACHE_TIMEOUT,
        dict(response.items()),
        content,
        encoded,
        quiet_until,
    )


def accepted_encodings(header: str) -> set[str]:
    """The content codings an Accept-Encoding header accepts (`;q=0` refuses one)."""
    accepted = set()
    for item in header.lower().split(","):
        coding, *parameters = (part.strip() for part in item.split(";"))
        refused = any(_is_zero_weight(parameter) for parameter in parameters)
        if coding and not refused:
            accepted.add(coding)
    return accepted


def _is_zero_weight(parameter: str) -> bool:
    name, _, value = parameter.partition("=")
    try:
        return name.strip() == "q" and float(value) == 0
    except ValueError:
        return False


def _response(request: HttpRequest, page: StoredPage, *, stale: bool = False) -> HttpResponse:
    _version, _expires_at, headers, content, encoded, _quiet_until = page
    accepted = accepted_encodings(request.headers.get("Accept-Encoding", "")) if encoded else ()
    coding = next((name for name in encoded if name in accepted), None)
    body = content if coding is None else encoded[coding]
    response = HttpResponse(body, headers=headers)
    if coding is not None:
        response["Content-Encoding"] = coding
    # Set here, so that CommonMiddleware does not join the body to measure it.
    response["Content-Length"] = str(len(body))
    if stale:
        # Shared caches must not keep a page that is already out of date.
        patch_cache_control(response, max_age=0)
    return response


def _shared_page(key: str, version: str) -> StoredPage | None:
    """The stored page if it is of this version, or of another but quiet; else None.

    Its small stamp is read first: a busy commune's stored page weighs megabytes, and
    fetched and unpickled by every request while the version has moved on and another
    request renders the new one, it would cost more than serving.
    """
    stamp = cache.get(f"{key}:version")
    if stamp is None or (stamp[0] != version and stamp[1] <= time.time()):
        return None
    page = cache.get(key)
    if page is None or page[0] != stamp[0]:
        return None
    return page if _is_fresh(page, version) or _is_quiet(page) else None


def _store(key: str, page: StoredPage) -> None:
    cache.set_many({key: page, f"{key}:version": (page[0], page[5])}, PAGE_CACHE_TIMEOUT)


def _wait_for_render(key: str, lock: str, version: str) -> StoredPage | None:
    """The page another request is rendering, once stored; None if it gave up or failed."""
    deadline = time.monotonic() + RENDER_WAIT
    while time.monotonic() < deadline:
        time.sleep(RENDER_WAIT_STEP)
        found = cache.get_many([f"{key}:version", lock])
        stamp = found.get(f"{key}:version")
        if stamp is not None and stamp[0] == version:
            return _shared_page(key, version)
        if lock not in found:  # done, but nothing stored (an error, a 404…)
            return None
    return None


def public_cache(view: Callable) -> Callable:
    """Serve and store anonymous GETs of a public page; let shared caches keep them too.

    A view that set its own Cache-Control (a preview only its owner may see) keeps it, and
    its response is never stored.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _may_be_served_from_cache(request):
            return _mark(request, view(request, *args, **kwargs))
        key, lock = page_cache_key(request), None
        # Read before the view runs: data committed meanwhile brings a new version,
        # which makes the page stored below stale at once rather than a minute later.
        version = public_version()
        shared = _shared_page(key, version)
        if shared is not None:
            return _served(request, shared, stale=shared[0] != version)
        if cache.add(f"{key}:lock", 1, RENDER_LOCK_TIMEOUT):
            lock = f"{key}:lock"
        else:
            # Another request is rendering this page: meanwhile, the previous one this
            # process kept (PageCacheMiddleware hands it over), if recent.
            previous = getattr(request, "_previous_page", None)
            if previous is not None and previous[1] > time.time() - STALE_GRACE:
                return _response(request, previous, stale=True)
            page = _wait_for_render(key, f"{key}:lock", version)
            if page is not None:
                return _served(request, page)
        try:
            started = time.monotonic()
            response = view(request, *args, **kwargs)
            storable = (
                not response.has_header("Cache-Control")  # the view did not decide
                and is_shareable(request, response)
                and not response.streaming
                and not _left_something_personal(request)
            )
            _mark(request, response)
            if not storable:
                return response
            page = _stored_page(response, version, time.monotonic() - started)
            _store(key, page)
            return _served(request, page)
        finally:
            if lock is not None:
                cache.delete(lock)

    return wrapper


def _served(request: HttpRequest, page: StoredPage, *, stale: bool = False) -> HttpResponse:
    """A current or quiet page, which PageCacheMiddleware may keep in this process."""
    response = _response(request, page, stale=stale)
    response.stored_page = page
    return response


class PageCacheMiddleware:
    """Serves the public pages this process keeps, before the rest of the middleware.

    Place it after SecurityMiddleware (HTTPS redirect, security headers on every response)
    and WhiteNoiseMiddleware (static files), before everything else. A page is kept here
    with the headers the middleware below it added (Content-Security-Policy, X-Frame-Options,
    Content-Language, Vary), all the same for every anonymous visitor, so that serving it
    again needs none of them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _may_be_served_from_cache(request):
            return self.get_response(request)
        request.get_host()  # a Host outside ALLOWED_HOSTS is refused, as further down
        key = page_cache_key(request)
        local = _process_pages.get(key)
        if local is not None:
            if _is_fresh(local, recent_public_version(VERSION_MAX_AGE)):
                return _response(request, local)
            if _is_quiet(local):
                return _response(request, local, stale=True)
            request._previous_page = local  # for public_cache, while another renders
        response = self.get_response(request)
        page = getattr(response, "stored_page", None)
        if page is not None and response.status_code == 200 and not response.cookies:
            headers = {
                name: value
                for name, value in response.items()
                if name.lower() not in ("content-encoding", "content-length")
            }
            _process_pages.put(key, (*page[:2], headers, *page[3:]))
        return response


def _mark(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Public or private, unless the view decided; and Vary: Cookie in any case."""
    if not response.has_header("Cache-Control"):
        if is_shareable(request, response):
            patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        else:
            patch_cache_control(response, private=True)
    patch_vary_headers(response, ("Cookie",))
    return response
