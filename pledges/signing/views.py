import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from candidates.decorators import (
    has_verified_email,
    render_verify_email_first,
    verified_email_required,
)
from candidates.forms import CandidateForm, DeleteAccountForm
from candidates.models import Candidate
from config.http import personal
from pledges.charter.queries import charter, current_campaign
from pledges.models import Commitment, Signature, SignatureEvent
from pledges.signing.account import delete_account, export_personal_data
from pledges.signing.forms import SignatureForm
from pledges.signing.services import (
    add_commitment,
    candidacy_consent,
    identity_is_locked,
    save_profile,
    submit_pledge,
    withdraw_commitment,
    withdraw_pledge,
)

# ---------------------------------------------------------------- candidates' side

PENDING_SIGNATURE_KEY = "pending_signature"
# Decisions whose note is addressed to the candidate.
STAFF_DECISIONS = {
    SignatureEvent.Kind.CHANGES_REQUESTED,
    SignatureEvent.Kind.REJECTED,
    SignatureEvent.Kind.UNPUBLISHED,
}


def _candidate_and_pledge(user, campaign):
    candidate = Candidate.objects.select_related("commune__departement").filter(user=user).first()
    pledge = None
    if candidate is not None:
        pledge = Signature.objects.filter(campaign=campaign, candidate=candidate).first()
    return candidate, pledge


@personal
def sign(request):
    """The signing page: the 10 proposals, the 20 commitments, the two consents."""
    campaign = current_campaign()
    if not request.user.is_authenticated:
        if request.method == "POST":
            # The session expired while the candidate was ticking: keep their choices.
            request.session[PENDING_SIGNATURE_KEY] = request.POST.getlist("commitments")
            messages.warning(
                request,
                _(
                    "Votre session a expiré. Reconnectez-vous : les engagements que vous "
                    "aviez cochés sont gardés."
                ),
            )
        return redirect_to_login(reverse("pledges:sign"))
    if not has_verified_email(request.user):
        return render_verify_email_first(request)
    candidate, pledge = _candidate_and_pledge(request.user, campaign)
    if candidate is None:
        messages.info(request, _("Dites-nous d’abord qui vous êtes et où vous êtes candidat·e."))
        return redirect("pledges:profile")
    if pledge is not None and not (
        pledge.is_editable
        or (pledge.status == Signature.Status.WITHDRAWN and not pledge.was_approved)
    ):
        return redirect("pledges:space")

    initial_ids = request.session.pop(PENDING_SIGNATURE_KEY, None)
    if initial_ids is None and pledge is not None and pledge.is_editable:
        initial_ids = list(pledge.active_signatures().values_list("commitment_id", flat=True))
    form = SignatureForm(
        request.POST or None,
        campaign=campaign,
        candidacy_consent=candidacy_consent(candidate=candidate, campaign=campaign),
        initial={"commitments": initial_ids or []},
    )
    if request.method == "POST" and form.is_valid():
        try:
            pledge = submit_pledge(
                candidate=candidate, commitments=form.cleaned_data["commitments"], campaign=campaign
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "Votre signature est enregistrée : elle est en attente de validation "
                    "par Coorace."
                ),
            )
            return redirect("pledges:space")
    return render(
        request,
        "pledges/signing/sign.html",
        {
            "campaign": campaign,
            "candidate": candidate,
            "pledge": pledge,
            "form": form,
            "checked": form.checked_ids(),
            "proposals": charter(campaign),
        },
    )


@personal
@login_required
def space(request):
    """« Mon espace »: where the signature stands, what happens next, what can be done."""
    campaign = current_campaign()
    candidate, pledge = _candidate_and_pledge(request.user, campaign)
    signatures, events = {}, []
    if pledge is not None:
        signatures = {s.commitment_id: s for s in pledge.signed_commitments.all()}
        events = list(pledge.events.select_related("commitment__proposal"))
    staff_note = next(
        (event.note for event in reversed(events) if event.kind in STAFF_DECISIONS and event.note),
        "",
    )
    return render(
        request,
        "pledges/signing/space.html",
        {
            "campaign": campaign,
            "candidate": candidate,
            "pledge": pledge,
            "commitment_rows": [
                (proposal, [(c, signatures.get(c.pk)) for c in commitments])
                for proposal, commitments in charter(campaign)
            ],
            "events": events,
            "staff_note": staff_note,
            "identity_locked": identity_is_locked(candidate),
        },
    )


def _own_pledge(request) -> Signature:
    """The signed-in candidate's pledge; anyone else's is a 404."""
    return get_object_or_404(
        Signature.objects.select_related("campaign"),
        candidate__user=request.user,
        campaign=current_campaign(),
    )


@login_required
@verified_email_required
@require_POST
def change_commitment(request, commitment_id, action):
    pledge = _own_pledge(request)
    commitment = get_object_or_404(
        Commitment.objects.select_related("proposal"),
        pk=commitment_id,
        proposal__campaign=pledge.campaign,
    )
    service = add_commitment if action == "ajouter" else withdraw_commitment
    try:
        service(pledge=pledge, commitment=commitment)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if action == "ajouter":
            messages.success(request, _("Engagement %(code)s ajouté.") % {"code": commitment.code})
        else:
            messages.success(
                request,
                _("Engagement %(code)s retiré. Il reste visible comme retiré, avec la date.")
                % {"code": commitment.code},
            )
    return redirect(f"{reverse('pledges:space')}#engagement-{commitment.code}")


@personal
@login_required
@verified_email_required
def withdraw(request):
    pledge = _own_pledge(request)
    if request.method == "POST":
        try:
            withdraw_pledge(pledge=pledge)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Votre signature est retirée."))
        return redirect("pledges:space")
    return render(request, "pledges/signing/withdraw.html", {"pledge": pledge})


@personal
@login_required
@verified_email_required
def profile(request):
    """« Ma candidature »: who the candidate is and where they stand."""
    candidate = (
        Candidate.objects.select_related("commune__departement").filter(user=request.user).first()
    )
    locked = identity_is_locked(candidate)
    form = CandidateForm(request.POST or None, candidate=candidate, locked=locked)
    if request.method == "POST" and form.is_valid():
        try:
            save_profile(user=request.user, **form.profile())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Votre candidature est enregistrée."))
            if candidate is None:
                return redirect("pledges:sign")
            return redirect("pledges:space")
    return render(
        request,
        "pledges/signing/profile.html",
        {"form": form, "candidate": candidate, "locked": locked},
    )


@personal
@login_required
@require_safe
def export_data(request):
    data = export_personal_data(user=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"mes-donnees-coorace-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@personal
@login_required
def delete_account_view(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        delete_account(user=user)
        messages.success(
            request,
            _(
                "Votre compte est supprimé : votre signature n’est plus publiée et vos données "
                "personnelles sont effacées."
            ),
        )
        return redirect("pledges:home")
    return render(request, "pledges/signing/delete_account.html", {"form": form})
