"""The invitation letter's short link, /l/<code>/: an unknown code is a French 404; a known
one keeps the list through sign-up, fills « Ma candidature » in and, once its head signs,
ties their list to the official list — whose answer becomes « a signé » once approved."""

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from candidates.models import Candidate, RosterMatch
from communes.models import Commune, Secteur
from pledges.models import Campaign, ElectoralList, Signature
from pledges.roster.answers import Answer, answers_for
from pledges.roster.views import OFFICIAL_INVITATION_KEY
from tests.factories import PASSWORD, approve, commitments, make_candidate, make_official_list
from tests.pledges.signing.test_headers import assert_kept_by_no_cache

pytestmark = pytest.mark.django_db

PROFILE = reverse("pledges:profile")
SIGN = reverse("pledges:sign")
SPACE = reverse("pledges:space")


def plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def page(response) -> str:
    return plain(response.content.decode())


def marseille(number: int = 1) -> Secteur:
    return Secteur.objects.get(commune__insee_code="13055", number=number)


def marseille_list(**fields):
    secteur = fields.pop("secteur", None) or marseille()
    fields.setdefault("name", "Marseille en commun")
    fields.setdefault("head", ("Camille", "Durand"))
    return make_official_list(secteur.commune, secteur=secteur, **fields)


def link(official_list) -> str:
    return reverse("pledges:roster_invitation", args=[official_list.invitation_code])


def profile_data(**overrides):
    data = {
        "first_name": "Camille",
        "last_name": "Durand",
        "commune_query": "Marseille (13)",
        "commune": "13055",
        "role": "head_of_list",
        "secteur": str(marseille().pk),
        "list_name": "Marseille en commun",
        "ballot_note": "",
        "political_label": "",
        "website": "",
        "statement": "",
        "phone": "",
    }
    data.update(overrides)
    return data


def sign_data(*codes):
    return {
        "commitments": [str(c.pk) for c in commitments(*codes)],
        "consent_candidacy": "on",
        "consent_publication": "on",
    }


# ---------------------------------------------------------------- unknown codes


@pytest.mark.parametrize("code", ["zzzzzzzz", "ABCDEFGH", "a", "x" * 40])
def test_an_unknown_code_is_a_404_that_says_so_in_french(client, code):
    response = client.get(f"/l/{code}/")
    assert response.status_code == 404
    content = page(response)
    assert "Ce lien d’invitation est inconnu" in content
    assert f"Aucune liste n’a le code « {code} »" in content
    assert "Vérifiez l’adresse imprimée sur votre lettre d’invitation" in content
    assert OFFICIAL_INVITATION_KEY not in client.session


@pytest.mark.parametrize("path", ["/l/<script>/", "/l/%00/", "/l/" + "x" * 41 + "/"])
def test_a_hostile_code_is_a_404_not_a_crash(client, path):
    assert client.get(path).status_code == 404


# ---------------------------------------------------------------- a known code


def test_a_visitor_sees_the_invitation_and_the_way_to_sign(client):
    official_list = marseille_list()
    path = link(official_list)
    response = client.get(path)
    assert response.status_code == 200
    assert_kept_by_no_cache(response)
    content = page(response)
    assert "Votre liste est invitée à signer" in content
    assert "Marseille en commun" in content and "Camille Durand" in content
    assert "Marseille, Marseille 1er secteur (1er et 7e arrondissements)" in content
    assert '<meta name="robots" content="noindex">' in content
    next_query = path.replace("/", "%2F")
    assert f'href="{reverse("account_signup")}?next={next_query}"' in content
    assert f'href="{reverse("account_login")}?next={next_query}"' in content
    assert client.session[OFFICIAL_INVITATION_KEY] == official_list.invitation_code


def test_a_code_typed_in_capitals_is_found(client):
    official_list = marseille_list()
    response = client.get(f"/l/{official_list.invitation_code.upper()}/")
    assert response.status_code == 200
    assert "Marseille en commun" in page(response)


def test_the_head_signs_up_through_the_letter_and_their_list_is_tied_to_it(client):
    official_list = marseille_list()
    other = marseille_list(name="Marseille d’abord", head=("Paul", "Morel"))
    path = link(official_list)
    client.get(path)
    # Sign-up, then the e-mail's confirmation link, in the same browser: back to the letter.
    data = {"email": "camille@exemple.test", "password1": PASSWORD, "password2": PASSWORD}
    client.post(f"{reverse('account_signup')}?next={path}", {**data, "next": path})
    address = EmailAddress.objects.get(email="camille@exemple.test")
    response = client.post(
        reverse("account_confirm_email", args=[EmailConfirmationHMAC(address).key])
    )
    assert response["Location"] == path
    # No candidacy yet: « Ma candidature », filled in with the list's place, name and role.
    response = client.get(path)
    assert response["Location"] == PROFILE
    content = page(client.get(PROFILE))
    assert "Votre liste « Marseille en commun » (Marseille) est invitée à signer" in content
    assert 'value="head_of_list" id="id_role_0" required checked' in content
    assert f'<option value="{marseille().pk}" selected>' in content
    assert 'value="Marseille en commun"' in content
    assert 'value="13055"' in content
    # Saved: back to the letter's link, which leads to signing.
    response = client.post(PROFILE, profile_data())
    assert response["Location"] == path
    response = client.get(path, follow=True)
    assert response.redirect_chain == [(SIGN, 302)]
    assert "Vous signez pour la liste « Marseille en commun »" in page(response)
    response = client.post(SIGN, sign_data("1.1", "2.1", "3.1"))
    assert response["Location"] == SPACE
    electoral_list = ElectoralList.objects.get()
    assert electoral_list.official_list == official_list
    # Confirmed by the letter's own link: the matching of pledges.roster never changes it.
    assert electoral_list.roster_match == RosterMatch.CONFIRMED
    assert electoral_list.roster_checked_at is None  # not a staff decision
    assert electoral_list.panel_number == official_list.panel_number
    assert OFFICIAL_INVITATION_KEY not in client.session
    # The answer becomes « a signé » once Coorace approves the signature.
    campaign = Campaign.objects.current()
    assert answers_for([official_list], campaign=campaign)[official_list.pk].answer != (
        Answer.SIGNED
    )
    approve(electoral_list.signature)
    answers = answers_for([official_list, other], campaign=campaign)
    assert answers[official_list.pk].answer == Answer.SIGNED
    assert answers[other.pk].answer == Answer.NO_ANSWER
    # Following the link again: the list has signed, see « Mon espace ».
    response = client.get(path, follow=True)
    assert response.redirect_chain == [(SPACE, 302)]
    assert "Votre liste « Marseille en commun » a déjà signé" in page(response)


def test_a_profile_that_does_not_fit_is_told_what_to_change_and_nothing_is_tied():
    official_list = marseille_list()
    candidate = make_candidate(
        commune=Commune.objects.get(insee_code="42218"),
        role=Candidate.Role.CANDIDATE,
        list_name="",
    )
    client = Client()
    client.force_login(candidate.user)
    response = client.get(link(official_list))
    assert response.status_code == 200
    content = page(response)
    assert "Avant de signer pour cette liste, changez dans « Ma candidature »" in content
    assert "Votre rôle : choisissez « Tête de liste »" in content
    assert "Votre commune : Marseille (aujourd’hui : Saint-Étienne)." in content


def test_a_head_of_another_secteur_is_told_and_signing_elsewhere_ties_nothing():
    official_list = marseille_list()
    head = make_candidate(
        commune=marseille(2).commune, secteur=marseille(2), list_name="Marseille en commun"
    )
    client = Client()
    client.force_login(head.user)
    content = page(client.get(link(official_list)))
    assert "Votre secteur : Marseille 1er secteur" in content
    # Signing anyway, with the letter's code still in the session: not tied (another place).
    response = client.post(SIGN, sign_data("1.1"))
    assert response["Location"] == SPACE
    electoral_list = ElectoralList.objects.get()
    assert electoral_list.official_list is None


def test_a_list_already_signed_by_someone_else_says_so():
    official_list = marseille_list()
    head = make_candidate(commune=marseille().commune, secteur=marseille())
    first = Client()
    first.force_login(head.user)
    first.get(link(official_list))
    first.post(SIGN, sign_data("1.1"))
    assert Signature.objects.get().electoral_list.official_list == official_list
    someone = make_candidate(commune=marseille().commune, secteur=marseille())
    client = Client()
    client.force_login(someone.user)
    content = page(client.get(link(official_list)))
    assert "a déjà signé sur ce site, par sa tête de liste" in content
    assert OFFICIAL_INVITATION_KEY not in client.session


def test_a_list_gone_from_the_latest_file_is_said_so(client):
    official_list = marseille_list()
    official_list.gone_at = timezone.now()
    official_list.save(update_fields=["gone_at"])
    response = client.get(link(official_list))
    assert response.status_code == 200
    assert "ne figure plus dans le dernier fichier des candidatures" in page(response)
    assert OFFICIAL_INVITATION_KEY not in client.session
