import pytest
from django.urls import reverse

from pledges.models import Campaign, Commitment

pytestmark = pytest.mark.django_db


def test_home_shows_the_campaign_the_ten_proposals_and_the_search(client):
    response = client.get("/")
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="fr">' in content
    assert "S’engager pour les territoires inclusifs de demain\u202f!" in content
    assert "Nous, entreprises d’utilité sociale et territoriale" in content
    assert "premier tour le 15\xa0mars 2020, second tour le 28\xa0juin 2020" in content
    assert "10 propositions d’utilité sociale et territoriale" in content
    assert content.count('class="commitment"') == 20
    for commitment in Commitment.objects.all():
        assert commitment.text in content
    assert 'action="/recherche/"' in content
    assert '<label for="q-accueil">Commune, candidat·e ou liste</label>' in content


def test_home_has_landmarks_and_a_skip_link(client):
    content = client.get("/").content.decode()
    for landmark in ["<header", "<nav", '<main id="contenu"', "<footer", 'href="#contenu"']:
        assert landmark in content


def test_a_proposal_page_shows_its_context_and_commitments(client):
    response = client.get(reverse("pledges:proposal", kwargs={"number": 9}))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Financement des acteurs de l’ESS et élu-e dédié-e à l’ESS" in content
    assert "Les actions menées par les acteurs de l’ESS" in content
    assert "Les 3 engagements proposés aux candidat·es" in content
    assert "Je m’engage à désigner un-e élu-e en charge de l’ESS." in content
    assert 'href="/propositions/8/"' in content
    assert 'href="/propositions/10/"' in content


def test_a_proposal_with_one_commitment_says_so_in_the_singular(client):
    assert "L’engagement proposé aux candidat·es" in client.get("/propositions/4/").content.decode()


def test_every_proposal_page_runs_the_same_number_of_queries(client, django_assert_num_queries):
    client.get("/propositions/1/")  # the signatory counts are then cached, and this page
    for number in range(2, 11):
        with django_assert_num_queries(3):
            assert client.get(f"/propositions/{number}/").status_code == 200
    with django_assert_num_queries(3):
        assert client.get("/propositions/1/").status_code == 200


@pytest.mark.parametrize("number", ["0", "11", "99999999999999999999999"])
def test_an_unknown_proposal_is_a_404(client, number):
    assert client.get(f"/propositions/{number}/").status_code == 404


def test_without_a_current_campaign_pages_are_404_not_500(client):
    Campaign.objects.update(is_current=False)
    assert client.get("/").status_code == 404
    assert client.get("/propositions/1/").status_code == 404


def test_legal_pages_say_who_publishes_and_what_is_stored(client, settings):
    settings.SITE_HOSTING_PROVIDER = "Hébergeur Exemple SAS, 1 rue de l’Exemple, Paris"
    content = client.get("/mentions-legales/").content.decode()
    assert "<h1>Mentions légales</h1>" in content
    assert "Hébergeur Exemple SAS" in content
    assert "Licence Ouverte" in content
    content = client.get("/donnees-personnelles/").content.decode()
    assert "<h1>Données personnelles</h1>" in content
    assert "aucun cookie n’est déposé" in content


def test_public_pages_set_no_cookie(client):
    for path in ["/", "/propositions/1/", "/mentions-legales/", "/donnees-personnelles/"]:
        response = client.get(path)
        assert response.status_code == 200
        assert not response.cookies
