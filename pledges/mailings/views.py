"""The unsubscribe page of campaign messages (/desinscription/<token>/).

The link of a courriel opens a page with a button; only its POST records the unsubscribe,
so that a mail scanner following links changes nothing. The POST is also RFC 8058's
one-click (a mail client posts `List-Unsubscribe=One-Click` without a CSRF token): the view
is csrf_exempt, authenticated by its signed token.
"""

from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from config.http import personal
from pledges.mailings.services import email_of_token, is_opted_out, opt_out

TEMPLATE = "pledges/mailings/unsubscribe.html"


@csrf_exempt
@personal
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_view(request, token):
    email = email_of_token(token)
    if email is None:
        return render(request, TEMPLATE, {"invalid": True}, status=404)
    if request.method == "POST":
        opt_out(email=email)
        return render(request, TEMPLATE, {"email": email, "done": True})
    return render(request, TEMPLATE, {"email": email, "already": is_opted_out(email)})
