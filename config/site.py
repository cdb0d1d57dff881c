"""Site-wide helpers every app may use: the public address, the client's address, e-mail.

Each is the one definition of its rule: links in e-mails and documents are built with
`absolute_url`, the audit log and every per-address limit read `client_ip`, and every
e-mail goes through `send_email`.
"""

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest
from django.template.loader import render_to_string


def absolute_url(path: str) -> str:
    """The public address of a path of this site (`SITE_URL` + path)."""
    return settings.SITE_URL.rstrip("/") + path


def client_ip(request: HttpRequest) -> str | None:
    """The visitor's address as allauth reads it, honouring DJANGO_TRUSTED_PROXY_COUNT.

    Behind nginx (one proxy) that is the last address nginx appended to X-Forwarded-For,
    not REMOTE_ADDR (127.0.0.1 for every visitor); None when no address can be trusted.
    """
    try:
        return get_adapter(request).get_client_ip(request)
    except (PermissionDenied, ImproperlyConfigured):  # no address, or fewer proxies than said
        return None


def send_email(template: str, *, to: list[str], context: dict) -> None:
    """Send <template>.txt (its first line is the subject) with <template>.html as alternative.

    `template` names the pair without extension, in the folder of the package that sends
    it: "pledges/signing/emails/pledge_received".
    """
    if not to:
        return
    context = {**context, "site_url": settings.SITE_URL.rstrip("/")}
    subject, _, body = render_to_string(f"{template}.txt", context).partition("\n")
    html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject.strip(),
        body=body.strip() + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    message.attach_alternative(html, "text/html")
    message.send()
