"""The site's URLs plus /hello/, the smallest Django page: the load benchmark's ceiling.

Only benchmarks/load.py serves it, by starting gunicorn with
DJANGO_ROOT_URLCONF=benchmarks.hello_urls; the site itself (config.urls) never routes to
it. The request goes through the same middleware as every page, so /hello/ measures what
the stack costs before a view does any work. /hello/<size>/ answers `size` random bytes
(at most 16 MB): the ceiling for a response as large as a given page.
"""

import functools
import os

from django.http import Http404, HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_GET

MAX_SIZE = 16 * 2**20


@require_GET
def hello(request):
    return HttpResponse("Bonjour\n", content_type="text/plain; charset=utf-8")


@functools.lru_cache(maxsize=4)
def _random_bytes(size: int) -> bytes:
    # Random: no layer can compress them, as a gzipped page can't be compressed further.
    return os.urandom(size)


@require_GET
def hello_of_size(request, size):
    if size > MAX_SIZE:
        raise Http404
    return HttpResponse(_random_bytes(size), content_type="application/octet-stream")


urlpatterns = [
    path("hello/", hello),
    path("hello/<int:size>/", hello_of_size),
    path("", include("config.urls")),
]
