"""HTTP caching of the public pages.

A public page is the same for every visitor who is not signed in, so a reverse proxy or a
CDN may keep it for a minute: `public_cache` marks such responses
`Cache-Control: public, max-age=60`. It never marks a response that could be personal:
a request carrying a session or messages cookie (a signed-in user, a pending flash
message) gets `private`, and so does anything but a successful GET. `Vary: Cookie` tells
caches to keep those apart. The decorator itself touches neither the session nor the
cookies, so an anonymous visit still sets no cookie.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

PUBLIC_MAX_AGE = 60
# The cookies through which a response could carry something personal.
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, getattr(settings, "MESSAGE_COOKIE", "messages"))


def is_shareable(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether a shared cache may serve this response to anyone."""
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.cookies
        and not any(name in request.COOKIES for name in PERSONAL_COOKIES)
    )


def public_cache(view: Callable) -> Callable:
    """Let shared caches keep anonymous GETs of a public page for PUBLIC_MAX_AGE seconds.

    A view that set its own Cache-Control (a preview only its owner may see) keeps it.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if not response.has_header("Cache-Control"):
            if is_shareable(request, response):
                patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
            else:
                patch_cache_control(response, private=True)
        patch_vary_headers(response, ("Cookie",))
        return response

    return wrapper
