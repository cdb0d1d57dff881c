"""The candidate's side of a list: the head's invitation, a colistier joining, decisions.

Everything here is personal (`config.http.personal`), looked up through `request.user`, and
writes only through pledges.lists.services. A list is reached by its invitation token or,
for « Trouver ma liste », among the lists of the colistier's own commune and secteur; a
membership is decided only by the head of its list (staff decide in the admin).
"""

from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from candidates.decorators import (
    has_verified_email,
    render_verify_email_first,
    verified_email_required,
)
from candidates.models import Candidate
from communes.grammar import elide
from config.http import personal
from config.site import absolute_url
from pledges.charter.queries import current_campaign
from pledges.lists.forms import JoinForm, ListSearchForm
from pledges.lists.services import (
    active_membership,
    decide_join,
    joinable_lists,
    leave_list,
    remove_member,
    request_join,
)
from pledges.models import ElectoralList, ListMembership
from pledges.models.lists import list_name_key

# The invitation a visitor followed, kept through sign-up, e-mail confirmation and
# « Ma candidature », so that they come back to it.
INVITATION_KEY = "list_invitation"


def own_candidate(user) -> Candidate | None:
    return Candidate.objects.select_related("commune", "secteur").filter(user=user).first()


def headed_list(candidate: Candidate | None, campaign) -> ElectoralList | None:
    """The list the candidate heads in this campaign (created when they signed), if any."""
    if candidate is None or candidate.role != Candidate.Role.HEAD_OF_LIST:
        return None
    return (
        ElectoralList.objects.filter(campaign=campaign, head=candidate)
        .select_related("commune", "secteur")
        .first()
    )


def invitation_url(electoral_list: ElectoralList) -> str:
    return absolute_url(reverse("pledges:list_invitation", args=[electoral_list.invitation_token]))


def pending_invitation(request, campaign) -> ElectoralList | None:
    """The list whose invitation this session followed, if it still exists."""
    token = request.session.get(INVITATION_KEY)
    if not isinstance(token, str):
        return None
    return (
        ElectoralList.objects.filter(campaign=campaign, invitation_token=token)
        .select_related("commune", "secteur", "head")
        .first()
    )


def what_to_change(candidate: Candidate, electoral_list: ElectoralList) -> list[str]:
    """What « Ma candidature » must say before the candidate can join this list."""
    changes = []
    if candidate.role != Candidate.Role.CANDIDATE:
        changes.append(
            _("Votre rôle : choisissez « Colistier·e » (aujourd’hui : « %(role)s »).")
            % {"role": candidate.get_role_display()}
        )
    if candidate.commune_id != electoral_list.commune_id:
        changes.append(
            _("Votre commune : %(wanted)s (aujourd’hui : %(current)s).")
            % {"wanted": electoral_list.commune.name, "current": candidate.commune.name}
        )
    elif candidate.secteur_id != electoral_list.secteur_id and electoral_list.secteur_id:
        changes.append(
            _("Votre secteur : %(wanted)s (aujourd’hui : %(current)s).")
            % {
                "wanted": electoral_list.secteur.name,
                "current": candidate.secteur.name if candidate.secteur_id else _("aucun"),
            }
        )
    return changes


def _join_page(request, *, candidate, electoral_list, via_invitation: bool):
    """The list, what the candidate must change first, or the consent and « Demander »."""
    membership = active_membership(candidate)
    changes = [] if membership else what_to_change(candidate, electoral_list)
    if via_invitation and membership is not None:
        request.session.pop(INVITATION_KEY, None)  # nothing more to come back to
    form = JoinForm(
        request.POST if request.method == "POST" else None, electoral_list=electoral_list
    )
    if request.method == "POST" and not changes and membership is None and form.is_valid():
        try:
            request_join(
                candidate=candidate,
                electoral_list=electoral_list,
                consent=form.cleaned_data["consent"],
                via_invitation=via_invitation,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session.pop(INVITATION_KEY, None)
            messages.success(
                request,
                _(
                    "Votre demande est envoyée à la tête de liste de « %(name)s », qui la "
                    "confirmera depuis son espace."
                )
                % {"name": electoral_list.name},
            )
            return redirect(f"{reverse('pledges:space')}#ma-liste")
    return render(
        request,
        "pledges/lists/join_list.html",
        {
            "electoral_list": electoral_list,
            "candidate": candidate,
            "membership": membership,
            "changes": changes,
            "form": form,
            "via_invitation": via_invitation,
        },
    )


@personal
def invitation(request, token):
    """/listes/rejoindre/<token>/: the link a head gives to the candidates of their list."""
    campaign = current_campaign()
    electoral_list = get_object_or_404(
        ElectoralList.objects.select_related("commune", "secteur", "head"),
        campaign=campaign,
        invitation_token=token,
    )
    request.session[INVITATION_KEY] = token
    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect(request.path)
        next_query = urlencode({"next": request.path})
        return render(
            request,
            "pledges/lists/invitation_anonymous.html",
            {
                "electoral_list": electoral_list,
                "signup_url": f"{reverse('account_signup')}?{next_query}",
                "login_url": f"{reverse('account_login')}?{next_query}",
            },
        )
    if not has_verified_email(request.user):
        return render_verify_email_first(request)
    candidate = own_candidate(request.user)
    if candidate is None:
        messages.info(
            request,
            _(
                "Dites-nous d’abord qui vous êtes : votre commune, votre rôle et votre liste "
                "« %(name)s » sont déjà remplis."
            )
            % {"name": electoral_list.name},
        )
        return redirect("pledges:profile")
    if electoral_list.head_id == candidate.pk:
        request.session.pop(INVITATION_KEY, None)
        messages.info(request, _("C’est votre liste : voici le lien à donner à vos colistier·es."))
        return redirect("pledges:list_invite")
    return _join_page(
        request, candidate=candidate, electoral_list=electoral_list, via_invitation=True
    )


@personal
@login_required
@verified_email_required
@require_safe
def invite(request):
    """The head's printable invitation: the link and its QR code, for the list's candidates."""
    campaign = current_campaign()
    candidate = own_candidate(request.user)
    electoral_list = headed_list(candidate, campaign)
    if electoral_list is None:
        if candidate is not None and candidate.role == Candidate.Role.HEAD_OF_LIST:
            messages.info(
                request,
                _(
                    "Votre liste est créée quand vous signez : signez d’abord, puis invitez "
                    "vos colistier·es."
                ),
            )
        else:
            messages.info(request, _("Seule une tête de liste invite ses colistier·es."))
        return redirect("pledges:space")
    url = invitation_url(electoral_list)
    return render(
        request,
        "pledges/lists/invite.html",
        {
            "electoral_list": electoral_list,
            "invitation_url": url,
            "qr_code": segno.make(url, error="m").svg_inline(
                scale=4, dark="#1c2430", omitsize=True
            ),
        },
    )


@personal
@login_required
@verified_email_required
@require_safe
def join(request):
    """« Trouver ma liste »: the lists of the colistier's commune (and secteur), by name."""
    campaign = current_campaign()
    candidate = own_candidate(request.user)
    if candidate is None:
        messages.info(request, _("Dites-nous d’abord qui vous êtes et où vous êtes candidat·e."))
        return redirect("pledges:profile")
    form = ListSearchForm(request.GET or None)
    lists = []
    if candidate.role == Candidate.Role.CANDIDATE:
        found = joinable_lists(candidate=candidate, campaign=campaign).order_by("name")
        key = list_name_key(form.cleaned_data["q"]) if form.is_valid() else ""
        if key:
            found = found.filter(name_key__contains=key)
        lists = list(found)
    return render(
        request,
        "pledges/lists/join.html",
        {
            "candidate": candidate,
            "form": form,
            "lists": lists,
            "searched": form.is_bound and form.is_valid() and form.cleaned_data["q"],
            "membership": active_membership(candidate),
        },
    )


@personal
@login_required
@verified_email_required
def join_request(request, pk):
    """Asking to join a list found by its name (not through its invitation link)."""
    campaign = current_campaign()
    candidate = own_candidate(request.user)
    if candidate is None or candidate.role != Candidate.Role.CANDIDATE:
        return redirect("pledges:list_join")
    electoral_list = get_object_or_404(
        joinable_lists(candidate=candidate, campaign=campaign).select_related("commune"), pk=pk
    )
    return _join_page(
        request, candidate=candidate, electoral_list=electoral_list, via_invitation=False
    )


DECISIONS = {
    "confirmer": gettext_lazy("%(name)s est confirmé·e sur la liste."),
    "refuser": gettext_lazy("La demande %(of_name)s est refusée."),
    "retirer": gettext_lazy("%(name)s est retiré·e de la liste."),
}


@login_required
@verified_email_required
@require_POST
def decide(request, pk, action):
    """The head confirms or refuses a request, or removes a member (Mon espace's buttons)."""
    if action not in DECISIONS:
        raise Http404
    membership = get_object_or_404(
        ListMembership.objects.select_related("candidate", "electoral_list__head"),
        pk=pk,
        electoral_list__head__user=request.user,
        electoral_list__campaign=current_campaign(),
    )
    try:
        if action == "retirer":
            remove_member(membership=membership, user=request.user)
        else:
            decide_join(membership=membership, user=request.user, accept=action == "confirmer")
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        name = membership.candidate.full_name
        messages.success(request, DECISIONS[action] % {"name": name, "of_name": elide("de", name)})
    return redirect(f"{reverse('pledges:space')}#ma-liste")


@login_required
@verified_email_required
@require_POST
def leave(request):
    """A colistier leaves their list, or withdraws their request: dated, never deleted."""
    candidate = own_candidate(request.user)
    membership = active_membership(candidate) if candidate is not None else None
    if membership is None:
        raise Http404
    try:
        leave_list(membership=membership)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Vous avez quitté la liste « %(name)s ».") % {"name": membership.electoral_list.name},
        )
    return redirect(f"{reverse('pledges:space')}#ma-liste")
