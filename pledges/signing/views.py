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
from communes.models import Commune, Secteur
from config.http import personal
from pledges.charter.queries import charter, current_campaign
from pledges.lists.services import active_membership
from pledges.lists.views import headed_list, invitation_url, pending_invitation
from pledges.models import Campaign, Commitment, ListMembership, Signature, SignatureEvent
from pledges.relays import services as relays
from pledges.relays.views import candidate_pages_redirect
from pledges.roster.merges import merged_commitments_for
from pledges.roster.views import forget_official_invitation, official_invitation, prefilled_profile
from pledges.signing.account import delete_account, export_personal_data
from pledges.signing.forms import SignatureForm
from pledges.signing.rounds import Phase, closed_message, may_sign, signing_phase
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
    # With its account: the receipt's address is read from it.
    candidate = (
        Candidate.objects.select_related("commune__departement", "user").filter(user=user).first()
    )
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
    if away := candidate_pages_redirect(request, candidate):  # a relay's account: its space
        return away
    if candidate is None:
        messages.info(request, _("Dites-nous d’abord qui vous êtes et où vous êtes candidat·e."))
        return redirect("pledges:profile")
    if pledge is not None and not (
        pledge.is_editable
        or (pledge.status == Signature.Status.WITHDRAWN and not pledge.was_approved)
    ):
        return redirect("pledges:space")

    on_a_list = _signing_for(candidate, campaign)
    if candidate.role == Candidate.Role.CANDIDATE and on_a_list["membership"] is None:
        # A list signs through its head: a colistier first joins theirs.
        return render(
            request,
            "pledges/signing/sign.html",
            {"campaign": campaign, "candidate": candidate, "pledge": pledge, **on_a_list},
        )
    initial_ids = request.session.pop(PENDING_SIGNATURE_KEY, None)
    if initial_ids is None and pledge is not None and pledge.is_editable:
        initial_ids = list(pledge.active_signatures().values_list("commitment_id", flat=True))
    # The head of a round-2 merged list signs anew: offered, in one step, what the merging
    # lists had in common (ticked at once on a first signature, or when asked).
    merger = None
    if candidate.role == Candidate.Role.HEAD_OF_LIST:
        merger = merged_commitments_for(candidate, campaign=campaign)
    if merger is not None and (initial_ids is None or request.GET.get("reprendre") == "fusion"):
        initial_ids = merger.common_ids
    form = SignatureForm(
        request.POST or None,
        campaign=campaign,
        candidacy_consent=candidacy_consent(candidate=candidate, campaign=campaign),
        signed_by_list=on_a_list["signed_by_list"],
        initial={"commitments": initial_ids or []},
    )
    if request.method == "POST" and form.is_valid():
        try:
            pledge = submit_pledge(
                candidate=candidate,
                commitments=form.cleaned_data["commitments"],
                campaign=campaign,
                official_list=official_invitation(request),
            )
        except ValidationError as error:
            # ListAlreadyHeaded among them: said on the form, with everything ticked kept.
            form.add_error(None, error)
        else:
            # Came through a relay's link (/r/<code>/) for this list: attributed to the relay.
            relays.attribute_signature(request, pledge)
            forget_official_invitation(request)
            messages.success(request, _signed_message(candidate, pledge))
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
            "merger": merger,
            **_may_sign_now(request, candidate, campaign),
            **on_a_list,
        },
    )


def _may_sign_now(request, candidate: Candidate, campaign) -> dict:
    """Whether this candidate may sign now (between the rounds, only round-2 lists), and
    why not: the page says it and disables its button rather than refuse at the POST."""
    if signing_phase(campaign) == Phase.OPEN:
        return {"may_sign_now": True, "closed_message": ""}
    if may_sign(candidate, campaign, official_list=official_invitation(request)):
        return {"may_sign_now": True, "closed_message": ""}
    return {"may_sign_now": False, "closed_message": closed_message(campaign)}


def _signing_for(candidate: Candidate, campaign) -> dict:
    """On whose behalf the candidate signs: the list they head, or their own name beside
    the list they joined (and what that list has signed already)."""
    context = {
        "list_name": "",
        "membership": None,
        "list_signature": None,
        "signed_by_list": frozenset(),
    }
    if candidate.role == Candidate.Role.HEAD_OF_LIST:
        electoral_list = headed_list(candidate, campaign)
        context["list_name"] = electoral_list.name if electoral_list else candidate.list_name
    elif candidate.role == Candidate.Role.CANDIDATE:
        membership = active_membership(candidate)
        context["membership"] = membership
        if membership is not None:
            context["list_name"] = membership.electoral_list.name
            list_signature = Signature.objects.filter(
                electoral_list=membership.electoral_list_id
            ).first()
            context["list_signature"] = list_signature
            if list_signature is not None:
                context["signed_by_list"] = frozenset(
                    list_signature.active_signatures().values_list("commitment_id", flat=True)
                )
    return context


def _signed_message(candidate: Candidate, pledge: Signature) -> str:
    if pledge.electoral_list_id:
        return _(
            "Votre signature est enregistrée pour la liste « %(name)s » : elle est en attente "
            "de validation par Coorace."
        ) % {"name": pledge.electoral_list.name}
    if candidate.role == Candidate.Role.CANDIDATE:
        return _(
            "Vos engagements à titre personnel sont enregistrés : ils sont en attente de "
            "validation par Coorace."
        )
    return _("Votre signature est enregistrée : elle est en attente de validation par Coorace.")


@personal
@login_required
def space(request):
    """« Mon espace »: where the signature stands, what happens next, what can be done."""
    campaign = current_campaign()
    candidate, pledge = _candidate_and_pledge(request.user, campaign)
    if away := candidate_pages_redirect(request, candidate):  # a relay's account: its space
        return away
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
            **_list_in_space(request, candidate, campaign),
        },
    )


def _list_in_space(request, candidate: Candidate | None, campaign) -> dict:
    """« Mon espace »'s list section: the head's list and its candidates, or the colistier's
    place on a list, or the invitation they followed."""
    if candidate is None:
        return {"invited_to": pending_invitation(request, campaign)}
    if candidate.role == Candidate.Role.HEAD_OF_LIST:
        electoral_list = headed_list(candidate, campaign)
        memberships = []
        if electoral_list is not None:
            memberships = list(
                electoral_list.memberships.filter(status__in=ListMembership.ACTIVE)
                .select_related("candidate")
                .order_by("requested_at", "pk")
            )
        return {
            "headed": electoral_list,
            "invitation_url": invitation_url(electoral_list) if electoral_list else "",
            "requests": [m for m in memberships if m.status == ListMembership.Status.REQUESTED],
            "members": [m for m in memberships if m.status == ListMembership.Status.CONFIRMED],
            "open_claims": list(
                candidate.list_claims.filter(settled_at__isnull=True).select_related(
                    "electoral_list__commune", "electoral_list__secteur"
                )
            ),
        }
    if candidate.role == Candidate.Role.CANDIDATE:
        context = _signing_for(candidate, campaign)
        context["past_memberships"] = list(
            candidate.list_memberships.exclude(status__in=ListMembership.ACTIVE)
            .select_related("electoral_list")
            .order_by("-requested_at")
        )
        if context["membership"] is None:
            context["invited_to"] = pending_invitation(request, campaign)
        return context
    return {}


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
    if away := candidate_pages_redirect(request, candidate):  # a relay's account: its space
        return away
    locked = identity_is_locked(candidate)
    invited_to = pending_invitation(request, Campaign.objects.current())
    extra = {}
    if candidate is None and invited_to is not None:
        # Followed a head's invitation: where the list stands, and the role, are known.
        extra["initial"] = {
            "commune": invited_to.commune.insee_code,
            "commune_query": f"{invited_to.commune.name} ({invited_to.commune.departement_id})",
            "secteur": invited_to.secteur_id,
            "role": Candidate.Role.CANDIDATE,
            "list_name": invited_to.name,
        }
    # Followed an official list's invitation letter (/l/<code>/): the same, as its head.
    letter_of = official_invitation(request) if invited_to is None else None
    if candidate is None and letter_of is not None:
        extra["initial"] = prefilled_profile(letter_of)
    form = CandidateForm(request.POST or None, candidate=candidate, locked=locked, **extra)
    if request.method == "POST" and form.is_valid():
        try:
            save_profile(user=request.user, **form.profile())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Votre candidature est enregistrée."))
            if invited_to is not None:
                return redirect("pledges:list_invitation", token=invited_to.invitation_token)
            if letter_of is not None:
                return redirect("pledges:roster_invitation", code=letter_of.invitation_code)
            if candidate is None:
                return redirect("pledges:sign")
            return redirect("pledges:space")
    return render(
        request,
        "pledges/signing/profile.html",
        {
            "form": form,
            "candidate": candidate,
            "locked": locked,
            "invited_to": invited_to,
            "letter_of": letter_of,
            "secteur_groups": secteur_groups(),
        },
    )


def secteur_groups() -> list[tuple[Commune, list[Secteur]]]:
    """The secteurs of Paris, Lyon and Marseille, city by city, for « Ma candidature »."""
    groups: dict[int, tuple[Commune, list[Secteur]]] = {}
    for secteur in Secteur.objects.select_related("commune").order_by("commune__name", "number"):
        groups.setdefault(secteur.commune_id, (secteur.commune, []))[1].append(secteur)
    return list(groups.values())


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
