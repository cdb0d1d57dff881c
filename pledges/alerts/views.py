"""The alerts' pages: the form (apart from the cached commune page), confirm, unsubscribe.

The commune page is public and cached, so it cannot hold a CSRF token: it links to
/communes/<code>/alertes/, a page kept by no cache with the real form. The links of the
courriels open a page with a button; only its POST confirms or unsubscribes, so that a mail
scanner that follows links changes nothing. The unsubscribe POST is RFC 8058's one-click
(a mail client posts `List-Unsubscribe=One-Click` without a CSRF token): that view alone is
csrf_exempt, authenticated by its token.
"""

import logging

from allauth.core.internal import ratelimit
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from communes.models import Commune
from config.http import personal
from pledges.alerts.forms import AlertForm
from pledges.alerts.services import PENDING_DAYS, confirm, subscribe, unsubscribe
from pledges.models import AlertSubscription

logger = logging.getLogger(__name__)

# allauth's limiter (the same store as its own limits): how often one address (IP) may
# ask, and how often one courriel address may be sent a confirmation.
RATE_LIMITS = {"alert_subscribe": "10/h/ip,3/d/key"}


def _rate_limited(request, email: str) -> bool:
    try:
        return not ratelimit.consume(
            request,
            app="pledges.alerts",
            action="alert_subscribe",
            config=RATE_LIMITS,
            key=email.lower(),
        )
    except DatabaseError:
        logger.warning("Rate-limit store unavailable: alerts answer without a limit.")
        return False


@personal
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe_view(request, insee_code):
    commune = get_object_or_404(
        Commune.objects.select_related("departement"), insee_code=insee_code.upper()
    )
    if insee_code != commune.insee_code:
        return redirect("pledges:alerts_subscribe", insee_code=commune.insee_code)
    form = AlertForm(request.POST or None)
    status = 200
    if form.is_valid():
        email = form.cleaned_data["email"]
        if _rate_limited(request, email):
            form.add_error(
                None,
                _(
                    "Trop de demandes en peu de temps depuis votre connexion ou pour cette "
                    "adresse : réessayez dans une heure."
                ),
            )
            status = 429
        else:
            subscribe(commune=commune, email=email, now=timezone.now())
            return render(
                request,
                "pledges/alerts/subscribed.html",
                {"commune": commune, "email": email, "pending_days": PENDING_DAYS},
            )
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "pledges/alerts/subscribe.html",
        {"commune": commune, "form": form},
        status=status,
    )


@personal
@require_http_methods(["GET", "HEAD", "POST"])
def confirm_view(request, token):
    if request.method != "POST":
        subscription = (
            AlertSubscription.objects.select_related("commune").filter(token=token).first()
        )
        return render(
            request,
            "pledges/alerts/confirm.html",
            {"subscription": subscription, "commune": subscription and subscription.commune},
            status=200 if subscription else 404,
        )
    try:
        subscription = confirm(token=token, now=timezone.now())
    except ValidationError as error:
        return render(
            request, "pledges/alerts/confirm.html", {"error": error.messages[0]}, status=404
        )
    return render(
        request,
        "pledges/alerts/confirm.html",
        {"subscription": subscription, "commune": subscription.commune, "done": True},
    )


@csrf_exempt
@personal
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_view(request, token):
    if request.method != "POST":
        subscription = (
            AlertSubscription.objects.select_related("commune").filter(token=token).first()
        )
        return render(
            request,
            "pledges/alerts/unsubscribe.html",
            {"subscription": subscription, "commune": subscription and subscription.commune},
            status=200 if subscription else 404,
        )
    commune = unsubscribe(token=token)
    return render(
        request,
        "pledges/alerts/unsubscribe.html",
        {"commune": commune, "done": True},
        status=200 if commune else 404,
    )
