"""The follow-up's pages: the public one of each elected signature, the forms to report.

- `signature_follow_up` (/suivi/signatures/<pk>/): each commitment the elected list or
  candidate signed, its current status and its approved updates, dated. A 404 unless the
  signature is elected (pledges.outcomes.queries). Cached like every public page
  (config.http.public_cache: a minute in nginx, private for anyone signed in); a decision
  also forgets the cached counters (invalidate_public_caches).
- `mine` (/mon-espace/suivi/, « Mon espace »): the elected signatures the signed-in
  candidate reports on as the list (head, confirmed colistier) or as the candidate, a form
  per commitment.
- `propose` (/suivi/signatures/<pk>/proposer/): the same forms for Coorace staff and the
  member structures staff allowed; 403 for anyone else, 404 if not elected.
- `document` (/suivi/documents/<pk>/): an approved update's document, as a download.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from config.http import personal, public_cache
from pledges.follow_up.forms import FollowUpForm
from pledges.follow_up.services import (
    author_role,
    commitments_to_report,
    content_type_of,
    list_side_signatures,
    post_update,
)
from pledges.models import FollowUpStatus, FollowUpUpdate, Signature
from pledges.outcomes.queries import elected_condition, elected_signatures

Role = FollowUpUpdate.AuthorRole

SIGNATURE_JOINS = (
    "campaign",
    "candidate__commune__departement__region",
    "electoral_list__commune",
    "electoral_list__secteur",
)


def _form_prefix(signed_commitment) -> str:
    return f"e{signed_commitment.pk}"


def _sections(request, signatures: list[Signature]):
    """Each signature with its commitments still signed, each with its form (the one posted
    bound, with what was typed) and the updates its author may see: the approved ones and
    their own, whatever their state."""
    posted = request.POST.get("engagement", "") if request.method == "POST" else ""
    mine = Q(author=request.user) | Q(state=FollowUpUpdate.State.APPROVED)
    sections, bound = [], None
    for signature in signatures:
        rows = []
        updates = FollowUpUpdate.objects.filter(mine).order_by("-created_at", "-pk")
        signed_commitments = commitments_to_report(signature).prefetch_related(
            Prefetch("follow_up_updates", queryset=updates, to_attr="visible_updates")
        )
        for signed in signed_commitments:
            if posted == str(signed.pk):
                form = FollowUpForm(request.POST, request.FILES, prefix=_form_prefix(signed))
                bound = (signed, form)
            else:
                form = FollowUpForm(
                    prefix=_form_prefix(signed),
                    initial={"status": signed.follow_up_status},
                )
            rows.append((signed, form))
        sections.append((signature, rows))
    return sections, bound, posted


def _report(request, signatures: list[Signature], *, template: str, context: dict):
    sections, bound, posted = _sections(request, signatures)
    if request.method == "POST":
        if bound is None:
            raise Http404("Engagement inconnu.")
        signed, form = bound
        if form.is_valid():
            data = form.cleaned_data
            try:
                post_update(
                    signed_commitment=signed,
                    author=request.user,
                    status=data["status"],
                    text=data["text"],
                    link=data["link"],
                    document=data.get("document") or None,
                    source=data["source"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _(
                        "Votre mise à jour de l’engagement %(code)s est envoyée : l’équipe "
                        "Coorace la relit avant de la publier. Vous recevrez un courriel."
                    )
                    % {"code": signed.commitment.code},
                )
                return redirect(f"{request.path}#engagement-{signed.pk}")
    return render(
        request,
        template,
        {**context, "sections": sections, "posted": posted, "statuses": FollowUpStatus},
    )


@personal
@login_required
def mine(request):
    """« Mon espace » : les engagements de ma liste élue (ou les miens), un formulaire chacun."""
    signatures = list(
        list_side_signatures(request.user).select_related(*SIGNATURE_JOINS).order_by("pk")
    )
    return _report(
        request, signatures, template="pledges/follow_up/mine.html", context={"role": Role.LIST}
    )


@personal
@login_required
def propose(request, pk):
    """« Proposer une mise à jour » for staff and member structures, on one signature."""
    signature = get_object_or_404(elected_signatures().select_related(*SIGNATURE_JOINS), pk=pk)
    role = author_role(request.user, signature)
    if role is None:
        raise PermissionDenied(_("Vous ne pouvez pas proposer de mise à jour pour ce suivi."))
    if role == Role.LIST:
        return redirect("pledges:follow_up_mine")
    return _report(
        request,
        [signature],
        template="pledges/follow_up/propose.html",
        context={"role": role, "signature": signature},
    )


def public_signature(pk) -> Signature:
    """An elected signature, with what its follow-up page shows, or a 404."""
    return get_object_or_404(elected_signatures().select_related(*SIGNATURE_JOINS), pk=pk)


@public_cache
def signature_follow_up(request, pk):
    signature = public_signature(pk)
    public_updates = FollowUpUpdate.objects.public().order_by("-created_at", "-pk")
    signed_commitments = list(
        signature.signed_commitments.select_related("commitment__proposal").prefetch_related(
            Prefetch("follow_up_updates", queryset=public_updates, to_attr="public_updates")
        )
    )
    role = author_role(request.user, signature) if request.user.is_authenticated else None
    counts = dict.fromkeys(FollowUpStatus.values, 0)
    for signed in signed_commitments:
        if signed.withdrawn_at is None:
            counts[signed.follow_up_status] += 1
    return render(
        request,
        "pledges/follow_up/signature.html",
        {
            "signature": signature,
            "candidate": signature.candidate,
            "commune": signature.candidate.commune,
            "electoral_list": signature.electoral_list,
            "signed_commitments": signed_commitments,
            "counts": [(FollowUpStatus(status), count) for status, count in counts.items()],
            "role": role,
            "report_url": reverse("pledges:follow_up_mine")
            if role == Role.LIST
            else reverse("pledges:follow_up_propose", kwargs={"pk": signature.pk})
            if role
            else "",
        },
    )


def document_response(update: FollowUpUpdate) -> FileResponse:
    """A document as a download of a type we checked: never rendered as a page of the site,
    never able to run a script (sandboxed, no type sniffing)."""
    name = update.document.name
    extension = name.rsplit(".", 1)[-1].lower()
    try:
        handle = update.document.open("rb")
    except OSError as error:
        raise Http404("Document indisponible.") from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"suivi-{update.signed_commitment_id}-{update.pk}.{extension}",
        content_type=content_type_of(name),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@public_cache
def document(request, pk):
    update = get_object_or_404(
        FollowUpUpdate.objects.public()
        .exclude(document="")
        .filter(
            Q(signed_commitment__pledge__status=Signature.Status.APPROVED)
            & elected_condition("signed_commitment__pledge__")
        ),
        pk=pk,
    )
    return document_response(update)
