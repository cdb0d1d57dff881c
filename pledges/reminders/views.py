"""The reminders' unsubscribe page: /rappels/desinscription/<token>/.

The link in each reminder opens a page with a button; only its POST unsubscribes, so that a
mail scanner that follows links changes nothing. The POST is also RFC 8058's one-click (a
mail client posts `List-Unsubscribe=One-Click` without a CSRF token): this view is
csrf_exempt, authenticated by its signed token. Unsubscribing stops the reminders only.
"""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from config.http import personal
from pledges.reminders.services import address_of_token, has_opted_out, opt_out

TEMPLATE = "pledges/reminders/unsubscribe.html"


@csrf_exempt
@personal
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_view(request, token):
    email = address_of_token(token)
    if email is None:
        return render(request, TEMPLATE, {"invalid": True}, status=404)
    if request.method == "POST":
        opt_out(email=email, now=timezone.now())
        return render(request, TEMPLATE, {"email": email, "done": True})
    return render(request, TEMPLATE, {"email": email, "already": has_opted_out(email)})
