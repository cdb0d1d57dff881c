"""The share image of a public list or signatory: a 1200 by 630 PNG for Open Graph cards.

What it shows (`ShareContent`: the campaign's mark, the list's or person's name, where they
stand, « 14 engagements sur 20 » or the withdrawal, the site's host) is fingerprinted
(`ShareContent.digest`, with `TEMPLATE_VERSION`); the PNG is drawn once per fingerprint and
kept in the default storage as `partage/<kind>-<pk>-<digest>.png`, as certificates are:
rendered under a lock on the signature's row (SELECT … FOR UPDATE on PostgreSQL, SQLite's
write lock), written whole or not at all (`certificates.services.write_whole`). A page
whose content changes gets a new name, hence a new `og:image` URL (`?v=<digest>`) that
social networks fetch again; the older versions of the same list or person are deleted
once the new one is written.

`layout` places the text (wrapped, then shrunk until it fits, an ellipsis as a last
resort) and returns every line with its box, so that a test can check that nothing
overflows; `render_png` draws what `layout` placed, in the shipped Lato fonts.
"""

import hashlib
import io
import json
import logging
from dataclasses import asdict, dataclass
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
# Bump when the drawing changes: every image is then drawn again at its next request.
TEMPLATE_VERSION = "1"
FOLDER = "partage"
FONTS = Path(settings.BASE_DIR) / "static" / "fonts"
# A generic card (the campaign's mark only), served when the storage fails.
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


def stored_image(content: ShareContent, *, signature_pk: int) -> str:
    """The storage name of the content's image, drawn now if it is not there yet, once
    however many ask together (the signature's row is locked while it draws). Raises
    OSError when the storage fails (nothing is left behind)."""
    name = content.file_name
    if default_storage.exists(name):
        return name
    with transaction.atomic():
        Signature.objects.select_for_update().filter(pk=signature_pk).first()
        if default_storage.exists(name):
            return name
        write_whole(default_storage, name, render_png(content))
    _delete_older_versions(content)
    return name


def stored_images_of(pledges) -> list[str]:
    """The stored images of these signatures' pages and of the lists they sign for: an
    erased account takes its images with it (pledges.signing.account). A storage that
    fails to list them leaves them (logged): the erasure itself never waits on it."""
    prefixes = set()
    for pledge in pledges:
        prefixes.add(f"{Kind.SIGNATORY}-{pledge.pk}-")
        if pledge.electoral_list_id:
            prefixes.add(f"{Kind.LIST}-{pledge.electoral_list_id}-")
    if not prefixes:
        return []
    try:
        _folders, files = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return []
    except OSError:
        logger.exception("Share images of %s could not be listed.", sorted(prefixes))
        return []
    return sorted(f"{FOLDER}/{file}" for file in files if file.startswith(tuple(prefixes)))


def _delete_older_versions(content: ShareContent) -> None:
    """The same list's or person's earlier images: nothing links to them any more."""
    prefix = f"{content.kind}-{content.pk}-"
    try:
        _folders, files = default_storage.listdir(FOLDER)
        for file in files:
            if file.startswith(prefix) and f"{FOLDER}/{file}" != content.file_name:
                default_storage.delete(f"{FOLDER}/{file}")
    except OSError:
        logger.warning("Share images of %s: older versions left in storage.", prefix)


# ------------------------------------------------------------------ the routes


def _serve(content: ShareContent, *, signature_pk: int):
    """The stored image; if the storage fails, the generic card, which no cache keeps (the
    next request draws the real one once the storage is back)."""
    try:
        name = stored_image(content, signature_pk=signature_pk)
        image = default_storage.open(name, "rb")
    except OSError:
        logger.exception("Share image %s could not be stored or read.", content.file_name)
        response = FileResponse(FALLBACK.open("rb"), content_type="image/png")
        patch_cache_control(response, no_cache=True, max_age=0)
        return response
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
    campaign = current_campaign()
    electoral_list, row = public_list(campaign, pk)
    if electoral_list is None:
        raise Http404("Liste inconnue.")
    certificate = Certificate.objects.current().filter(pledge=row.pledge).first()
    content = list_content(electoral_list, row, total=commitment_total(campaign, certificate))
    return _serve(content, signature_pk=row.pledge.pk)


@public_cache
def signatory_share_image(request, pk):
    row, electoral_list = public_signatory(pk)
    if row is None:
        raise Http404("Signataire inconnu.")
    content = signatory_content(
        row, electoral_list=electoral_list, total=commitment_total(row.pledge.campaign)
    )
    return _serve(content, signature_pk=row.pledge.pk)
