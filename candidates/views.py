from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from candidates.decorators import verified_email_required
from candidates.forms import CorrectionRequestForm
from candidates.models import Candidate
from candidates.services import request_correction
from config.http import personal


@personal
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
                _("Votre demande est envoyée à l’équipe Coorace, qui vous répondra par courriel."),
            )
            return redirect("pledges:space")
    return render(request, "candidates/correction.html", {"form": form, "candidate": candidate})
