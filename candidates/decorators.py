"""Access rules shared by the candidate's pages."""

from functools import wraps

from allauth.account.models import EmailAddress
from django.shortcuts import render


def has_verified_email(user) -> bool:
    return EmailAddress.objects.filter(user=user, verified=True).exists()


def render_verify_email_first(request):
    """Nothing can be signed before the e-mail address is confirmed."""
    return render(request, "candidates/verify_email_first.html", status=403)


def verified_email_required(view):
    """For views behind login_required: refuse, with an explanation, until e-mail is verified."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not has_verified_email(request.user):
            return render_verify_email_first(request)
        return view(request, *args, **kwargs)

    return wrapper
