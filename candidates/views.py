import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from candidates.decorators import verified_email_required
from candidates.forms import CandidateForm, CorrectionRequestForm, DeleteAccountForm
from candidates.models import Candidate
from candidates.services import (
    delete_account,
    export_personal_data,
    identity_is_locked,
    request_correction,
    save_candidate,
)

PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "commune",
    "role",
    "list_name",
    "political_label",
    "website",
    "statement",
    "phone",
)


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
            save_candidate(
                user=request.user, **{name: form.cleaned_data[name] for name in PROFILE_FIELDS}
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Votre candidature est enregistrée."))
            if candidate is None:
                return redirect("pledges:sign")
            return redirect("pledges:space")
    return render(
        request,
        "candidates/profile.html",
        {"form": form, "candidate": candidate, "locked": locked},
    )


@login_required
@verified_email_required
def correction(request):
    candidate = get_object_or_404(Candidate, user=request.user)
    form = CorrectionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            request_correction(candidate=candidate, message=form.cleaned_data["message"])
        except ValidationError as error:
            form.add_error("message", error)
        else:
            messages.success(
                request,
                _("Votre demande est envoyée à l’équipe Coorace, qui vous répondra par e-mail."),
            )
            return redirect("pledges:space")
    return render(request, "candidates/correction.html", {"form": form, "candidate": candidate})


@login_required
@require_GET
def export_data(request):
    data = export_personal_data(user=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"mes-donnees-coorace-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def delete(request):
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
    return render(request, "candidates/delete.html", {"form": form})
