"""The relay's side: opening its account, « Espace relais », its links and letters.

- /relais/invitation/<token>/: the link staff e-mailed the relay's contact; create an account
  (allauth's sign-up, the token kept in the session through the confirmation) or log in, then
  attach the account to the relay;
- /relais/: the official roster of the relay's territory (latest round, standing lists, by
  commune), each list's public answer, filters (département, commune, answer), 50 a page;
- /relais/listes/<pk>/: one list — the relay's personal link and its QR code, the printable
  letter (/relais/listes/<pk>/lettre.pdf), « invitée le … par … »;
- /relais/invitations/: the lists the relay invited and their answers;
- /r/<code>/: a relay's personal link — kept in the session, then exactly the letter's short
  link /l/<code>/ (pledges.roster.views.invitation); the signature is attributed on signing
  (services.attribute_signature, from the signing page).

Only accounts of an active relay enter its space (anyone else: 403). The space shows what the
public pages show of the lists (names, heads as filed, answers) and the relay's own
invitations: no address, phone, pending signature nor anything private about candidates.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from candidates.decorators import has_verified_email, render_verify_email_first
from candidates.models import Candidate
from communes.models import Departement
from communes.search import normalize_name
from config.http import personal
from config.site import client_ip
from pledges.certificates.pdf import qr_code_svg
from pledges.charter.queries import current_campaign
from pledges.models import ListInvitation, Relay, RelayLink
from pledges.relays.forms import InvitationForm, RosterFilterForm
from pledges.relays.links import link_for, relay_link_url
from pledges.relays.services import (
    RELAY_INVITATION_KEY,
    accept_invitation,
    account_refusal,
    is_relay_account,
    relays_of,
    remember_link,
    territory_lists,
)
from pledges.roster import views as roster_views
from pledges.roster.admin import answer_condition
from pledges.roster.answers import Answer, answers_for, signed_lists_condition
from pledges.roster.invitations import mark_invited_by_relay
from pledges.roster.letters import render_letters_pdf

PAGE_SIZE = 50


# ---------------------------------------------------------------- who may


def _relay(request) -> Relay:
    """The relay of the signed-in account; anyone else is refused (403)."""
    relays = relays_of(request.user)
    if not relays:
        raise PermissionDenied(_("Cette page est réservée aux comptes des relais de Coorace."))
    return relays[0]


def candidate_pages_redirect(request, candidate: Candidate | None):
    """A relay's account has no candidacy: the candidate's pages send it to its space."""
    if candidate is None and is_relay_account(request.user):
        return redirect("pledges:relay_space")
    return None


# ---------------------------------------------------------------- the relay's account


@personal
def invitation(request, token):
    """/relais/invitation/<token>/: open (or attach) the relay's account."""
    relay = Relay.objects.filter(invitation_token=token, is_active=True).first()
    if relay is None:
        request.session.pop(RELAY_INVITATION_KEY, None)
        return render(request, "pledges/relays/invitation_unknown.html", status=404)
    context = {"relay": relay}
    if not request.user.is_authenticated:
        request.session[RELAY_INVITATION_KEY] = token
        next_query = urlencode({"next": request.path})
        context["signup_url"] = f"{reverse('account_signup')}?{next_query}"
        context["login_url"] = f"{reverse('account_login')}?{next_query}"
        return render(request, "pledges/relays/invitation.html", context)
    if relay.accounts.filter(pk=request.user.pk).exists():
        request.session.pop(RELAY_INVITATION_KEY, None)
        return redirect("pledges:relay_space")
    if not has_verified_email(request.user):
        return render_verify_email_first(request)
    context["refusal"] = account_refusal(request.user)
    other = request.user.relays.exclude(pk=relay.pk).first()
    if other is not None:
        context["refusal"] = _(
            "Ce compte est déjà celui du relais « %(name)s » : un compte ne sert qu’un relais. "
            "Déconnectez-vous, puis créez un autre compte depuis ce lien."
        ) % {"name": other.name}
    if request.method == "POST" and not context["refusal"]:
        try:
            accept_invitation(relay=relay, user=request.user, token=token)
        except ValidationError as error:
            context["refusal"] = " ".join(error.messages)
        else:
            request.session.pop(RELAY_INVITATION_KEY, None)
            messages.success(
                request,
                _("Bienvenue dans l’espace du relais « %(name)s ».") % {"name": relay.name},
            )
            return redirect("pledges:relay_space")
    return render(request, "pledges/relays/invitation.html", context)


# ---------------------------------------------------------------- the relay's space


def _search(queryset, term: str):
    term = term.strip()[:100]
    if not term:
        return queryset
    if len(term) == 5 and term[:2].isalnum() and term[2:].isdigit():
        return queryset.filter(commune__insee_code=term.upper())
    key = normalize_name(term)
    if not key:
        return queryset.none()
    return queryset.filter(commune__search_key__contains=key)


def _rows(relay: Relay, official_lists, campaign) -> list:
    """Each list of a page with its public answer and the relay's latest invitation of it."""
    official_lists = list(official_lists)
    answers = answers_for(official_lists, campaign=campaign)
    ours = dict(
        ListInvitation.objects.filter(
            relay=relay, campaign=campaign, official_list__in=official_lists
        )
        .values("official_list_id")
        .annotate(latest=Max("at"))
        .order_by()
        .values_list("official_list_id", "latest")
    )
    for official_list in official_lists:
        official_list.answer = answers.get(official_list.pk)
        official_list.invited_by_us = ours.get(official_list.pk)
    return official_lists


def _page(request, queryset):
    paginator = Paginator(queryset, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return page, list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@personal
@login_required
@require_safe
def space(request):
    """« Espace relais »: the official roster of the relay's territory and its answers."""
    relay = _relay(request)
    campaign = current_campaign()
    lists = territory_lists(relay)
    departements = Departement.objects.filter(
        pk__in=lists.order_by().values("commune__departement_id")
    ).order_by("code")
    form = RosterFilterForm(request.GET or None, departements=departements)
    totals = lists.order_by().aggregate(
        lists=Count("pk"),
        signed=Count("pk", filter=signed_lists_condition(campaign) if campaign else Q(pk=None)),
    )
    filtered = lists
    if form.is_valid():
        if form.cleaned_data["departement"]:
            filtered = filtered.filter(commune__departement_id=form.cleaned_data["departement"])
        filtered = _search(filtered, form.cleaned_data["commune"])
        if form.cleaned_data["reponse"] and campaign is not None:
            filtered = filtered.filter(answer_condition(form.cleaned_data["reponse"], campaign))
    filtered = filtered.select_related("commune__departement", "secteur").order_by(
        "commune__name", "commune__insee_code", "secteur__number", "panel_number", "pk"
    )
    page, page_range = _page(request, filtered)
    invited = (
        ListInvitation.objects.filter(relay=relay, campaign=campaign)
        .values("official_list")
        .distinct()
        .count()
    )
    return render(
        request,
        "pledges/relays/space.html",
        {
            "relay": relay,
            "campaign": campaign,
            "form": form,
            "page": page,
            "page_range": page_range,
            "rows": _rows(relay, page.object_list, campaign),
            "totals": totals,
            "invited_count": invited,
            "query": _query_without_page(request),
            "Answer": Answer,
        },
    )


def _territory_list(relay: Relay, pk: int):
    return get_object_or_404(
        territory_lists(relay).select_related("commune__departement", "secteur"), pk=pk
    )


@personal
@login_required
def list_detail(request, pk):
    """One list of the territory: the relay's link, its QR code, the letter, the invitation."""
    relay = _relay(request)
    official_list = _territory_list(relay, pk)
    campaign = current_campaign()
    link = link_for(relay, official_list)
    url = relay_link_url(link)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mark_invited_by_relay(
                official_list=official_list,
                relay=relay,
                account=request.user,
                campaign=campaign,
                ip_address=client_ip(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(
                request,
                _("L’invitation de la liste « %(name)s » est enregistrée.")
                % {"name": official_list.name},
            )
            return redirect("pledges:relay_list", pk=official_list.pk)
    (row,) = _rows(relay, [official_list], campaign)
    return render(
        request,
        "pledges/relays/list.html",
        {
            "relay": relay,
            "campaign": campaign,
            "official_list": row,
            "place": roster_views.official_place(official_list),
            "link": url,
            "code": link.code,
            "qr_code": qr_code_svg(url),
            "form": form,
            "invitations": ListInvitation.objects.filter(
                relay=relay, campaign=campaign, official_list=official_list
            ).order_by("-at", "-pk"),
        },
    )


@personal
@login_required
@require_safe
def letter(request, pk):
    """The list's invitation letter, carrying the relay's name and link (PDF)."""
    relay = _relay(request)
    official_list = _territory_list(relay, pk)
    data = render_letters_pdf([official_list], campaign=current_campaign(), relay=relay)
    response = HttpResponse(data, content_type="application/pdf")
    code = link_for(relay, official_list).code
    response["Content-Disposition"] = f'attachment; filename="lettre-invitation-{code}.pdf"'
    return response


@personal
@login_required
@require_safe
def invited(request):
    """The lists this relay invited, the latest invitation first, with their answers."""
    relay = _relay(request)
    campaign = current_campaign()
    ours = ListInvitation.objects.filter(relay=relay, campaign=campaign)
    lists = (
        territory_lists(relay)
        .filter(Exists(ours.filter(official_list=OuterRef("pk"))))
        .annotate(
            latest=Max(
                "invitations__at",
                filter=Q(invitations__relay=relay, invitations__campaign=campaign),
            )
        )
        .select_related("commune__departement", "secteur")
        .order_by("-latest", "commune__name", "panel_number", "pk")
    )
    page, page_range = _page(request, lists)
    rows = _rows(relay, page.object_list, campaign)
    signed = lists.order_by().filter(signed_lists_condition(campaign)).count() if campaign else 0
    return render(
        request,
        "pledges/relays/invited.html",
        {
            "relay": relay,
            "campaign": campaign,
            "page": page,
            "page_range": page_range,
            "rows": rows,
            "signed": signed,
            "query": "",
        },
    )


# ---------------------------------------------------------------- /r/<code>/


@personal
def relay_link(request, code):
    """A relay's personal link: remembered for the attribution, then the letter's own link."""
    link = (
        RelayLink.objects.select_related("relay", "official_list")
        .filter(code=code.strip().lower())
        .first()
    )
    if link is None:
        return render(request, "pledges/roster/unknown_code.html", {"code": code}, status=404)
    if link.relay.is_active:
        remember_link(request, link)
    return roster_views.invitation(request, link.official_list.invitation_code)
