"""The share image of a public list or signatory: a 1200 by 630 PNG for Open Graph cards.

What it shows (`ShareContent`: the campaign's mark, the list's or person's name, where they
stand, « 14 engagements sur 20 » or the withdrawal, the site's host) is fingerprinted
(`ShareContent.digest`, with `TEMPLATE_VERSION`); the PNG is drawn once per fingerprint and
kept in the default storage as `partage/<kind>-<pk>-<digest>.png`. A request never draws
it: the route serves the stored file, or, when it is missing, enqueues the drawing job
(pledges.directory.tasks.render_share_image) and serves the generic card, which no cache
keeps. The list page and the signatory page enqueue the same job when they name an image
not yet drawn (`drawn_soon`), so that it is ready before anyone shares the
link. The job (`draw_image`) draws as certificates are rendered: under a lock on the
signature's row (SELECT … FOR UPDATE on PostgreSQL, SQLite's write lock), only if the file
is still missing (several jobs for one image draw once), written whole or not at all
(`certificates.services.write_whole`). A page whose content changes gets a new name, hence
a new `og:image` URL (`?v=<digest>`) that social networks fetch again; the older versions
of the same list or person are deleted once the new one is written. The posters
(pledges.directory.poster) are stored the same way, with the helpers of this module.

`layout` places the text (wrapped, then shrunk until it fits, an ellipsis as a last
resort) and returns every line with its box, so that a test can check that nothing
overflows; `render_png` draws what `layout` placed, in the shipped Lato fonts.
"""

import hashlib
import io
import json
import logging
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, ImageDraw, ImageFont

from candidates.models import Candidate
from communes.grammar import french_date
from config.cache import counters
from config.http import public_cache
from config.site import absolute_url
from config.typography import french_text
from pledges.certificates.services import write_whole
from pledges.charter.queries import current_campaign
from pledges.directory.lists import confirmed_list_of, public_lists
from pledges.directory.queries import load_signatories
from pledges.models import Certificate, Commitment, Signature

logger = logging.getLogger(__name__)

WIDTH, HEIGHT = 1200, 630
MARGIN = 64
# Bump when the drawing changes: every image is then drawn again after its next request.
TEMPLATE_VERSION = "1"
FOLDER = "partage"
# The posters' folder (pledges.directory.poster), named here for `stored_images_of`.
POSTER_FOLDER = "affiches"
FONTS = Path(settings.BASE_DIR) / "static" / "fonts"
# A generic card (the campaign's mark only), served while the image is being drawn and
# when the storage fails.
FALLBACK = Path(settings.BASE_DIR) / "static" / "img" / "partage.png"

GREEN, DARK_GREEN, ORANGE = "#0b6e4f", "#074d37", "#c2410c"
INK, GREY, PALE = "#1c2430", "#4d5866", "#f4f1ea"

# The name: as large as fits on at most four lines above NAME_BOTTOM, between these sizes.
NAME_SIZES = (76, 68, 60, 54, 48, 43, 38, 34, 30)
NAME_LINES = 4
LEADING = 1.18
BAND = 150  # the green band with the campaign's mark
FOOTER = 84
NAME_BOTTOM = HEIGHT - FOOTER - 70  # room left below the name for the place


class Kind:
    LIST = "liste"
    SIGNATORY = "signataire"


@dataclass(frozen=True)
class ShareContent:
    """Everything the image shows: two equal contents draw the same image."""

    kind: str
    pk: int
    name: str
    place: str
    count: int
    total: int
    withdrawn_on: str = ""  # « 3 mars 2020 » once the signature is withdrawn
    kicker: str = ""  # « Liste conduite par … », « Tête de liste », …

    @property
    def digest(self) -> str:
        drawn = {**asdict(self), "host": site_host(), "template": TEMPLATE_VERSION}
        canonical = json.dumps(drawn, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()[:20]

    @property
    def file_name(self) -> str:
        return f"{FOLDER}/{self.kind}-{self.pk}-{self.digest}.png"

    @property
    def count_line(self) -> str:
        if self.withdrawn_on:
            return _("Signature retirée le %(date)s") % {"date": self.withdrawn_on}
        return ngettext(
            "%(count)d engagement sur %(total)d",
            "%(count)d engagements sur %(total)d",
            self.count,
        ) % {"count": self.count, "total": self.total}

    @property
    def path(self) -> str:
        route = "pledges:list_share_image" if self.kind == Kind.LIST else "pledges:share_image"
        return reverse(route, kwargs={"pk": self.pk})

    @property
    def og_image_url(self) -> str:
        """The absolute URL of the image, versioned so that a new content is a new URL."""
        return absolute_url(f"{self.path}?v={self.digest}")

    @property
    def alt(self) -> str:
        return french_text(
            _("%(name)s, %(place)s : %(count)s. Campagne #Municipales2020 de Coorace.")
            % {"name": self.name, "place": self.place, "count": self.count_line}
        )


def site_host() -> str:
    return urlsplit(settings.SITE_URL).netloc or settings.SITE_URL


def commitment_total(campaign, certificate=None) -> int:
    """The charter's number of commitments: as the signature's current certificate states
    it (the list page has it at hand), or counted and kept a minute in the counters' cache."""
    if certificate is not None and "nombre_engagements" in certificate.content:
        return certificate.content["nombre_engagements"]
    return counters.get_or_set(
        f"share:commitments:{campaign.pk}",
        lambda: Commitment.objects.filter(proposal__campaign=campaign).count(),
        60,
    )


def _withdrawn_on(pledge: Signature) -> str:
    if pledge.status != Signature.Status.WITHDRAWN or pledge.withdrawn_at is None:
        return ""
    return french_date(pledge.withdrawn_at)


def list_content(electoral_list, row, *, total: int) -> ShareContent:
    """A public list's card; `row` is its signature as pledges.directory.queries loads it."""
    head = electoral_list.head
    return ShareContent(
        kind=Kind.LIST,
        pk=electoral_list.pk,
        name=electoral_list.name,
        place=f"{electoral_list.place} ({electoral_list.commune.departement_id})",
        count=len(row.active),
        total=total,
        withdrawn_on=_withdrawn_on(row.pledge),
        kicker=_("Liste conduite par %(name)s") % {"name": head.full_name}
        if head
        else _("Liste candidate"),
    )


def signatory_content(row, *, electoral_list=None, total: int) -> ShareContent:
    """A public signatory's card: the person, their role (and list), their commune."""
    candidate = row.pledge.candidate
    commune = candidate.commune
    role = candidate.get_role_display()
    if electoral_list is not None:
        kicker = f"{role} · {electoral_list.name}"
    elif candidate.list_name:
        kicker = f"{role} · {candidate.list_name}"
    else:
        kicker = role
    place = commune.name
    if candidate.secteur_id:
        place = f"{place}, {candidate.secteur.name}"
    return ShareContent(
        kind=Kind.SIGNATORY,
        pk=row.pledge.pk,
        name=candidate.full_name,
        place=f"{place} ({commune.departement_id})",
        count=len(row.active),
        total=total,
        withdrawn_on=_withdrawn_on(row.pledge),
        kicker=kicker,
    )


# ------------------------------------------------------------------ layout and drawing


@dataclass(frozen=True)
class Line:
    text: str
    font: str  # a file of static/fonts/
    size: int
    x: int
    y: int
    fill: str
    box: tuple[int, int, int, int]  # left, top, right, bottom, as drawn


def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / name), size)


def _width(text: str, font: ImageFont.FreeTypeFont) -> float:
    return font.getlength(text)


def _split_word(word: str, font, width: int) -> list[str]:
    """A word wider than the line (a 60-letter name without spaces), cut where it must."""
    pieces, current = [], ""
    for letter in word:
        if current and _width(current + letter, font) > width:
            pieces.append(current)
            current = letter
        else:
            current += letter
    return [*pieces, current] if current else pieces


def wrap(text: str, font, width: int) -> list[str]:
    """Words on lines no wider than `width` (a word too wide is cut); only plain spaces
    break a line, never the no-break ones French typography puts before « ! » or « : »."""
    lines, current = [], ""
    for word in text.split(" "):
        if not word:
            continue
        for piece in _split_word(word, font, width) if _width(word, font) > width else [word]:
            candidate = f"{current} {piece}" if current else piece
            if current and _width(candidate, font) > width:
                lines.append(current)
                current = piece
            else:
                current = candidate
    return [*lines, current] if current else lines


def _ellipsis(line: str, font, width: int) -> str:
    while line and _width(line + "…", font) > width:
        line = line[:-1].rstrip()
    return line + "…"


def fit(text: str, font_name: str, sizes, *, width: int, max_lines: int) -> tuple[int, list[str]]:
    """The largest size at which `text` fits on `max_lines`; at the smallest, cut with « … »."""
    for size in sizes:
        lines = wrap(text, _font(font_name, size), width)
        if len(lines) <= max_lines:
            return size, lines
    size = sizes[-1]
    font = _font(font_name, size)
    lines = wrap(text, font, width)
    return size, [*lines[: max_lines - 1], _ellipsis(lines[max_lines - 1], font, width)]


def fit_block(text: str, *, width: int, height: int) -> tuple[int, list[str]]:
    """The name: the largest size whose lines fit both the width and the height left."""
    for size in NAME_SIZES:
        lines = wrap(text, _font("Lato-Black.ttf", size), width)
        if len(lines) <= min(NAME_LINES, height // int(size * LEADING)):
            return size, lines
    size = NAME_SIZES[-1]
    return fit(
        text,
        "Lato-Black.ttf",
        (size,),
        width=width,
        max_lines=min(NAME_LINES, height // int(size * LEADING)),
    )


def _line(draw, text, font_name, size, x, y, fill) -> Line:
    font = _font(font_name, size)
    box = tuple(int(v) for v in draw.textbbox((x, y), text, font=font))
    return Line(text, font_name, size, x, y, fill, box)


def layout(content: ShareContent | None) -> list[Line]:
    """Every line of the card with its box (None: the generic card, the mark alone)."""
    draw = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    width = WIDTH - 2 * MARGIN
    lines = [
        _line(draw, "COORACE", "Lato-Black.ttf", 40, MARGIN, 34, "#ffffff"),
        _line(draw, "#Municipales2020", "Lato-Bold.ttf", 40, MARGIN + 230, 34, "#ffd9c2"),
    ]
    tagline = french_text(_("S’engager pour les territoires inclusifs de demain !"))
    size, wrapped = fit(tagline, "Lato-Italic.ttf", (30, 26, 22), width=width, max_lines=1)
    lines.append(_line(draw, wrapped[0], "Lato-Italic.ttf", size, MARGIN, 92, "#ffffff"))
    y = BAND + 34
    if content is None:
        generic = french_text(_("Qui a signé les engagements dans votre commune ?"))
        size, wrapped = fit(generic, "Lato-Black.ttf", NAME_SIZES, width=width, max_lines=3)
        for text in wrapped:
            lines.append(_line(draw, text, "Lato-Black.ttf", size, MARGIN, y, INK))
            y += int(size * LEADING)
    else:
        if content.kicker:
            size, wrapped = fit(
                french_text(content.kicker), "Lato-Bold.ttf", (30, 26, 22), width=width, max_lines=1
            )
            lines.append(_line(draw, wrapped[0], "Lato-Bold.ttf", size, MARGIN, y, GREEN))
            y += int(size * 1.5)
        size, wrapped = fit_block(french_text(content.name), width=width, height=NAME_BOTTOM - y)
        for text in wrapped:
            lines.append(_line(draw, text, "Lato-Black.ttf", size, MARGIN, y, INK))
            y += int(size * LEADING)
        y += 10
        size, wrapped = fit(
            french_text(content.place), "Lato-Regular.ttf", (34, 30, 26), width=width, max_lines=1
        )
        lines.append(_line(draw, wrapped[0], "Lato-Regular.ttf", size, MARGIN, y, GREY))
    footer_y = HEIGHT - FOOTER + 22
    if content is not None:
        colour = GREY if content.withdrawn_on else DARK_GREEN
        lines.append(
            _line(draw, content.count_line, "Lato-Black.ttf", 38, MARGIN, footer_y - 4, colour)
        )
    host = _line(draw, site_host(), "Lato-Bold.ttf", 28, 0, 0, GREY)
    host_x = WIDTH - MARGIN - (host.box[2] - host.box[0])
    lines.append(_line(draw, site_host(), "Lato-Bold.ttf", 28, host_x, footer_y + 4, GREY))
    return lines


def render_png(content: ShareContent | None) -> bytes:
    """The card as PNG bytes."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PALE)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, BAND), fill=DARK_GREEN)
    draw.rectangle((0, BAND, WIDTH, BAND + 8), fill=ORANGE)
    draw.rectangle((0, HEIGHT - FOOTER, WIDTH, HEIGHT), fill="#ffffff")
    draw.rectangle((0, HEIGHT - FOOTER, WIDTH, HEIGHT - FOOTER + 3), fill=GREEN)
    for line in layout(content):
        draw.text((line.x, line.y), line.text, font=_font(line.font, line.size), fill=line.fill)
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()


# ------------------------------------------------------------------ storage


def is_stored(name: str) -> bool:
    """Whether the file is in storage; a storage that fails to tell counts as a miss."""
    try:
        return default_storage.exists(name)
    except OSError:
        logger.exception("Storage could not tell whether %s exists.", name)
        return False


def lock_signature(kind: str, pk: int) -> None:
    """Lock the row of the signature behind a list's or a signatory's page (inside a
    transaction): the drawing jobs of one page then draw one after the other."""
    signatures = Signature.objects.select_for_update()
    if kind == Kind.LIST:
        signatures.filter(electoral_list_id=pk).first()
    else:
        signatures.filter(pk=pk).first()


def current_content(kind: str, pk: int) -> ShareContent | None:
    """What the card of this list or signatory shows now; None unless it is public."""
    if kind == Kind.LIST:
        campaign = current_campaign()
        electoral_list, row = public_list(campaign, pk)
        if electoral_list is None:
            return None
        certificate = Certificate.objects.current().filter(pledge=row.pledge).first()
        return list_content(electoral_list, row, total=commitment_total(campaign, certificate))
    row, electoral_list = public_signatory(pk)
    if row is None:
        return None
    return signatory_content(
        row, electoral_list=electoral_list, total=commitment_total(row.pledge.campaign)
    )


def drawn_soon(content: ShareContent) -> ShareContent:
    """The card a page names in its og:image, its drawing job enqueued if its file is
    missing, so that it is ready before anyone shares the link: a storage check, no query
    (on a miss, the job's enqueueing). SHARE_IMAGE_ON_PAGE_VIEW off (the tests, where jobs
    run at once) leaves it to the image's own route."""
    if settings.SHARE_IMAGE_ON_PAGE_VIEW and not is_stored(content.file_name):
        schedule_image(content)
    return content


def schedule_image(content: ShareContent) -> None:
    """Draw the card of this list or signatory in a job, once the transaction commits."""
    from pledges.directory.tasks import render_share_image

    transaction.on_commit(
        partial(render_share_image.enqueue, content.kind, content.pk), robust=True
    )


def draw_image(kind: str, pk: int) -> str | None:
    """The drawing job's work: the current card of this list or signatory in storage,
    drawn unless its file is there already, once however many jobs run together (the
    signature's row is locked while it draws, and the content read under the lock).
    Returns the file's name, None if the page is no longer public. Raises OSError when
    the storage fails (nothing is left behind): the job is then tried again."""
    with transaction.atomic():
        lock_signature(kind, pk)
        content = current_content(kind, pk)
        if content is None:
            return None
        if default_storage.exists(content.file_name):
            return content.file_name
        write_whole(default_storage, content.file_name, render_png(content))
    delete_older_versions(FOLDER, content.file_name, prefix=f"{content.kind}-{content.pk}-")
    return content.file_name


def stored_images_of(pledges) -> list[str]:
    """The stored share images and posters of these signatures' pages and of the lists
    they sign for: an erased account takes them with it (pledges.signing.account). A
    storage that fails to list them leaves them (logged): the erasure never waits on it."""
    prefixes = set()
    for pledge in pledges:
        prefixes.add(f"{Kind.SIGNATORY}-{pledge.pk}-")
        if pledge.electoral_list_id:
            prefixes.add(f"{Kind.LIST}-{pledge.electoral_list_id}-")
    if not prefixes:
        return []
    names = []
    for folder in (FOLDER, POSTER_FOLDER):
        try:
            _folders, files = default_storage.listdir(folder)
        except FileNotFoundError:
            continue
        except OSError:
            logger.exception("Files of %s in %s/ could not be listed.", sorted(prefixes), folder)
            continue
        names.extend(f"{folder}/{file}" for file in files if file.startswith(tuple(prefixes)))
    return sorted(names)


def delete_older_versions(folder: str, kept: str, *, prefix: str) -> None:
    """The same list's or person's earlier files (`prefix`, in `folder`) but `kept`:
    nothing links to them any more."""
    try:
        _folders, files = default_storage.listdir(folder)
        for file in files:
            if file.startswith(prefix) and f"{folder}/{file}" != kept:
                default_storage.delete(f"{folder}/{file}")
    except OSError:
        logger.warning("%s/%s…: older versions left in storage.", folder, prefix)


# ------------------------------------------------------------------ the routes


def _generic_card():
    """The campaign's card, which neither nginx nor a browser keeps: the next request
    serves the real one once it is drawn (or the storage is back)."""
    response = FileResponse(FALLBACK.open("rb"), content_type="image/png")
    patch_cache_control(response, no_cache=True, max_age=0)
    return response


def _serve(content: ShareContent):
    """The stored image; if it is not drawn yet, the generic card and the drawing job."""
    if not is_stored(content.file_name):
        schedule_image(content)
        return _generic_card()
    try:
        image = default_storage.open(content.file_name, "rb")
    except OSError:
        logger.exception("Share image %s could not be read.", content.file_name)
        return _generic_card()
    response = FileResponse(image, content_type="image/png")
    response["ETag"] = f'"{content.digest}"'
    return response


def public_list(campaign, pk: int):
    """A public list, with what its card shows, or None."""
    electoral_list = (
        public_lists(campaign)
        .select_related("commune", "secteur", "head", "signature__candidate")
        .filter(pk=pk)
        .first()
    )
    if electoral_list is None:
        return None, None
    (row,) = load_signatories([electoral_list.signature])
    return electoral_list, row


def public_signatory(pk: int):
    """A public signature with what its card shows, and the list it signs for or joined."""
    rows = load_signatories(
        Signature.objects.public()
        .filter(pk=pk)
        .select_related("campaign", "candidate__commune", "candidate__secteur", "electoral_list")
    )
    if not rows:
        return None, None
    row = rows[0]
    pledge = row.pledge
    electoral_list = pledge.electoral_list
    if electoral_list is None and pledge.candidate.role == Candidate.Role.CANDIDATE:
        electoral_list = confirmed_list_of(pledge.candidate, pledge.campaign)
    return row, electoral_list


@public_cache
def list_share_image(request, pk):
    content = current_content(Kind.LIST, pk)
    if content is None:
        raise Http404("Liste inconnue.")
    return _serve(content)


@public_cache
def signatory_share_image(request, pk):
    content = current_content(Kind.SIGNATORY, pk)
    if content is None:
        raise Http404("Signataire inconnu.")
    return _serve(content)
