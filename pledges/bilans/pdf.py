"""A bilan as a printable A4 document: the page's figures, a QR code to the page online.

HTML first (`bilan_html`, which tests may read), then PDF through the certificates'
renderer (pledges.certificates.pdf.render_pdf, the only WeasyPrint import, whose fetcher
loads nothing but the shipped fonts). Rendered in the request, as the poster is
(pledges/directory/poster.py): a bilan is a few pages of tables, printed now and then, and
the response is public, so nginx keeps it a minute like the page it prints.
"""

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from pledges.certificates.pdf import STATIC_DIR, qr_code_svg, render_pdf


def bilan_html(context: dict) -> str:
    return render_to_string(
        "pdf/bilan.html",
        {
            **context,
            "qr_code": qr_code_svg(context["page_url"]),
            "today": timezone.localdate(),
            "fonts_url": (STATIC_DIR / "fonts").as_uri(),
        },
    )


def bilan_pdf_response(context: dict, filename: str) -> HttpResponse:
    response = HttpResponse(render_pdf(bilan_html(context)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    return response
