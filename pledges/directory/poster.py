"""The poster of a signed list or signatory: one printable A4 page, for a campaign office or
a market stall — the name, where they stand, the commitments signed in their exact wording,
grouped by proposal, and a QR code to the public page.

HTML first (`poster_html`, which most tests read), then PDF through the certificates'
renderer (pledges.certificates.pdf.render_pdf, the only WeasyPrint import, whose fetcher
loads nothing but the shipped fonts). A render takes most of a second, so no request
renders: what the poster shows (`PosterContent`) is fingerprinted (`digest`, with the
site's address and `TEMPLATE_VERSION`) and the PDF is rendered once per fingerprint by a
job (pledges.directory.tasks.render_poster, `store_poster`) into the default storage as
`affiches/<kind>-<pk>-<digest>.pdf`, as the share image is: under a lock on the
signature's row, only if the file is still missing, written whole, the older versions of
the same list or person deleted. The route serves the stored file, or enqueues the job and
answers « L’affiche est en préparation… » (503, Retry-After), a page that reloads itself.
Approved signatures only: a withdrawn one has nothing left to campaign with.

The date in the footer (« État au … ») is the day the version was rendered: the
commitments shown were those signed on that day, and still are, or the version would
have another fingerprint.
"""

import hashlib
import itertools
import json
import logging
from dataclasses import asdict, dataclass
from functools import partial

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.text import slugify
from django.utils.translation import gettext as _

from config.http import public_cache
from config.site import absolute_url
from pledges.certificates.pdf import STATIC_DIR, qr_code_svg, render_pdf
from pledges.certificates.services import write_whole
from pledges.charter.queries import current_campaign
from pledges.directory.share_image import (
    POSTER_FOLDER,
    Kind,
    delete_older_versions,
    is_stored,
    lock_signature,
    public_list,
    public_signatory,
)
from pledges.models import Signature

logger = logging.getLogger(__name__)

# Bump when templates/pdf/poster.html changes: every poster is then rendered again after
# its next request.
TEMPLATE_VERSION = "1"
FOLDER = POSTER_FOLDER
# Seconds after which the « en préparation » page reloads itself (and Retry-After).
RETRY_AFTER = 5


@dataclass(frozen=True)
class PosterContent:
    """Everything the poster shows but its date: two equal contents print the same."""

    kind: str
    pk: int
    name: str
    kicker: str
    place: str
    page_path: str
    campaign_name: str
    campaign_title: str
    # The active commitments by proposal, in charter order: (number, title, ((code, text),…)).
    groups: tuple[tuple[int, str, tuple[tuple[str, str], ...]], ...]

    @property
    def digest(self) -> str:
        printed = {**asdict(self), "site": settings.SITE_URL, "template": TEMPLATE_VERSION}
        canonical = json.dumps(printed, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()[:20]

    @property
    def file_name(self) -> str:
        return f"{FOLDER}/{self.kind}-{self.pk}-{self.digest}.pdf"

    @property
    def count(self) -> int:
        return sum(len(commitments) for _number, _title, commitments in self.groups)

    @property
    def download_name(self) -> str:
        return f"affiche-coorace-{slugify(self.name)[:80] or 'signataire'}.pdf"


def _groups(row) -> tuple:
    """The active commitments, grouped by proposal in charter order."""
    groups = []
    for _id, group in itertools.groupby(row.active, key=lambda s: s.commitment.proposal_id):
        signatures = list(group)
        proposal = signatures[0].commitment.proposal
        commitments = tuple((s.commitment.code, s.commitment.text) for s in signatures)
        groups.append((proposal.number, proposal.title, commitments))
    return tuple(groups)


def _content(row, *, kind: str, pk: int, name: str, kicker: str, place: str, page_path: str):
    campaign = row.pledge.campaign
    return PosterContent(
        kind=kind,
        pk=pk,
        name=name,
        kicker=kicker,
        place=place,
        page_path=page_path,
        campaign_name=campaign.name,
        campaign_title=campaign.title,
        groups=_groups(row),
    )


def list_poster_content(electoral_list, row) -> PosterContent:
    head = electoral_list.head
    return _content(
        row,
        kind=Kind.LIST,
        pk=electoral_list.pk,
        name=electoral_list.name,
        kicker=_("Liste conduite par %(name)s") % {"name": head.full_name} if head else "",
        place=f"{electoral_list.place} ({electoral_list.commune.departement_id})",
        page_path=electoral_list.get_absolute_url(),
    )


def signatory_poster_content(row, electoral_list=None) -> PosterContent:
    candidate = row.pledge.candidate
    commune = candidate.commune
    place = commune.name
    if candidate.secteur_id:
        place = f"{place}, {candidate.secteur.name}"
    role = candidate.get_role_display()
    list_name = electoral_list.name if electoral_list else candidate.list_name
    return _content(
        row,
        kind=Kind.SIGNATORY,
        pk=row.pledge.pk,
        name=candidate.full_name,
        kicker=f"{role} · {list_name}" if list_name else role,
        place=f"{place} ({commune.departement_id})",
        page_path=row.pledge.get_absolute_url(),
    )


def poster_html(content: PosterContent) -> str:
    url = absolute_url(content.page_path)
    return render_to_string(
        "pdf/poster.html",
        {
            "campaign": {"name": content.campaign_name, "title": content.campaign_title},
            "name": content.name,
            "kicker": content.kicker,
            "place": content.place,
            "groups": [
                {
                    "proposal": {"number": number, "title": title},
                    "commitments": [
                        {"commitment": {"code": code, "text": text}} for code, text in commitments
                    ],
                }
                for number, title, commitments in content.groups
            ],
            "count": content.count,
            "page_url": url,
            "qr_code": qr_code_svg(url),
            "today": timezone.localdate(),
            "fonts_url": (STATIC_DIR / "fonts").as_uri(),
        },
    )


def current_poster(kind: str, pk: int) -> PosterContent | None:
    """What the poster of this list or signatory shows now; None unless it is approved."""
    if kind == Kind.LIST:
        campaign = current_campaign()
        electoral_list, row = public_list(campaign, pk)
        if electoral_list is None or row.pledge.status != Signature.Status.APPROVED:
            return None
        row.pledge.campaign = campaign  # the poster names it: no query for it
        return list_poster_content(electoral_list, row)
    row, electoral_list = public_signatory(pk)
    if row is None or row.pledge.status != Signature.Status.APPROVED:
        return None
    return signatory_poster_content(row, electoral_list)


# ------------------------------------------------------------------ storage and the job


def schedule_poster(content: PosterContent) -> None:
    """Render the poster of this list or signatory in a job, once the transaction commits."""
    from pledges.directory.tasks import render_poster

    transaction.on_commit(partial(render_poster.enqueue, content.kind, content.pk), robust=True)


def store_poster(kind: str, pk: int) -> str | None:
    """The job's work: the current poster of this list or signatory in storage, rendered
    unless its file is there already, once however many jobs run together (the
    signature's row is locked while it renders, and the content read under the lock).
    Returns the file's name, None if there is no poster (not approved). Raises OSError
    when the storage fails (nothing is left behind): the job is then tried again."""
    with transaction.atomic():
        lock_signature(kind, pk)
        content = current_poster(kind, pk)
        if content is None:
            return None
        if default_storage.exists(content.file_name):
            return content.file_name
        write_whole(default_storage, content.file_name, render_pdf(poster_html(content)))
    delete_older_versions(FOLDER, content.file_name, prefix=f"{content.kind}-{content.pk}-")
    return content.file_name


# ------------------------------------------------------------------ the routes


def _in_preparation(request, content: PosterContent):
    """« L’affiche est en préparation… »: 503, kept by no cache, reloading itself."""
    response = render(
        request,
        "pledges/directory/poster_in_preparation.html",
        {"content": content, "retry_after": RETRY_AFTER},
        status=503,
    )
    response["Retry-After"] = str(RETRY_AFTER)
    patch_cache_control(response, no_store=True)
    return response


def _serve(request, content: PosterContent):
    """The stored PDF (cached like a public page), or the job and the French 503 page."""
    if is_stored(content.file_name):
        try:
            pdf = default_storage.open(content.file_name, "rb")
        except OSError:
            logger.exception("Poster %s could not be read.", content.file_name)
            pdf = None
        if pdf is not None:
            response = FileResponse(
                pdf, filename=content.download_name, content_type="application/pdf"
            )
            response["ETag"] = f'"{content.digest}"'
            return response
    schedule_poster(content)
    return _in_preparation(request, content)


@public_cache
def list_poster(request, pk):
    content = current_poster(Kind.LIST, pk)
    if content is None:
        raise Http404("Liste inconnue.")
    return _serve(request, content)


@public_cache
def signatory_poster(request, pk):
    content = current_poster(Kind.SIGNATORY, pk)
    if content is None:
        raise Http404("Signataire inconnu.")
    return _serve(request, content)
