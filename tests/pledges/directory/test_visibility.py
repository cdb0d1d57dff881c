"""Only approved pledges are ever public: every status, on every page and export."""

import json

import pytest
from django.contrib.auth import get_user_model

from pledges.models import Campaign, Signature
from tests.bulk import make_signatory
from tests.factories import make_moderator
from tests.pages import DIRECTORY_PAGES
from tests.pledges.directory.lists_data import add_member, make_list

pytestmark = pytest.mark.django_db

Status = Signature.Status

NOT_PUBLIC = [
    pytest.param(Status.PENDING, False, id="pending"),
    pytest.param(Status.CHANGES_REQUESTED, False, id="changes_requested"),
    pytest.param(Status.REJECTED, False, id="rejected"),
    pytest.param(Status.UNPUBLISHED, True, id="unpublished"),
    pytest.param(Status.WITHDRAWN, False, id="withdrawn_before_approval"),
]

# Every page and export of the directory, and searches for a signatory of Saint-Étienne
# whose last name is « Invisible » and list « Liste fantôme ».
LISTINGS = [*DIRECTORY_PAGES, "/recherche/?q=invisible", "/recherche/?q=liste fantome"]


def json_export(client) -> dict:
    return json.loads(client.get("/donnees/signataires.json").getvalue())


def other_user(**fields):
    return get_user_model().objects.create(username="quelquun", password="!", **fields)


@pytest.mark.parametrize(("status", "was_approved"), NOT_PUBLIC)
def test_a_pledge_that_is_not_public_appears_nowhere(client, status, was_approved):
    hidden = make_signatory(
        status=status, was_approved=was_approved, last_name="Invisible", list_name="Liste fantôme"
    )
    shown = make_signatory(last_name="Visible", codes=("1.1",))
    for path in LISTINGS:
        response = client.get(path)
        assert response.status_code == 200, path
        content = response.getvalue().decode()  # the exports are streamed
        assert "Invisible" not in content, path
        assert "fantôme" not in content, path
        assert f"/signataires/{hidden.pk}/" not in content, path
        assert f"/listes/{hidden.electoral_list_id}/" not in content, path
    assert f"/listes/{shown.electoral_list_id}/" in client.get("/communes/42218/").content.decode()
    assert json_export(client)["nombre"] == 1


@pytest.mark.parametrize(("status", "was_approved"), NOT_PUBLIC)
def test_its_page_is_a_404_for_visitors_and_other_users(client, status, was_approved):
    pledge = make_signatory(status=status, was_approved=was_approved)
    assert client.get(f"/signataires/{pledge.pk}/").status_code == 404
    client.force_login(other_user())
    assert client.get(f"/signataires/{pledge.pk}/").status_code == 404


@pytest.mark.parametrize(("status", "was_approved"), NOT_PUBLIC)
def test_its_owner_sees_it_with_a_warning_and_no_shared_caching(client, status, was_approved):
    pledge = make_signatory(status=status, was_approved=was_approved, last_name="Propriétaire")
    client.force_login(pledge.candidate.user)
    response = client.get(f"/signataires/{pledge.pk}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Camille Propriétaire" in content
    assert "Cette page n’est pas publique" in content
    assert "Vous la voyez parce que c’est la vôtre" in content
    assert '<meta name="robots" content="noindex">' in content
    assert "og:title" not in content
    assert response["Cache-Control"] == "private, no-cache"


@pytest.mark.parametrize(("status", "was_approved"), NOT_PUBLIC)
def test_moderators_see_it_with_a_warning(client, status, was_approved):
    pledge = make_signatory(status=status, was_approved=was_approved)
    client.force_login(make_moderator())
    response = client.get(f"/signataires/{pledge.pk}/")
    assert response.status_code == 200
    assert "vous faites partie de l’équipe Coorace" in response.content.decode()
    assert "public" not in response["Cache-Control"].replace("private", "")


def test_an_approved_pledge_is_listed_everywhere_and_counted(client):
    pledge = make_signatory(last_name="Visible", list_name="Liste lumineuse", codes=("1.1",))
    url = f"/signataires/{pledge.pk}/"
    assert client.get(url).status_code == 200
    the_list = f"/listes/{pledge.electoral_list_id}/"  # a head signs for their list
    assert the_list in client.get("/communes/42218/").content.decode()
    for path in ["/", the_list, "/recherche/?q=visible", "/recherche/?q=lumineuse",
                 "/donnees/signataires.csv", "/donnees/signataires.json",
                 "/api/communes/42218/signataires/", "/sitemap-signataires.xml"]:  # fmt: skip
        assert url in client.get(path).getvalue().decode(), path
    for path, text in [
        ("/regions/84/", "1 signataire dans la région."),
        ("/departements/42/", "1 signataire dans le département."),
        ("/propositions/1/", "1 signataire<"),
        ("/donnees/", "aujourd’hui 1 signataire."),
    ]:
        assert text in client.get(path).content.decode(), path


def test_a_pledge_withdrawn_after_approval_stays_public_but_is_not_counted(client):
    pledge = make_signatory(status=Status.WITHDRAWN, was_approved=True, last_name="Partie")
    content = client.get(f"/signataires/{pledge.pk}/").content.decode()
    assert "Signature retirée le" in content
    assert "Camille Partie" in client.get("/communes/42218/").content.decode()
    assert "Camille Partie" in client.get("/recherche/?q=partie").content.decode()
    (record,) = json_export(client)["signataires"]
    assert record["engagements_signes"] == []
    assert record["engagements_retires"] == ["1.1", "2.1"]
    home = client.get("/").content.decode()
    assert 'counters__value">0</span> signataire' in home  # 0 is singular in French
    assert "Camille Partie" not in home  # not among the latest signatories
    assert "Loire (42)\u202f: aucun signataire" in home


@pytest.mark.parametrize(
    "path",
    ["/recherche/?q=saint", "/donnees/", "/donnees/signataires.csv", "/donnees/signataires.json",
     "/donnees/listes.csv", "/donnees/listes.json", "/api/communes/42218/listes/",
     "/api/communes/42218/signataires/", "/regions/84/", "/departements/42/"],
)  # fmt: skip
def test_without_a_current_campaign_directory_pages_are_404s(client, path):
    Campaign.objects.update(is_current=False)
    assert client.get(path).status_code == 404


def test_without_a_current_campaign_a_commune_page_still_shows_the_commune(client):
    make_signatory()
    Campaign.objects.update(is_current=False)
    content = client.get("/communes/42218/").content.decode()
    assert "<h1>Saint-Étienne</h1>" in content
    assert "Signataire" not in content


# ------------------------------------------------------------------ lists

LIST_STATUSES = [
    pytest.param(Status.PENDING, id="pending"),
    pytest.param(Status.CHANGES_REQUESTED, id="changes_requested"),
    pytest.param(Status.REJECTED, id="rejected"),
    pytest.param(Status.UNPUBLISHED, id="unpublished"),
]


@pytest.mark.parametrize("status", LIST_STATUSES)
def test_a_list_that_is_not_public_appears_nowhere(client, status):
    hidden = make_list("Liste fantôme", status=status, head_name="Invisible")
    member = add_member(hidden, last_name="Invisiblecolistier")
    make_list("Liste visible", head_name="Visible")
    for path in [*LISTINGS, "/recherche/?q=fantome", "/sitemap-listes.xml"]:
        response = client.get(path)
        assert response.status_code == 200, path
        content = response.getvalue().decode()
        assert "fantôme" not in content and "Invisible" not in content, path
        assert f"/listes/{hidden.pk}/" not in content, path
    assert client.get(f"/listes/{hidden.pk}/").status_code == 404
    client.force_login(member.candidate.user)  # even to its own members
    assert client.get(f"/listes/{hidden.pk}/").status_code == 404


def test_an_approved_list_is_listed_everywhere(client):
    the_list = make_list("Liste lumineuse", codes=("1.1",))
    url = f"/listes/{the_list.pk}/"
    assert client.get(url).status_code == 200
    for path in ["/communes/42218/", "/recherche/?q=lumineuse", "/donnees/listes.csv",
                 "/donnees/listes.json", "/api/communes/42218/listes/", "/sitemap-listes.xml",
                 the_list.signature.get_absolute_url()]:  # fmt: skip
        assert url in client.get(path).getvalue().decode(), path
