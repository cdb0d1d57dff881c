"""The decisions on one signature, from its detail page: one form and one service each.

`decide_view` binds the decision's form, calls its service, reports the outcome and goes
back to the signature, or, for « Valider et passer à la suivante », to the next signature
awaiting a decision in the list the moderator came from: the changelist with the same
filters, search and sorting, carried as Django's `_changelist_filters`.
"""

from collections.abc import Callable
from copy import copy
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from config.site import client_ip
from pledges.models import Signature
from pledges.moderation.admin.forms import (
    ApproveForm,
    ReissueForm,
    RejectForm,
    RequestChangesForm,
    UnpublishForm,
)
from pledges.moderation.scope import SIGNATURE_REGION, limit
from pledges.moderation.services import (
    approve_pledge,
    reissue_certificate,
    reject_pledge,
    request_changes,
    unpublish_pledge,
)

Status = Signature.Status


def _approve(pledge, data, **who) -> str:
    approve_pledge(pledge=pledge, **who)
    return _("Signature validée : la personne candidate est prévenue par courriel.")


def _request_changes(pledge, data, **who) -> str:
    request_changes(pledge=pledge, message=data["message"], **who)
    return _("Compléments demandés : la personne candidate est prévenue par courriel.")


def _reject(pledge, data, **who) -> str:
    reject_pledge(pledge=pledge, reason=data["reason"], details=data["details"], **who)
    return _("Signature refusée : la personne candidate est prévenue par courriel.")


def _unpublish(pledge, data, **who) -> str:
    unpublish_pledge(pledge=pledge, reason=data["reason"], **who)
    return _("Signature dépubliée : la personne candidate est prévenue par courriel.")


def _reissue(pledge, data, **who) -> str:
    certificate = reissue_certificate(pledge=pledge, **who)
    return _("Attestation réémise : %(reference)s, version %(version)d.") % {
        "reference": certificate.reference,
        "version": certificate.version,
    }


@dataclass(frozen=True)
class Decision:
    form: type[forms.Form]
    # Calls the service with (pledge, cleaned_data, moderator=…, ip_address=…); returns
    # the message shown once it is done.
    run: Callable[..., str]


# The URL's last segment (…/decider/<slug>/) → its form and its service.
DECISIONS = {
    "valider": Decision(ApproveForm, _approve),
    "completer": Decision(RequestChangesForm, _request_changes),
    "refuser": Decision(RejectForm, _reject),
    "depublier": Decision(UnpublishForm, _unpublish),
    "reemettre": Decision(ReissueForm, _reissue),
}


def _with_filters(model_admin, request, url: str) -> str:
    preserved = model_admin.get_preserved_filters(request)
    return add_preserved_filters({"preserved_filters": preserved, "opts": model_admin.opts}, url)


def _list_filters(request) -> str:
    return request.GET.get("_changelist_filters", "")


def next_in_list(model_admin, request, pledge: Signature) -> int | None:
    """The pk of the next pending signature after `pledge` in the moderator's list.

    The list is the changelist as the moderator saw it (`_changelist_filters`): same
    filters, search and order. Read before the decision, which moves `pledge` in that
    order. If `pledge` is not in the list, its first pending signature.
    """
    list_request = copy(request)
    list_request.method = "GET"
    list_request.GET = QueryDict(_list_filters(request))
    try:
        changelist = model_admin.get_changelist_instance(list_request)
    except IncorrectLookupParameters:
        return None
    rows = changelist.queryset.filter(Q(status=Status.PENDING) | Q(pk=pledge.pk))
    order = list(rows.values_list("pk", flat=True))
    after = order[order.index(pledge.pk) + 1 :] if pledge.pk in order else order
    return next((pk for pk in after if pk != pledge.pk), None)


def panel_decision_view(model_admin, request, pledge_id: int, decide: Callable[..., str]):
    """A decision taken from a block of the signature's page (the roster match, the elected).

    POST only, by a moderator, on a signature within their régions (outside them, the same
    404 as an unknown signature). `decide(signature, decision, post, who)` calls the service
    (`who`: moderator, note for the log, IP address) and returns the message to show, or
    raises ValidationError, whose messages are shown. Back to the signature's page, with the
    list's filters.
    """
    back = _with_filters(
        model_admin, request, reverse("admin:pledges_signature_change", args=[pledge_id])
    )
    if request.method != "POST":
        return HttpResponseRedirect(back)
    if not model_admin.has_moderate_permission(request):
        raise PermissionDenied
    signature = get_object_or_404(
        limit(Signature.objects.all(), request.user, SIGNATURE_REGION), pk=pledge_id
    )
    note = request.POST.get("note", "").strip()[:500]
    who = {"moderator": request.user, "note": note, "ip_address": client_ip(request)}
    try:
        done = decide(signature, request.POST.get("decision", ""), request.POST, who)
    except ValidationError as error:
        for message in error.messages:
            model_admin.message_user(request, message, messages.ERROR)
        return HttpResponseRedirect(back)
    model_admin.message_user(request, done, messages.SUCCESS)
    return HttpResponseRedirect(back)


def decide_view(model_admin, request, pledge_id: int, decision: str):
    back = _with_filters(
        model_admin, request, reverse("admin:pledges_signature_change", args=[pledge_id])
    )
    if request.method != "POST":
        return HttpResponseRedirect(back)
    if not model_admin.has_moderate_permission(request):
        raise PermissionDenied
    if decision not in DECISIONS:
        raise Http404
    # Outside a regional moderator's régions, the same 404 as an unknown signature.
    signatures = limit(
        Signature.objects.select_related("candidate"), request.user, SIGNATURE_REGION
    )
    pledge = get_object_or_404(signatures, pk=pledge_id)
    form = DECISIONS[decision].form(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                model_admin.message_user(request, message, messages.ERROR)
        return HttpResponseRedirect(back)
    go_on = form.cleaned_data.get("next", False)
    following = next_in_list(model_admin, request, pledge) if go_on else None
    try:
        done = DECISIONS[decision].run(
            pledge, form.cleaned_data, moderator=request.user, ip_address=client_ip(request)
        )
    except ValidationError as error:
        for message in error.messages:
            model_admin.message_user(request, message, messages.ERROR)
        return HttpResponseRedirect(back)
    model_admin.message_user(request, done, messages.SUCCESS)
    if not go_on:
        return HttpResponseRedirect(back)
    if following is None:
        model_admin.message_user(
            request, _("Plus aucune signature en attente dans cette liste."), messages.INFO
        )
        changelist = reverse("admin:pledges_signature_changelist")
        filters = _list_filters(request)
        return HttpResponseRedirect(f"{changelist}?{filters}" if filters else changelist)
    return HttpResponseRedirect(
        _with_filters(
            model_admin, request, reverse("admin:pledges_signature_change", args=[following])
        )
    )
