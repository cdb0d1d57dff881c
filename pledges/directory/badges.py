"""The badge that proves itself: `/badges/<reference>.svg` and its widget for an iframe.

A signatory pastes the badge on their own site (snippets on « Mon espace »); it links to the
certificate's verification page (/verifier/<reference>/), and what it says follows the
signature's live status, read at each request (behind the one-minute public cache):
approved → « A signé … », withdrawn → « Signature retirée », anything else (unpublished,
sent back to staff) → « Signature non publiée ». It names nobody: only the status shows.

These two routes alone may be framed by other sites: their own `frame-ancestors *` and no
X-Frame-Options; every other page keeps `frame-ancestors 'none'` and `X-Frame-Options:
DENY` (config/settings.py).
"""

from collections.abc import Callable

from csp.decorators import csp_replace
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_exempt

from config.http import public_cache
from config.site import absolute_url
from pledges.certificates.services import REFERENCE, normalize_reference
from pledges.models import Certificate, Signature

SIGNED, WITHDRAWN, UNPUBLISHED, UNKNOWN = "signed", "withdrawn", "unpublished", "unknown"
# What the badge says, on two lines, in each state (the .svg template is not read by
# makemessages, hence the strings here).
LINES = {
    SIGNED: (
        gettext_lazy("A signé les engagements"),
        gettext_lazy("Coorace #Municipales2020 — vérifier"),
    ),
    WITHDRAWN: (
        gettext_lazy("Signature retirée"),
        gettext_lazy("Coorace #Municipales2020 — vérifier"),
    ),
    UNPUBLISHED: (gettext_lazy("Signature non publiée"), gettext_lazy("Coorace #Municipales2020")),
    UNKNOWN: (gettext_lazy("Attestation inconnue"), gettext_lazy("Coorace #Municipales2020")),
}
# The badge's size in CSS pixels, also the widget's and the snippets' (the iframe's size).
WIDTH, HEIGHT = 340, 56


def badge_state(certificate: Certificate | None) -> str:
    if certificate is None:
        return UNKNOWN
    pledge = certificate.pledge
    if pledge.status == Signature.Status.APPROVED:
        return SIGNED
    if pledge.status == Signature.Status.WITHDRAWN and pledge.was_approved:
        return WITHDRAWN
    return UNPUBLISHED


def frameable(view: Callable) -> Callable:
    """Any site may frame this response (its own CSP `frame-ancestors`, no X-Frame-Options)."""
    return xframe_options_exempt(csp_replace({"frame-ancestors": ["*"]})(view))


def _certificate(reference: str) -> Certificate | None:
    return Certificate.objects.select_related("pledge").filter(reference=reference).first()


def _canonical_or_redirect(reference: str, name: str):
    """The canonical reference, or a redirect to it, or None when it cannot be one."""
    if REFERENCE.fullmatch(reference):
        return reference, None
    canonical = normalize_reference(reference)
    if canonical is None:
        return None, None
    return canonical, redirect(name, reference=canonical)


def badge_urls(reference: str) -> dict:
    """The absolute addresses a snippet needs: the image, the widget, the verification page."""
    return {
        "svg": absolute_url(reverse("pledges:badge", kwargs={"reference": reference})),
        "widget": absolute_url(reverse("pledges:badge_widget", kwargs={"reference": reference})),
        "verify": absolute_url(reverse("pledges:verify", kwargs={"reference": reference})),
    }


@frameable
@public_cache
def badge(request, reference):
    canonical, redirection = _canonical_or_redirect(reference, "pledges:badge")
    if redirection:
        return redirection
    certificate = _certificate(canonical) if canonical else None
    state = badge_state(certificate)
    return render(
        request,
        "pledges/directory/badge.svg",
        {"state": state, "lines": LINES[state], "width": WIDTH, "height": HEIGHT},
        content_type="image/svg+xml; charset=utf-8",
        status=404 if state == UNKNOWN else 200,
    )


@frameable
@public_cache
def widget(request, reference):
    """A tiny page for an iframe: the badge, linked to the verification page (a new tab)."""
    canonical, redirection = _canonical_or_redirect(reference, "pledges:badge_widget")
    if redirection:
        return redirection
    certificate = _certificate(canonical) if canonical else None
    state = badge_state(certificate)
    if state == SIGNED and certificate.superseded_at is not None:
        # The widget is live: it opens the version in force, not the one first pasted.
        current = certificate.pledge.certificates.current().first()
        certificate = current or certificate
    return render(
        request,
        "pledges/directory/badge_widget.html",
        {
            "state": state,
            "width": WIDTH,
            "height": HEIGHT,
            "reference": canonical,
            "verify_url": certificate.get_absolute_url() if certificate else "",
        },
        status=404 if state == UNKNOWN else 200,
    )


def badge_snippets(pledge) -> dict | None:
    """The `<img>` and `<iframe>` snippets « Mon espace » offers once the signature is
    approved (None before): HTML to paste on another site, with absolute addresses."""
    if pledge is None or pledge.status != Signature.Status.APPROVED:
        return None
    certificate = pledge.certificates.current().first()
    if certificate is None:
        return None
    urls = badge_urls(certificate.reference)
    alt = _("A signé les engagements Coorace #Municipales2020 — vérifier")
    size = {"width": WIDTH, "height": HEIGHT, "alt": alt}
    return {
        "reference": certificate.reference,
        "urls": urls,
        "img": format_html(
            '<a href="{verify}"><img src="{svg}" width="{width}" height="{height}" '
            'alt="{alt}"></a>',
            **urls,
            **size,
        ),
        "iframe": format_html(
            '<iframe src="{widget}" width="{width}" height="{height}" title="{alt}" '
            'style="border: 0" loading="lazy"></iframe>',
            **urls,
            **size,
        ),
    }
