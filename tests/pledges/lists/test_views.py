"""The candidate's side of lists, through the client: « Ma candidature », signing, the
invitation, « Trouver ma liste », « Mon espace » and its buttons, and who may press them."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidates.models import Candidate
from communes.models import Commune, Secteur
from config.typography import french_text
from pledges.lists.services import JOIN_CONSENT, active_membership, decide_join, request_join
from pledges.lists.views import INVITATION_KEY
from pledges.models import ElectoralList, ListClaim, ListMembership, Signature
from tests.factories import approve, commitments, make_candidate, make_pledge, make_user
from tests.pledges.signing.test_headers import assert_kept_by_no_cache

pytestmark = pytest.mark.django_db

PROFILE = reverse("pledges:profile")
SIGN = reverse("pledges:sign")
SPACE = reverse("pledges:space")
INVITE = reverse("pledges:list_invite")
JOIN = reverse("pledges:list_join")
LEAVE = reverse("pledges:list_leave")
Status = ListMembership.Status


def marseille(number: int = 1) -> Secteur:
    return Secteur.objects.get(commune__insee_code="13055", number=number)


def make_head(list_name="Marseille en commun", secteur=None, **fields) -> Candidate:
    secteur = secteur or marseille()
    return make_candidate(commune=secteur.commune, secteur=secteur, list_name=list_name, **fields)


def make_colistier(secteur=None, **fields) -> Candidate:
    secteur = secteur or marseille()
    fields.setdefault("list_name", "")
    return make_candidate(
        commune=secteur.commune, secteur=secteur, role=Candidate.Role.CANDIDATE, **fields
    )


def signed_list(list_name="Marseille en commun", codes=("1.1", "2.1"), **fields):
    pledge = make_pledge(make_head(list_name, **fields), codes=codes)
    return pledge.electoral_list, pledge


def logged_in(candidate_or_user) -> Client:
    client = Client()
    user = getattr(candidate_or_user, "user", candidate_or_user)
    client.force_login(user)
    return client


def content(response) -> str:
    return response.content.decode()


def ids(*codes):
    return [str(c.pk) for c in commitments(*codes)]


def sign_data(*codes):
    return {"commitments": ids(*codes), "consent_candidacy": "on", "consent_publication": "on"}


def invitation_path(electoral_list) -> str:
    return reverse("pledges:list_invitation", args=[electoral_list.invitation_token])


def join(colistier, electoral_list) -> ListMembership:
    return request_join(candidate=colistier, electoral_list=electoral_list, consent=True)


# ---------------------------------------------------------------- « Ma candidature »


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
        "political_label": "Sans étiquette",
        "website": "",
        "statement": "",
        "opinions_consent": "on",
        "phone": "06 12 34 56 78",
    }
    data.update(overrides)
    return data


def test_ma_candidature_offers_the_secteurs_city_by_city_the_ballot_note_and_the_roles(
    user_client,
):
    page = content(user_client.get(PROFILE))
    for city in ("Lyon", "Marseille", "Paris"):
        assert f'<optgroup label="{city}"' in page
    assert page.count("<option value=") == 1 + 17 + 9 + 8
    assert "Marseille 1er secteur (1er et 7e arrondissements)" in page
    assert "data-secteur-field" in page and "js/secteur-field.js" in page
    assert "Mode de scrutin\u202f: une ligne d’explication (si besoin)" in page
    assert "la population, qui n’est qu’une indication" in page
    assert "Colistier·e (candidat·e sur une liste)" in page
    assert "Candidat·e à titre individuel (moins de 1\xa0000 habitants)" in page


def test_a_candidate_in_marseille_saves_their_secteur(user_client):
    response = user_client.post(PROFILE, profile_data(secteur=str(marseille(4).pk)))
    assert response.status_code == 302
    assert Candidate.objects.get().secteur == marseille(4)


def test_marseille_without_a_secteur_is_refused_in_french_and_nothing_is_lost(user_client):
    response = user_client.post(PROFILE, profile_data(secteur=""))
    assert response.status_code == 200
    page = content(response)
    assert "À Marseille, les listes se présentent par secteur\u202f: choisissez le vôtre." in page
    assert 'aria-invalid="true"' in page
    assert 'value="Marseille en commun"' in page
    assert 'value="06 12 34 56 78"' in page
    assert 'value="head_of_list" id="id_role_0" required checked' in page
    assert not Candidate.objects.exists()


def test_a_secteur_outside_the_three_cities_is_refused_and_the_choice_kept(user_client):
    response = user_client.post(
        PROFILE,
        profile_data(commune="42218", commune_query="Saint-Étienne (42)", secteur=marseille().pk),
    )
    page = content(response)
    assert (
        "Seules Paris, Lyon et Marseille votent par secteur\u202f: laissez ce champ vide." in page
    )
    assert f'<option value="{marseille().pk}" selected>' in page
    assert not Candidate.objects.exists()


def test_a_ballot_against_the_population_asks_for_its_explanation_then_takes_it(user_client):
    village = {"commune": "2A011", "commune_query": "Altagène (2A)", "secteur": ""}
    response = user_client.post(PROFILE, profile_data(**village))
    assert "on y vote pour des candidat·es, pas des listes" in content(response)
    note = "La population légale en vigueur en mars 2020 dépasse 1 000 habitants."
    response = user_client.post(PROFILE, profile_data(**village, ballot_note=note))
    assert response.status_code == 302
    assert Candidate.objects.get().ballot_note == note


NO_SUCH_SECTEUR = "Ce secteur n’existe pas\u202f: choisissez-le dans la liste."


@pytest.mark.parametrize(
    ("secteur", "message"),
    [
        ("abc", NO_SUCH_SECTEUR),
        ("999999", NO_SUCH_SECTEUR),
        ("-1", NO_SUCH_SECTEUR),
        ("1 OR 1=1", NO_SUCH_SECTEUR),
        ("1\x00", "Le caractère nul n’est pas autorisé."),
    ],
)
def test_a_forged_secteur_is_a_form_error_not_a_crash(user_client, secteur, message):
    response = user_client.post(PROFILE, profile_data(secteur=secteur))
    assert response.status_code == 200
    assert f"Secteur (Paris, Lyon et Marseille)\u202f: {message}" in content(response)
    assert not Candidate.objects.exists()


def test_a_ballot_note_with_a_line_break_is_refused(user_client):
    response = user_client.post(
        PROFILE, profile_data(commune="2A011", secteur="", ballot_note="Une\r\nligne")
    )
    assert response.status_code == 200
    assert not Candidate.objects.exists()


# ---------------------------------------------------------------- signing


def test_a_head_is_told_they_sign_for_their_list_and_the_list_is_created():
    head = make_head("Marseille en commun")
    client = logged_in(head)
    page = content(client.get(SIGN))
    assert "Vous signez pour la liste «\u202f<strong>Marseille en commun</strong>\u202f»." in page
    response = client.post(SIGN, sign_data("1.1"), follow=True)
    assert (
        "Votre signature est enregistrée pour la liste «\u202fMarseille en commun\u202f»"
    ) in content(response)
    assert Signature.objects.get().electoral_list == ElectoralList.objects.get(head=head)


def test_a_second_head_is_stopped_on_the_form_with_everything_kept(settings, mailoutbox):
    settings.STAFF_NOTIFICATION_EMAILS = ["moderation@coorace.test"]
    signed_list("Marseille en commun")
    claimant = make_head("Marseille en Commun")
    mailoutbox.clear()
    response = logged_in(claimant).post(SIGN, sign_data("1.1", "3.2"))
    assert response.status_code == 200
    page = content(response)
    assert "a déjà une tête de liste\u202f: une liste n’a qu’une tête et qu’une signature" in page
    assert 'class="error-summary"' in page
    for pk in ids("1.1", "3.2"):
        assert f'value="{pk}" id="engagement-{pk}" checked' in page
    assert 'id="id_consent_candidacy" checked' in page
    assert 'id="id_consent_publication" checked' in page
    assert not Signature.objects.filter(candidate=claimant).exists()
    assert ListClaim.objects.filter(candidate=claimant).exists()
    assert [m.to for m in mailoutbox] == [["moderation@coorace.test"]]
    # « Mon espace » says the claim is with staff.
    assert "l’équipe Coorace examine la question" in content(logged_in(claimant).get(SPACE))


def test_a_colistier_without_a_list_is_sent_to_join_it_first():
    client = logged_in(make_colistier())
    page = content(client.get(SIGN))
    assert "Rejoignez d’abord votre liste" in page
    assert f'href="{JOIN}"' in page
    assert 'name="commitments"' not in page
    client.post(SIGN, sign_data("1.1"))
    assert not Signature.objects.exists()


def test_a_colistier_signs_in_their_name_only_what_the_list_has_not_signed():
    electoral_list, _ = signed_list(codes=("1.1", "2.1"))
    colistier = make_colistier()
    join(colistier, electoral_list)
    client = logged_in(colistier)
    page = content(client.get(SIGN))
    assert "Vous signez <strong>à titre personnel</strong>" in page
    assert page.count("✓ déjà signé par la liste") == 2
    assert page.count('type="checkbox" name="commitments"') == 18
    assert f'value="{ids("1.1")[0]}"' not in page
    # A forged tick of a list's commitment is refused, with the rest kept.
    response = client.post(SIGN, sign_data("1.1", "3.1"))
    assert "Votre liste a déjà signé certains de ces engagements" in content(response)
    assert not Signature.objects.filter(candidate=colistier).exists()
    response = client.post(SIGN, sign_data("3.1"), follow=True)
    assert "Vos engagements à titre personnel sont enregistrés" in content(response)
    personal = Signature.objects.get(candidate=colistier)
    assert personal.electoral_list is None
    assert [s.commitment.code for s in personal.active_signatures()] == ["3.1"]
    space = content(response)
    assert "Mes engagements à titre personnel" in space
    assert space.count("✓ Signé par la liste") == 2
    assert re.search(r"Signé le [^<]+ à titre personnel", space)


# ---------------------------------------------------------------- the invitation page


def test_the_head_prints_an_invitation_with_its_link_and_qr_code(settings):
    settings.SITE_URL = "https://engagements.coorace.example"
    electoral_list, pledge = signed_list()
    response = logged_in(pledge.candidate).get(INVITE)
    assert response.status_code == 200
    assert_kept_by_no_cache(response)
    page = content(response)
    url = f"https://engagements.coorace.example{invitation_path(electoral_list)}"
    assert invitation_path(electoral_list).startswith("/listes/rejoindre/")
    assert f'<a href="{url}">{url}</a>' in page
    assert '<svg viewBox="' in page and 'class="segno"' in page
    assert "css/invitation.css" in page
    assert "Rejoignez la liste «\u202fMarseille en commun\u202f»" in page


def test_only_a_head_whose_list_exists_has_an_invitation_page():
    head = make_head()
    response = logged_in(head).get(INVITE, follow=True)
    assert response.redirect_chain == [(SPACE, 302)]
    assert "Votre liste est créée quand vous signez" in content(response)
    response = logged_in(make_colistier()).get(INVITE, follow=True)
    assert "Seule une tête de liste invite ses colistier·es." in content(response)
    response = Client().get(INVITE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_mon_espace_gives_the_head_the_invitation_link_and_page():
    electoral_list, pledge = signed_list()
    page = content(logged_in(pledge.candidate).get(SPACE))
    assert invitation_path(electoral_list) in page
    assert f'href="{INVITE}"' in page
    assert "Marseille, Marseille 1er secteur" in page
    assert "aucun membre confirmé pour l’instant" in page


# ---------------------------------------------------------------- following the invitation


def test_a_visitor_who_follows_the_invitation_is_asked_to_sign_up_and_comes_back(client):
    electoral_list, _ = signed_list()
    path = invitation_path(electoral_list)
    response = client.get(path)
    assert response.status_code == 200
    assert_kept_by_no_cache(response)
    page = content(response)
    assert "Rejoindre la liste «\u202fMarseille en commun\u202f»" in page
    assert '<meta name="robots" content="noindex">' in page  # the token is not for search
    assert f'href="{reverse("account_signup")}?next={path.replace("/", "%2F")}"' in page
    assert f'href="{reverse("account_login")}?next={path.replace("/", "%2F")}"' in page
    # Signed up and confirmed (in the same browser), with no profile yet: « Ma candidature »,
    # already filled in with the list's commune, secteur and name, and back to the invitation.
    user = make_user("sacha@exemple.test")
    client.force_login(user)
    response = client.get(path)
    assert response["Location"] == PROFILE
    page = content(client.get(PROFILE))
    assert "Vous êtes invité·e à rejoindre la liste «\u202fMarseille en commun\u202f»" in page
    assert 'value="candidate" id="id_role_1" required checked' in page
    assert f'<option value="{marseille().pk}" selected>' in page
    assert 'value="Marseille en commun"' in page
    response = client.post(
        PROFILE,
        profile_data(first_name="Sacha", role="candidate", list_name="Marseille en commun"),
    )
    assert response["Location"] == path
    page = content(client.get(path))
    assert french_text(JOIN_CONSENT.format(name="Marseille en commun")) in page
    assert "Demander à rejoindre la liste" in page


def test_a_colistier_joins_through_the_invitation_with_their_consent(mailoutbox):
    electoral_list, pledge = signed_list()
    colistier = make_colistier(first_name="Sacha")
    client = logged_in(colistier)
    path = invitation_path(electoral_list)
    response = client.post(path, {})
    assert "Cochez le consentement à la publication pour rejoindre la liste." in content(response)
    assert not ListMembership.objects.exists()
    mailoutbox.clear()
    response = client.post(path, {"consent": "on"}, follow=True)
    assert response.redirect_chain == [(f"{SPACE}#ma-liste", 302)]
    membership = ListMembership.objects.get()
    assert (membership.candidate, membership.electoral_list) == (colistier, electoral_list)
    assert membership.via_invitation
    assert membership.status == Status.REQUESTED
    assert [m.to for m in mailoutbox] == [[pledge.candidate.user.email]]
    page = content(response)
    assert "Votre demande est envoyée à la tête de liste" in page
    assert "en attente" in page and "Retirer ma demande" in page
    assert INVITATION_KEY not in client.session
    # Following the link again says where the request stands, and leaves no invitation
    # to come back to after « Ma candidature ».
    assert "la tête de liste doit encore confirmer" in content(client.get(path))
    assert INVITATION_KEY not in client.session
    response = client.post(PROFILE, profile_data(role="candidate", list_name=""))
    assert response["Location"] == SPACE


def test_a_profile_that_does_not_fit_is_told_exactly_what_to_change():
    electoral_list, _ = signed_list()
    candidate = make_head("Autre chose", secteur=marseille(2))
    client = logged_in(candidate)
    path = invitation_path(electoral_list)
    page = content(client.get(path))
    assert "Avant de rejoindre cette liste, changez dans «\u202fMa candidature\u202f»" in page
    assert (
        "Votre rôle\u202f: choisissez «\u202fColistier·e\u202f» "
        "(aujourd’hui\u202f: «\u202fTête de liste\u202f»)."
    ) in page
    assert "Votre secteur\u202f: Marseille 1er secteur" in page
    assert "(aujourd’hui\u202f: Marseille 2e secteur" in page
    assert 'name="consent"' not in page
    client.post(path, {"consent": "on"})
    assert not ListMembership.objects.exists()
    # After « Ma candidature », back to the invitation, which now fits.
    response = client.post(
        PROFILE, profile_data(role="candidate", list_name="", secteur=marseille().pk)
    )
    assert response["Location"] == path
    assert 'name="consent"' in content(client.get(path))


def test_another_commune_is_named_too():
    electoral_list, _ = signed_list()
    in_saint_etienne = make_candidate(role=Candidate.Role.CANDIDATE, list_name="")
    page = content(logged_in(in_saint_etienne).get(invitation_path(electoral_list)))
    assert "Votre commune\u202f: Marseille (aujourd’hui\u202f: Saint-Étienne)." in page


def test_the_head_following_their_own_link_is_sent_to_their_invitation_page():
    electoral_list, pledge = signed_list()
    response = logged_in(pledge.candidate).get(invitation_path(electoral_list))
    assert response["Location"] == INVITE


@pytest.mark.parametrize(
    "token", ["inconnu-mais-bien-forme", "%00%00%00%00%00%00%00%00", "a%0D%0Ab" * 3, "x" * 80]
)
def test_an_unknown_or_hostile_token_is_a_404(client, token):
    signed_list()
    assert client.get(f"/listes/rejoindre/{token}/").status_code == 404


# ---------------------------------------------------------------- « Trouver ma liste »


def test_a_colistier_finds_the_lists_of_their_secteur_by_name():
    mine, _ = signed_list("Marseille en Commun")
    signed_list("Marseille demain")
    signed_list("Marseille en commun", secteur=marseille(2))
    client = logged_in(make_colistier())
    page = content(client.get(JOIN))
    assert page.count(">Marseille en Commun</a>") == 1
    assert ">Marseille demain</a>" in page
    page = content(client.get(JOIN, {"q": "EN-COMMUN"}))
    assert ">Marseille en Commun</a>" in page
    assert "Marseille demain" not in page
    assert reverse("pledges:list_join_request", args=[mine.pk]) in page
    assert "Aucune liste ne correspond." in content(client.get(JOIN, {"q": "zzz"}))


@pytest.mark.parametrize("q", ["en\x00commun", "en\r\ncommun", "x" * 101])
def test_a_hostile_search_is_a_french_error_with_every_list(q):
    signed_list("Marseille en commun")
    response = logged_in(make_colistier()).get(JOIN, {"q": q})
    assert response.status_code == 200
    page = content(response)
    assert 'class="error-summary"' in page
    assert ">Marseille en commun</a>" in page


def test_asking_to_join_a_list_found_by_its_name():
    electoral_list, _ = signed_list()
    colistier = make_colistier()
    client = logged_in(colistier)
    path = reverse("pledges:list_join_request", args=[electoral_list.pk])
    assert french_text(JOIN_CONSENT.format(name="Marseille en commun")) in content(client.get(path))
    client.post(path, {"consent": "on"})
    membership = active_membership(colistier)
    assert membership.electoral_list == electoral_list
    assert not membership.via_invitation


def test_a_list_of_another_secteur_cannot_be_asked_by_its_id():
    elsewhere, _ = signed_list("Ailleurs", secteur=marseille(5))
    client = logged_in(make_colistier())
    path = reverse("pledges:list_join_request", args=[elsewhere.pk])
    assert client.get(path).status_code == 404
    assert client.post(path, {"consent": "on"}).status_code == 404
    assert client.get("/listes/999999/rejoindre/").status_code == 404
    assert not ListMembership.objects.exists()


def test_a_head_looking_for_a_list_is_told_to_choose_colistier():
    page = content(logged_in(make_head()).get(JOIN))
    assert "choisissez le rôle «\u202fColistier·e\u202f» dans «\u202fMa candidature\u202f»" in page


# ---------------------------------------------------------------- « Mon espace »


def test_the_head_confirms_and_refuses_requests_from_mon_espace():
    electoral_list, pledge = signed_list()
    first, second = make_colistier(first_name="Sacha"), make_colistier(first_name="Noa")
    asked = [join(first, electoral_list), join(second, electoral_list)]
    client = logged_in(pledge.candidate)
    page = content(client.get(SPACE))
    assert "2 demandes en attente" in page
    assert f"Confirmer {first.full_name}" in page and f"Refuser {second.full_name}" in page
    response = client.post(reverse("pledges:list_confirm", args=[asked[0].pk]), follow=True)
    assert f"{first.full_name} est confirmé·e sur la liste." in content(response)
    response = client.post(reverse("pledges:list_refuse", args=[asked[1].pk]), follow=True)
    assert f"La demande de {second.full_name} est refusée." in content(response)
    for membership in asked:
        membership.refresh_from_db()
    assert [m.status for m in asked] == [Status.CONFIRMED, Status.REFUSED]
    page = content(response)
    assert "1 membre confirmé·e" in page
    assert f"Retirer {first.full_name} de la liste" in page
    response = client.post(reverse("pledges:list_remove", args=[asked[0].pk]), follow=True)
    assert f"{first.full_name} est retiré·e de la liste." in content(response)
    asked[0].refresh_from_db()
    assert asked[0].status == Status.REMOVED and asked[0].ended_at is not None
    # Deciding twice is a message, not an error page.
    response = client.post(reverse("pledges:list_confirm", args=[asked[1].pk]), follow=True)
    assert ("Cette demande est déjà traitée\u202f: «\u202fdemande refusée\u202f».") in content(
        response
    )


def test_nobody_decides_on_another_lists_memberships():
    electoral_list, _ = signed_list()
    _, other_pledge = signed_list("Un autre Marseille")
    colistier = make_colistier()
    membership = join(colistier, electoral_list)
    for user in (other_pledge.candidate.user, colistier.user, make_user()):
        client = logged_in(user)
        for name in ("pledges:list_confirm", "pledges:list_refuse", "pledges:list_remove"):
            assert client.post(reverse(name, args=[membership.pk])).status_code == 404
    membership.refresh_from_db()
    assert membership.status == Status.REQUESTED


def test_decisions_are_post_only_with_csrf_and_hostile_ids_are_404():
    electoral_list, pledge = signed_list()
    membership = join(make_colistier(), electoral_list)
    client = logged_in(pledge.candidate)
    path = reverse("pledges:list_confirm", args=[membership.pk])
    assert client.get(path).status_code == 405
    assert client.post("/mon-espace/liste/adhesions/abc/confirmer/").status_code == 404
    assert client.post("/mon-espace/liste/adhesions/99999999/confirmer/").status_code == 404
    assert client.post("/mon-espace/liste/adhesions/1/accepter/").status_code == 404
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(pledge.candidate.user)
    assert strict.post(path).status_code == 403
    assert strict.post(LEAVE).status_code == 403
    membership.refresh_from_db()
    assert membership.status == Status.REQUESTED


def test_when_staff_confirm_joins_the_head_has_no_buttons_and_cannot_post():
    electoral_list, pledge = signed_list()
    ElectoralList.objects.filter(pk=electoral_list.pk).update(joins_need_staff=True)
    membership = join(make_colistier(), electoral_list)
    client = logged_in(pledge.candidate)
    page = content(client.get(SPACE))
    assert "L’équipe Coorace confirme elle-même les adhésions à cette liste." in page
    assert reverse("pledges:list_confirm", args=[membership.pk]) not in page
    assert client.post(reverse("pledges:list_confirm", args=[membership.pk])).status_code == 403
    membership.refresh_from_db()
    assert membership.status == Status.REQUESTED


def test_a_colistier_sees_their_list_and_leaves_it():
    electoral_list, pledge = signed_list()
    colistier = make_colistier()
    membership = join(colistier, electoral_list)
    decide_join(membership=membership, user=pledge.candidate.user, accept=True)
    client = logged_in(colistier)
    page = content(client.get(SPACE))
    assert 'id="ma-liste"' in page
    assert "Marseille en commun" in page
    assert '<span class="status-badge">membre</span>' in page
    assert "Quitter la liste" in page
    response = client.post(LEAVE, follow=True)
    assert "Vous avez quitté la liste «\u202fMarseille en commun\u202f»." in content(response)
    membership.refresh_from_db()
    assert membership.status == Status.LEFT and membership.ended_at is not None
    assert "a quitté la liste le" in content(response)
    assert client.post(LEAVE).status_code == 404


def test_an_individual_candidates_space_has_no_list_section():
    individual = make_candidate(
        commune_id=make_candidate().commune_id, role="individual", list_name="Le groupe"
    )
    page = content(logged_in(individual).get(SPACE))
    assert 'id="ma-liste"' not in page
    assert "Le groupe" in page


@pytest.mark.parametrize("name", ["pledges:list_invite", "pledges:list_join"])
def test_the_list_pages_are_stored_by_no_cache(name):
    _, pledge = signed_list()
    response = logged_in(pledge.candidate).get(reverse(name))
    assert response.status_code == 200
    assert_kept_by_no_cache(response)


def test_a_join_page_is_stored_by_no_cache():
    electoral_list, _ = signed_list()
    response = logged_in(make_colistier()).get(invitation_path(electoral_list))
    assert response.status_code == 200
    assert_kept_by_no_cache(response)


def test_an_individual_candidate_signs_in_their_name_with_their_group():
    individual = make_candidate(
        commune=Commune.objects.get(insee_code="2A011"), role="individual", list_name="Le groupe"
    )
    page = content(logged_in(individual).get(SIGN))
    assert "Vous signez en votre nom, <strong>" in page
    assert "avec le groupe «\u202fLe groupe\u202f»." in page
    assert page.count('type="checkbox" name="commitments"') == 20


def test_a_confirmed_colistier_downloads_their_approved_lists_certificate():
    electoral_list, pledge = signed_list()
    colistier = make_colistier()
    membership = join(colistier, electoral_list)
    client = logged_in(colistier)
    assert reverse("pledges:my_list_certificate") not in content(client.get(SPACE))
    decide_join(membership=membership, user=pledge.candidate.user, accept=True)
    assert reverse("pledges:my_list_certificate") not in content(client.get(SPACE))
    approve(pledge)
    page = content(client.get(SPACE))
    assert reverse("pledges:my_list_certificate") in page
    assert f'href="{electoral_list.get_absolute_url()}"' in page
    response = client.get(reverse("pledges:my_list_certificate"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def queries_to_get(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_mon_espace_of_a_head_runs_the_same_queries_for_2_or_6_candidates():
    electoral_list, pledge = signed_list()
    client = logged_in(pledge.candidate)

    def add_candidates(count):
        for _ in range(count):
            membership = join(make_colistier(), electoral_list)
            decide_join(membership=membership, user=pledge.candidate.user, accept=True)
            join(make_colistier(), electoral_list)

    add_candidates(1)
    few = queries_to_get(client, SPACE)
    add_candidates(3)
    assert "4 membres confirmé·es" in content(client.get(SPACE))
    assert queries_to_get(client, SPACE) == few


def test_trouver_ma_liste_runs_the_same_queries_for_1_or_5_lists():
    client = logged_in(make_colistier())
    signed_list("Liste 0")
    few = queries_to_get(client, JOIN)
    for number in range(1, 5):
        signed_list(f"Liste {number}")
    assert content(client.get(JOIN)).count('<li><a href="/listes/') == 5
    assert queries_to_get(client, JOIN) == few
