"""The invitation letter's short link, /l/<code>/: an official list invited to sign.

The code is kept in the session (as a list's invitation token is, pledges.lists.views)
through sign-up, e-mail confirmation and « Ma candidature », which it fills in with the
list's commune, secteur, name and the role « Tête de liste ». When that person signs as the
list's head, their list is tied to the official list (pledges.lists.services.
link_official_list, called by pledges.signing.services.submit_pledge), so that the list's
answer becomes « a signé » once Coorace approves the signature.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from candidates.decorators import has_verified_email, render_verify_email_first
from candidates.models import Candidate, OfficialList
from communes.grammar import a_lieu
from config.http import personal
from pledges.charter.queries import current_campaign
from pledges.lists.views import own_candidate
from pledges.models import Signature

# The official list whose letter this session followed.
OFFICIAL_INVITATION_KEY = "official_list_invitation"


def _lists():
    return OfficialList.objects.select_related("commune__departement", "secteur")


def official_invitation(request) -> OfficialList | None:
    """The official list whose letter's link this session followed, if it still stands."""
    code = request.session.get(OFFICIAL_INVITATION_KEY)
    if not isinstance(code, str):
        return None
    return _lists().filter(invitation_code=code, gone_at__isnull=True).first()


def forget_official_invitation(request) -> None:
    request.session.pop(OFFICIAL_INVITATION_KEY, None)


def official_place(official_list: OfficialList) -> str:
    """« Marseille, Marseille 1er secteur », or the commune's name (as ElectoralList.place)."""
    if official_list.secteur_id:
        return f"{official_list.commune.name}, {official_list.secteur.name}"
    return official_list.commune.name


def prefilled_profile(official_list: OfficialList) -> dict:
    """« Ma candidature » of the person who followed the letter: where the list stands, its
    name, and the role of the one who signs for it."""
    commune = official_list.commune
    return {
        "commune": commune.insee_code,
        "commune_query": f"{commune.name} ({commune.departement_id})",
        "secteur": official_list.secteur_id,
        "role": Candidate.Role.HEAD_OF_LIST,
        "list_name": official_list.name,
    }


def what_to_change(candidate: Candidate, official_list: OfficialList) -> list[str]:
    """What « Ma candidature » must say before the candidate can sign for this list."""
    changes = []
    if candidate.role != Candidate.Role.HEAD_OF_LIST:
        changes.append(
            _(
                "Votre rôle : choisissez « Tête de liste » (aujourd’hui : « %(role)s ») ; "
                "une liste signe par sa tête de liste."
            )
            % {"role": candidate.get_role_display()}
        )
    if candidate.commune_id != official_list.commune_id:
        changes.append(
            _("Votre commune : %(wanted)s (aujourd’hui : %(current)s).")
            % {"wanted": official_list.commune.name, "current": candidate.commune.name}
        )
    elif candidate.secteur_id != official_list.secteur_id:
        changes.append(
            _("Votre secteur : %(wanted)s (aujourd’hui : %(current)s).")
            % {
                "wanted": official_list.secteur.name if official_list.secteur_id else _("aucun"),
                "current": candidate.secteur.name if candidate.secteur_id else _("aucun"),
            }
        )
    return changes


def _signature_of_list(official_list: OfficialList, campaign) -> Signature | None:
    """The signature of a site list already tied to this official list, if any."""
    return (
        Signature.objects.filter(campaign=campaign, electoral_list__official_list=official_list)
        .exclude(status__in=[Signature.Status.REJECTED, Signature.Status.UNPUBLISHED])
        .select_related("candidate", "electoral_list")
        .first()
    )


@personal
def invitation(request, code):
    """/l/<code>/: « Votre liste est invitée à signer », and the way to do it."""
    official_list = _lists().filter(invitation_code=code.strip().lower()).first()
    if official_list is None:
        return render(request, "pledges/roster/unknown_code.html", {"code": code}, status=404)
    campaign = current_campaign()
    context = {
        "official_list": official_list,
        "place": official_place(official_list),
        "campaign": campaign,
        "gone": official_list.gone_at is not None,
    }
    if official_list.gone_at is not None:
        forget_official_invitation(request)
        return render(request, "pledges/roster/invitation.html", context)
    request.session[OFFICIAL_INVITATION_KEY] = official_list.invitation_code
    if not request.user.is_authenticated:
        next_query = urlencode({"next": request.path})
        context["signup_url"] = f"{reverse('account_signup')}?{next_query}"
        context["login_url"] = f"{reverse('account_login')}?{next_query}"
        return render(request, "pledges/roster/invitation.html", context)
    if not has_verified_email(request.user):
        return render_verify_email_first(request)
    candidate = own_candidate(request.user)
    if candidate is None:
        messages.info(
            request,
            _(
                "Dites-nous d’abord qui vous êtes : votre commune, votre rôle de tête de liste "
                "et le nom de votre liste « %(name)s » sont déjà remplis."
            )
            % {"name": official_list.name},
        )
        return redirect("pledges:profile")
    signature = _signature_of_list(official_list, campaign)
    if signature is not None and signature.candidate_id == candidate.pk:
        forget_official_invitation(request)
        messages.info(
            request,
            _("Votre liste « %(name)s » a déjà signé : voici où en est sa signature.")
            % {"name": signature.electoral_list.name},
        )
        return redirect("pledges:space")
    if signature is not None:
        forget_official_invitation(request)
        context["signed_by_other"] = signature
        return render(request, "pledges/roster/invitation.html", context)
    changes = what_to_change(candidate, official_list)
    if changes:
        context["changes"] = changes
        return render(request, "pledges/roster/invitation.html", context)
    messages.info(
        request,
        _(
            "Vous signez pour la liste « %(name)s » : cochez les engagements qu’elle prend. "
            "Une fois validée par Coorace, sa signature est publiée %(place)s."
        )
        % {"name": official_list.name, "place": a_lieu(official_place(official_list))},
    )
    return redirect("pledges:sign")
