"""What a shared cache may keep: the app says it, the reverse proxy (nginx) does the caching.

A public page is the same for every visitor who is not signed in, so nginx (or a CDN) may
keep it for a minute: `public_cache` marks such responses `Cache-Control: public,
max-age=60` (`PUBLIC_CACHE_MAX_AGE`, read at each response, so that tests/deploy/ can
lower it). It never marks a response that could be personal: a request carrying a session
or messages cookie (a signed-in user, a pending flash message) gets `private`, and so does
anything but a successful GET or HEAD, or a response whose rendering wrote to the session,
used a CSRF token or queued a message. `Vary: Cookie` tells caches to keep those
apart. The decorator touches neither the session nor the cookies, so an anonymous visit
sets no cookie. A view that set its own Cache-Control (a preview only its owner may see)
keeps it.

A personal page (« Mon espace », « Ma candidature », a data export…) is `personal`:
`Cache-Control: private, no-store`, so that neither a shared cache nor the browser's disk
keeps it. `PermissionsPolicyMiddleware` tells browsers that no page of the site may use
the camera, the microphone, the position and the other features it never needs.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, getattr(settings, "MESSAGE_COOKIE", "messages"))


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


def is_shareable(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether a shared cache may serve this response to anyone."""
    return (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and not response.cookies
        and not any(name in request.COOKIES for name in PERSONAL_COOKIES)
        and not _left_something_personal(request)
    )


def public_cache(view: Callable) -> Callable:
    """A public page: GET and HEAD only, shareable for a minute when nothing is personal."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if not response.has_header("Cache-Control"):
            if is_shareable(request, response):
                patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_MAX_AGE)
            else:
                patch_cache_control(response, private=True)
        patch_vary_headers(response, ("Cookie",))
        return response

    return require_safe(wrapper)


def personal(view: Callable) -> Callable:
    """A page holding someone's own data: kept by no cache, not even the browser's."""
    return cache_control(private=True, no_store=True)(view)


# Browser features the site never uses, denied to every page and to anything it embeds.
# Features a browser does not know are ignored by it (at worst with a console warning).
DENIED_FEATURES = (
    "accelerometer",
    "autoplay",
    "bluetooth",
    "browsing-topics",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "hid",
    "interest-cohort",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
)
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in DENIED_FEATURES)


class PermissionsPolicyMiddleware:
    """Adds `Permissions-Policy` to every response (static files too, when placed before
    WhiteNoise) unless the view chose its own."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
