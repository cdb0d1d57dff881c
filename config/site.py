"""Site-wide helpers every app may use: the public address, the client's address, e-mail.

Each is the one definition of its rule: links in e-mails and documents are built with
`absolute_url`, the audit log and every per-address limit read `client_ip`, and every
e-mail goes through `send_email` (allauth's through `QueuedEmailAccountAdapter`), set in
French typography (config.typography) as it is built, subject, text and HTML.

No request talks to SMTP: `send_email` enqueues a job (config.tasks) when the transaction
commits, and the worker renders and sends it; nothing is queued if the transaction rolls back.
"""

import re
from functools import partial
from typing import NamedTuple
from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.core import context as allauth_context
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist, PermissionDenied
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import models, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from django_tasks import task

import config.tasks  # noqa: F401  (connects the retry policy wherever jobs are enqueued or run)
from config.typography import french_html, french_text


def reply_to_addresses() -> list[str]:
    """The Reply-To of every e-mail the site sends: a mailbox someone reads (REPLY_TO_EMAIL),
    since they leave from a no-reply address and some say « répondez à ce courriel »."""
    return [settings.REPLY_TO_EMAIL]


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


MODEL = "__model__"


def _to_job(value):
    """A template context value as JSON for the job: model instances by label and pk."""
    if isinstance(value, models.Model):
        return {MODEL: value._meta.label_lower, "pk": value.pk}
    if isinstance(value, Promise):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple | models.QuerySet):
        return [_to_job(item) for item in value]
    if isinstance(value, dict):
        return {key: _to_job(item) for key, item in value.items()}
    raise TypeError(f"send_email: {type(value).__name__} cannot travel in a job's context.")


def _is_row(value) -> bool:
    return isinstance(value, dict) and MODEL in value


def _rows(model, pks: list) -> list:
    """The rows of `pks`, in that order, in one query with the rows they point to (each
    commitment's proposal, read by its code); raises ObjectDoesNotExist if one is gone."""
    pks = [model._meta.pk.to_python(pk) for pk in pks]
    found = model._base_manager.select_related().in_bulk(pks)
    missing = [pk for pk in pks if pk not in found]
    if missing:
        raise model.DoesNotExist(f"{model._meta.label} {missing[0]} does not exist.")
    return [found[pk] for pk in pks]


def _from_job(value):
    """The inverse of `_to_job`, read again from the database when the job runs (raises
    ObjectDoesNotExist if a row is gone, e.g. an account erased meanwhile). A list of rows
    of one model is one query, not one per row (and one more per row for what its
    template reads): a receipt's twenty commitments cost what one does."""
    if _is_row(value):
        return apps.get_model(value[MODEL])._base_manager.get(pk=value["pk"])
    if isinstance(value, list):
        labels = {item[MODEL] if _is_row(item) else None for item in value}
        if value and len(labels) == 1 and None not in labels:
            return _rows(apps.get_model(labels.pop()), [item["pk"] for item in value])
        return [_from_job(item) for item in value]
    if isinstance(value, dict):
        return {key: _from_job(item) for key, item in value.items()}
    return value


# Spaces and control characters (C0, DEL, C1, Unicode line separators): in a subject, any
# run of them becomes one space, so that no stored text can break the header. No-break
# spaces (French typography) are kept.
SUBJECT_BREAKS = re.compile(r"[\x00-\x20\x7f-\x9f\u2028\u2029]+")


def one_line_subject(subject: str) -> str:
    return SUBJECT_BREAKS.sub(" ", subject).strip()


def build_email(template: str, *, to: list[str], context: dict) -> EmailMultiAlternatives:
    """<template>.txt (its first line is the subject) with <template>.html as alternative."""
    context = {**context, "site_url": settings.SITE_URL.rstrip("/")}
    subject, _, body = render_to_string(f"{template}.txt", context).partition("\n")
    html = french_html(render_to_string(f"{template}.html", context))
    message = EmailMultiAlternatives(
        subject=french_text(one_line_subject(subject)),
        body=french_text(body.strip()) + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=reply_to_addresses(),
    )
    message.attach_alternative(html, "text/html")
    return message


def send_email(template: str, *, to: list[str], context: dict) -> None:
    """Send <template>.txt/.html to `to` from a job enqueued when the transaction commits.

    `template` names the pair without extension, in the folder of the package that sends
    it: "pledges/signing/emails/pledge_received". The context travels as JSON (model
    instances by primary key, read again by the job), and the job renders it, so an e-mail
    says what is true when it leaves.
    """
    if not to:
        return
    # Checked now, in the caller's code, not later in the worker.
    job_context = _to_job(context)
    # robust: once the transaction has committed, failing to enqueue must not turn the
    # caller's success into an error page; it is logged (django.db.backends.base).
    transaction.on_commit(
        partial(deliver_templated_email.enqueue, template, to=list(to), context=job_context),
        robust=True,
    )


def send_message(message: EmailMessage) -> None:
    """Send a message already rendered (allauth's) from a job enqueued on commit."""
    html = next(
        (
            content
            for content, mimetype in getattr(message, "alternatives", [])
            if mimetype == "text/html"
        ),
        None,
    )
    transaction.on_commit(
        partial(
            deliver_message.enqueue,
            subject=message.subject,
            body=message.body,
            html=html,
            from_email=message.from_email,
            to=list(message.to),
            headers=dict(message.extra_headers),
            reply_to=list(message.reply_to),
        ),
        robust=True,
    )


@task()
def deliver_templated_email(template: str, *, to: list[str], context: dict) -> str:
    """The job of `send_email`: render and send. An SMTP or network error fails the job,
    which config.tasks retries later."""
    try:
        context = _from_job(context)
    except ObjectDoesNotExist as gone:
        return f"not sent, a row of its context is gone: {gone}"
    build_email(template, to=to, context=context).send()
    return "sent"


@task()
def deliver_message(
    *,
    subject: str,
    body: str,
    html: str | None,
    from_email: str,
    to: list[str],
    headers: dict,
    reply_to: list[str] | None = None,
) -> str:
    """The job of `send_message` (`reply_to` None: a job enqueued before it was passed)."""
    message = EmailMultiAlternatives(
        subject=french_text(one_line_subject(subject)),
        body=french_text(body),
        from_email=from_email,
        to=to,
        headers=headers,
        reply_to=reply_to_addresses() if reply_to is None else reply_to,
    )
    if html is not None:
        message.attach_alternative(french_html(html), "text/html")
    message.send()
    return "sent"


class ConfiguredSite(NamedTuple):
    """What allauth's templates read as `current_site`, from settings: without
    django.contrib.sites, allauth's get_current_site is the request's host (« Bonjour,
    c'est 127.0.0.1:8101 ! »)."""

    name: str
    domain: str


def configured_site() -> ConfiguredSite:
    return ConfiguredSite(name=settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)


def _links_from_site_url(context: dict, *, host: str) -> dict:
    """allauth builds the links of its e-mails (activate_url, password_reset_url,
    signup_url…) on the request's host; the site's e-mails link to SITE_URL."""
    links = {}
    for key, value in context.items():
        if key.endswith("_url") and isinstance(value, str):
            parts = urlsplit(value)
            if parts.netloc == host:
                links[key] = absolute_url(urlunsplit(("", "", *parts[2:])))
    return links


class QueuedEmailAccountAdapter(DefaultAccountAdapter):
    """allauth's adapter, with its e-mails sent from the job queue (`send_message`), naming
    the site from settings and with the site's Reply-To.

    `send_mail` is allauth 65's, but for `current_site`, the links, the Reply-To and its last
    line (`msg.send()`).
    """

    # allauth's French says « adresse e-mail »; the site says « adresse électronique »
    # (README « Vocabulary »).
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "cannot_remove_primary_email": gettext_lazy(
            "Vous ne pouvez pas retirer votre adresse électronique principale."
        ),
        "duplicate_email": gettext_lazy("Cette adresse électronique est déjà celle de ce compte."),
        "email_password_mismatch": gettext_lazy(
            "L’adresse électronique ou le mot de passe sont incorrects."
        ),
        "email_taken": gettext_lazy("Un compte existe déjà avec cette adresse électronique."),
        "max_email_addresses": gettext_lazy(
            "Vous ne pouvez pas ajouter plus de %d adresses électroniques."
        ),
        "unknown_email": gettext_lazy("Aucun compte n’a cette adresse électronique."),
        "unverified_primary_email": gettext_lazy(
            "Votre adresse électronique principale doit d’abord être confirmée."
        ),
    }

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        request = allauth_context.request
        ctx = {
            "request": request,
            "email": email,
            "current_site": configured_site(),
            "site_url": settings.SITE_URL.rstrip("/"),
        }
        ctx.update(context)
        if request is not None:
            ctx.update(_links_from_site_url(ctx, host=request.get_host()))
        message = self.render_mail(template_prefix, email, ctx)
        message.reply_to = reply_to_addresses()
        send_message(message)
