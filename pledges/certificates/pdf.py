"""The one module that imports WeasyPrint: certificates as HTML, then as PDF bytes.

WeasyPrint fetches nothing from the network nor any file outside the shipped fonts and
images: `SafeFetcher` refuses every other URL. Everything a candidate wrote reaches the
HTML through Django's autoescaping, so a list named `</style>` prints as text. The
HTML's spaces and apostrophes are set in French typography in `render_pdf`, as the
middleware does for pages.
"""

from datetime import date
from pathlib import Path

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from config.site import absolute_url
from config.typography import french_html
from pledges.certificates.wording import role_line

STATIC_DIR = Path(settings.BASE_DIR) / "static"
# The only files a certificate may load.
ALLOWED_DIRS = (STATIC_DIR / "fonts", STATIC_DIR / "img")


class FetchRefused(ValueError):
    """WeasyPrint logs it and renders without the resource."""


class SafeFetcher(URLFetcher):
    """Serves file:// URLs inside the shipped fonts and images; refuses everything else."""

    def __init__(self):
        super().__init__(allowed_protocols={"file"}, allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if not url.startswith("file://"):
            return self._refuse(url)
        path = Path(url.removeprefix("file://").split("?")[0]).resolve()
        if not any(path.is_relative_to(folder.resolve()) for folder in ALLOWED_DIRS):
            return self._refuse(url)
        return super().fetch(path.as_uri(), headers)

    def _refuse(self, url):
        self.refused.append(url)
        raise FetchRefused(f"Refused to fetch {url!r}: certificates load only shipped files.")


def verification_url(certificate) -> str:
    return absolute_url(reverse("pledges:verify", kwargs={"reference": certificate.reference}))


def qr_code_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=3, dark="#1c2430", omitsize=True)


def render_certificate_html(certificate) -> str:
    content = certificate.content
    proposals: dict[int, dict] = {}
    for commitment in content["engagements"]:
        proposal = commitment["proposition"]
        group = proposals.setdefault(
            proposal["numero"],
            {"number": proposal["numero"], "title": proposal["titre"], "items": []},
        )
        group["items"].append(
            {**commitment, "signed_on": date.fromisoformat(commitment["signe_le"])}
        )
    url = verification_url(certificate)
    return render_to_string(
        "pdf/certificate.html",
        {
            "certificate": certificate,
            "content": content,
            "role_line": role_line(content["candidat"]),
            "proposals": [proposals[number] for number in sorted(proposals)],
            "signed_on": date.fromisoformat(content["signee_le"]),
            "signed_count": len(content["engagements"]),
            "total_count": content["nombre_engagements"],
            "issued_at": timezone.localtime(certificate.issued_at),
            "verification_url": url,
            "qr_code": qr_code_svg(url),
            "fonts_url": (STATIC_DIR / "fonts").as_uri(),
        },
    )


def render_pdf(html: str, *, fetcher: SafeFetcher | None = None) -> bytes:
    """Every PDF of the site, from its HTML set in French typography (config.typography)."""
    fetcher = fetcher or SafeFetcher()
    return HTML(
        string=french_html(html), base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher
    ).write_pdf(pdf_variant=None, uncompressed_pdf=False)


def render_certificate_pdf(certificate) -> bytes:
    return render_pdf(render_certificate_html(certificate))
