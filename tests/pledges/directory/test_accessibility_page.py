import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ACCESSIBILITY = "/accessibilite/"


def test_the_accessibility_statement_says_honestly_where_the_site_stands(client, settings):
    settings.SITE_CONTACT_EMAIL = "accessibilite@coorace.test"
    assert reverse("pledges:accessibility") == ACCESSIBILITY
    response = client.get(ACCESSIBILITY)
    assert response.status_code == 200
    content = response.content.decode()
    assert "<title>Déclaration d’accessibilité · Coorace #Municipales2020</title>" in content
    assert "<h1>Déclaration d’accessibilité</h1>" in content
    assert "RGAA" in content
    # No audit yet: the RGAA's word for that is « non conforme », said as such.
    assert "<strong>non conforme</strong>" in content
    assert "aucun audit de conformité n’a encore été réalisé (site non audité)" in content
    assert "axe-core, sur les règles des WCAG 2.1 niveaux A et AA" in content
    assert "entièrement au clavier" in content
    assert "n’est pas un PDF balisé" in content
    assert "L’espace d’administration" in content
    assert "<h2>Voie de recours</h2>" in content
    assert "Défenseur des droits" in content
    assert '<a href="mailto:accessibilite@coorace.test">accessibilite@coorace.test</a>' in content


def test_every_page_links_to_it_from_the_footer_next_to_the_legal_pages(client):
    content = client.get("/").content.decode()
    footer = content[content.index('<footer class="site-footer">') :]
    links = [
        '<a href="/mentions-legales/">Mentions légales</a>',
        '<a href="/donnees-personnelles/">Données personnelles</a>',
        '<a href="/accessibilite/">Accessibilité\u202f: non conforme</a>',
    ]
    positions = [footer.index(link) for link in links]
    assert positions == sorted(positions)


def test_the_accessibility_statement_is_public_and_sets_no_cookie(client):
    response = client.get(ACCESSIBILITY)
    assert not response.cookies
    assert response["Cache-Control"] == "public, max-age=60"
    assert client.post(ACCESSIBILITY).status_code == 405
