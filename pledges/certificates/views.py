"""Certificates on the web: the verification page and the PDF downloads."""

import logging

from allauth.core.internal import ratelimit
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from config.http import personal
from pledges.certificates.services import (
    certificate_pdf,
    download_filename,
    normalize_reference,
    schedule_render,
    verify,
)
from pledges.models import AuditEntry, Certificate, ElectoralList, ListMembership, Signature
from pledges.outcomes.queries import elected_signatures

logger = logging.getLogger(__name__)
# Seconds after which a visitor told « en préparation » may try again.
RETRY_AFTER = 60


def _rate_limited(request) -> bool:
    """Verification is public and references are short: allauth's limiter caps how fast one
    address may try them (ACCOUNT_RATE_LIMITS["verify_certificate"]), keyed on the visitor's
    address as config.site.client_ip reads it. Its public `consume()` never limits a GET,
    hence the internal one with `limit_get` (pinned allauth; tests/pledges/certificates).

    A public page, so when the limits' store fails it fails open (config/cache.py)."""
    try:
        return not ratelimit.consume(
            request, app="allauth.account", action="verify_certificate", limit_get=True
        )
    except DatabaseError:
        logger.warning("Rate-limit store unavailable: /verifier/ answers without a limit.")
        return False


@require_safe
def verify_form(request):
    """« Vérifier une attestation »: type a reference, or arrive with ?reference=."""
    typed = request.GET.get("reference", "")[:60]
    if typed:
        reference = normalize_reference(typed)
        if reference:
            return redirect("pledges:verify", reference=reference)
        return render(
            request,
            "pledges/certificates/verify.html",
            {"typed": typed, "malformed": True},
            status=404,
        )
    return render(request, "pledges/certificates/verify.html", {})


@require_safe
def verify_page(request, reference):
    if _rate_limited(request):
        return render(request, "pledges/certificates/verify_rate_limited.html", status=429)
    canonical = normalize_reference(reference)
    if canonical is None:
        return render(
            request,
            "pledges/certificates/verify.html",
            {"typed": reference[:60], "malformed": True},
            status=404,
        )
    if canonical != reference:
        return redirect("pledges:verify", reference=canonical)
    verification = verify(canonical)
    if verification is None:
        return render(
            request,
            "pledges/certificates/verify.html",
            {"typed": canonical, "unknown": True},
            status=404,
        )
    return render(
        request,
        "pledges/certificates/verify.html",
        {
            "verification": verification,
            **_replacement(verification),
            **_follow_up(verification),
        },
    )


def _follow_up(verification) -> dict:
    """Once the list (or candidate) is elected, where to follow what it signed: its
    follow-up and its commune's bilan. Follow-up updates are not part of what was signed:
    they never issue a certificate, the page only links to them."""
    pledge = verification.certificate.pledge
    if verification.state != "valid" or not elected_signatures().filter(pk=pledge.pk).exists():
        return {}
    return {
        "follow_up_url": reverse("pledges:follow_up_signature", kwargs={"pk": pledge.pk}),
        "bilan_url": reverse(
            "pledges:bilan_commune",
            kwargs={"insee_code": verification.certificate.content["commune"]["code_insee"]},
        ),
    }


# What a certificate's content holds, as the verification page names a change of it.
CHANGED_PARTS = {
    "engagements": gettext_lazy("les engagements signés"),
    "candidat": gettext_lazy("l’identité de la personne signataire"),
    "commune": gettext_lazy("la commune"),
    "liste": gettext_lazy("la liste (son nom, sa tête ou son lieu)"),
}


def _replacement(verification) -> dict:
    """For a superseded certificate, what replaced it: a staff re-issue of the same content
    (recorded in the audit log with the new reference), or a change of what it certifies."""
    if verification.state != "superseded":
        return {}
    certificate = verification.certificate
    successor = certificate.pledge.certificates.filter(version=certificate.version + 1).first()
    if successor is None:
        return {}
    old, new = certificate.content, successor.content
    changed = [str(label) for key, label in CHANGED_PARTS.items() if old.get(key) != new.get(key)]
    reissued = AuditEntry.objects.filter(
        pledge=certificate.pledge,
        action=AuditEntry.Action.CERTIFICATE_REISSUED,
        note=successor.reference,
    ).exists()
    return {"successor": successor, "changed": changed, "reissued": reissued and not changed}


def _serve(request, certificate: Certificate):
    """The PDF, rendered now if no job has yet (or if its file is gone: see
    `certificate_pdf`). If the storage fails, the French « en préparation » page (503 with
    Retry-After) and a render job, which is tried again until the storage is back."""
    try:
        certificate = certificate_pdf(certificate)
        pdf = certificate.pdf.open("rb")
    except OSError:
        logger.exception("Certificate %s: its PDF could not be stored or read.", certificate)
        schedule_render(certificate)
        response = render(request, "pledges/certificates/in_preparation.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    return FileResponse(
        pdf,
        as_attachment=True,
        filename=download_filename(certificate),
        content_type="application/pdf",
    )


@require_safe
def public_download(request, pk):
    """The current certificate of an approved pledge, for anyone."""
    pledge = get_object_or_404(Signature, pk=pk, status=Signature.Status.APPROVED)
    certificate = pledge.certificates.current().first()
    if certificate is None:
        raise Http404
    return _serve(request, certificate)


@personal
@login_required
@require_safe
def my_download(request):
    """The signed-in candidate's current certificate (approved pledges only): their own
    signature's, or, for a head who took over a list signed by someone else, the list's."""
    approved = Certificate.objects.current().filter(pledge__status=Signature.Status.APPROVED)
    certificate = (
        approved.filter(pledge__candidate__user=request.user).first()
        or approved.filter(pledge__electoral_list__head__user=request.user).first()
    )
    if certificate is None:
        raise Http404
    return _serve(request, certificate)


@personal
@login_required
@require_safe
def my_list_download(request):
    """The current certificate of the signed-in colistier's list: members confirmed on a
    list whose signature is approved (its head too)."""
    lists = ElectoralList.objects.filter(
        Q(head__user=request.user)
        | Q(
            memberships__candidate__user=request.user,
            memberships__status=ListMembership.Status.CONFIRMED,
        )
    )
    certificate = (
        Certificate.objects.current()
        .filter(pledge__status=Signature.Status.APPROVED, pledge__electoral_list__in=lists)
        .first()
    )
    if certificate is None:
        raise Http404
    return _serve(request, certificate)
