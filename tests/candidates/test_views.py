import pytest
from django.urls import reverse

from candidates.models import Candidate
from communes.models import Commune
from tests.factories import approve, make_candidate, make_pledge, make_user

pytestmark = pytest.mark.django_db

PROFILE = reverse("pledges:profile")


def profile_data(**overrides):
    data = {
        "first_name": "Camille",
        "last_name": "Durand",
        "commune_query": "Saint-Étienne (42)",
        "commune": "42218",
        "role": "head_of_list",
        "list_name": "Saint-Étienne solidaire",
        "political_label": "Sans étiquette",
        "website": "https://saint-etienne-solidaire.example",
        "statement": "Pour une ville inclusive.",
        "opinions_consent": "on",  # beside the label and the statement
        "phone": "06 12 34 56 78",
    }
    data.update(overrides)
    return data


def content(response):
    return response.content.decode()


def test_a_new_candidate_fills_the_profile_then_goes_to_sign(user_client):
    response = user_client.post(PROFILE, profile_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("pledges:sign")
    candidate = Candidate.objects.get(user=user_client.user)
    assert candidate.commune.insee_code == "42218"
    assert candidate.phone == "06 12 34 56 78"


def test_an_unverified_email_cannot_fill_a_profile_or_sign(client):
    client.force_login(make_user(verified=False))
    for url in (PROFILE, reverse("pledges:sign")):
        response = client.get(url)
        assert response.status_code == 403
        assert "Confirmez d’abord votre adresse électronique" in content(response)
    assert client.post(PROFILE, profile_data()).status_code == 403
    assert not Candidate.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_without_javascript_an_unambiguous_commune_name_is_enough(user_client):
    response = user_client.post(PROFILE, profile_data(commune="", commune_query="saint etienne"))
    assert response.status_code == 302
    assert Candidate.objects.get().commune.insee_code == "42218"


def test_without_javascript_an_ambiguous_name_offers_choices_and_keeps_the_rest(user_client):
    response = user_client.post(PROFILE, profile_data(commune="", commune_query="Sainte-Marie"))
    assert response.status_code == 200
    page = content(response)
    assert (
        "Plusieurs communes correspondent à "
        "«\u202fSainte-Marie\u202f»\u202f: choisissez la vôtre ci-dessous."
    ) in page
    assert 'value="97418"' in page and "La Réunion" in page
    assert 'value="Saint-Étienne solidaire"' in page
    assert 'value="06 12 34 56 78"' in page
    assert "Pour une ville inclusive." in page
    response = user_client.post(
        PROFILE, profile_data(commune="97418", commune_query="Sainte-Marie")
    )
    assert response.status_code == 302
    assert Candidate.objects.get().commune.insee_code == "97418"


def test_an_unknown_commune_says_so(user_client):
    response = user_client.post(PROFILE, profile_data(commune="", commune_query="Zzyzxville"))
    assert "Aucune commune ne correspond à «\u202fZzyzxville\u202f»" in content(response)


@pytest.mark.parametrize(
    "field_value", [{"commune": "", "commune_query": ""}, {"commune": "99999"}]
)
def test_a_missing_or_forged_commune_is_refused(user_client, field_value):
    response = user_client.post(PROFILE, profile_data(**field_value))
    assert response.status_code == 200
    assert not Candidate.objects.exists()


def test_a_commune_without_a_council_cannot_be_chosen(user_client):
    response = user_client.post(
        PROFILE, profile_data(commune="55039", commune_query="Beaumont-en-Verdunois")
    )
    assert "Beaumont-en-Verdunois n’élit pas de conseil municipal" in content(response)
    assert not Candidate.objects.exists()


def test_a_head_of_list_in_a_commune_of_1000_or_more_needs_a_list_name(user_client):
    response = user_client.post(PROFILE, profile_data(list_name=""))
    assert (
        "Indiquez le nom de votre liste\u202f: chaque tête de liste conduit une liste."
    ) in content(response)
    assert 'value="Durand"' in content(response)
    assert not Candidate.objects.exists()


def test_in_a_small_commune_a_candidate_may_stand_without_a_list(user_client):
    small = Commune.objects.get(insee_code="01002")  # L'Abergement-de-Varey, 256 inhabitants
    response = user_client.post(
        PROFILE,
        profile_data(list_name="", commune="01002", commune_query=small.name, role="individual"),
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    "website", ["javascript:alert(1)", "ftp://exemple.fr/", "data:text/html,<b>x</b>", "exemple"]
)
def test_a_website_must_be_http_or_https(user_client, website):
    response = user_client.post(PROFILE, profile_data(website=website))
    assert "Indiquez une adresse web complète commençant par http:// ou https://." in content(
        response
    )
    assert not Candidate.objects.exists()


def test_a_statement_of_601_characters_is_refused_and_kept(user_client):
    statement = "é" * 601
    response = user_client.post(PROFILE, profile_data(statement=statement))
    page = content(response)
    assert "La déclaration compte 601 caractères\u202f: 600 au plus, raccourcissez-la." in page
    assert statement in page
    assert user_client.post(PROFILE, profile_data(statement="é" * 600)).status_code == 302


def test_one_profile_per_account(user_client):
    user_client.post(PROFILE, profile_data())
    user_client.post(PROFILE, profile_data(last_name="Durand-Leroy"))
    assert Candidate.objects.filter(user=user_client.user).get().last_name == "Durand-Leroy"


def test_once_approved_locked_fields_cannot_change(user_client):
    candidate = make_candidate(
        user=user_client.user, last_name="Durand", list_name="Saint-Étienne solidaire"
    )
    approve(make_pledge(candidate))
    response = user_client.post(PROFILE, profile_data(last_name="Dupont"))
    assert response.status_code == 200
    assert (
        "Votre signature a été validée\u202f: ce champ ne peut plus être modifié ici."
    ) in content(response)
    assert Candidate.objects.get().last_name == "Durand"
    # The other fields can still change.
    response = user_client.post(PROFILE, profile_data(statement="Nouvelle déclaration."))
    assert response.status_code == 302
    assert Candidate.objects.get().statement == "Nouvelle déclaration."


def test_a_correction_request_reaches_staff(user_client, settings, mailoutbox):
    settings.STAFF_NOTIFICATION_EMAILS = ["moderation@coorace.test"]
    candidate = make_candidate(user=user_client.user)
    approve(make_pledge(candidate))
    mailoutbox.clear()
    url = reverse("candidates:correction")
    assert "Dites-nous ce qu’il faut corriger." in content(user_client.post(url, {"message": ""}))
    response = user_client.post(url, {"message": "Mon nom s’écrit Martin-Lefèvre."})
    assert response.status_code == 302
    assert candidate.correction_requests.get().message == "Mon nom s’écrit Martin-Lefèvre."
    (email,) = mailoutbox
    assert email.to == ["moderation@coorace.test"]
    assert "Mon nom s’écrit Martin-Lefèvre." in email.body
    assert "camille@exemple.test" in email.body
