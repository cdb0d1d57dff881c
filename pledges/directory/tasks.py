"""The public pages' file jobs: a list's or signatory's share image and poster, drawn into
storage when a request or a page finds the current version missing (no request draws
them). A storage failure (OSError) fails the job, which config.tasks tries again later."""

from django_tasks import task

import config.tasks  # noqa: F401  (its retry policy applies to these jobs)
from pledges.directory.poster import store_poster
from pledges.directory.share_image import draw_image


@task()
def render_share_image(kind: str, pk: int) -> str:
    """Draw the current card of a list (`kind` « liste ») or a signatory (« signataire »)
    unless its file is there already (see `share_image.draw_image`)."""
    return draw_image(kind, pk) or "not public"


@task()
def render_poster(kind: str, pk: int) -> str:
    """Render the current poster of a list or signatory unless its file is there already
    (see `poster.store_poster`)."""
    return store_poster(kind, pk) or "no poster: not approved"
