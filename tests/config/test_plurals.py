"""Counts follow the French rule: 0 and 1 are singular (« 0 signataire », « 1 habitant »,
« 1 engagement signé sur 20 »), from the catalogue's Plural-Forms, on the real pages."""

import html
import re

import pytest
from django.template.loader import render_to_string
from django.utils.translation import trans_real

from candidates.models import Candidate
from communes.models import Commune, Secteur
from pledges.lists.services import decide_join, request_join
from tests.factories import approve, commitments, make_candidate, make_commune, make_pledge

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The page's visible text, on one line, every kind of space as a plain one."""
    body = response.content.decode() if hasattr(response, "content") else response
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return re.sub(r"[\s\u00a0\u202f]+", " ", body)


def signatories(n: int, commune: Commune, codes=("1.1", "2.1")) -> None:
    for _ in range(n):
        approve(make_pledge(make_candidate(commune=commune), codes=codes))


@pytest.mark.parametrize(
    ("count", "word"), [(0, "signataire"), (1, "signataire"), (2, "signataires")]
)
def test_the_home_pages_counters(client, count, word):
    signatories(count, Commune.objects.get(insee_code="42218"))
    page = text(client.get("/"))
    assert f" {count} {word} " in page
    # All in one commune and one département: « 1 commune », « 1 département », or 0.
    assert f" {min(count, 1)} commune " in page
    assert f" {min(count, 1)} département " in page


@pytest.mark.parametrize(
    ("population", "expected"), [(0, "0 habitant"), (1, "1 habitant"), (2, "2 habitants")]
)
def test_a_communes_population(client, population, expected):
    commune = make_commune(population=population)
    page = text(client.get(commune.get_absolute_url()))
    assert f" {expected} " in page
    assert "0 habitants" not in page and "1 habitants" not in page


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (("1.1",), "1 engagement signé sur 20"),
        (("1.1", "2.1"), "2 engagements signés sur 20"),
    ],
)
def test_the_phone_cards_count_the_commitments(client, codes, expected):
    commune = Commune.objects.get(insee_code="42218")
    signatories(1, commune, codes=codes)
    page = text(client.get(commune.get_absolute_url()))
    assert expected in page
    assert "1 engagements" not in page


def test_the_meuse_villages_keep_their_name(client):
    village = Commune.objects.get(insee_code="55039")
    page = text(client.get(village.get_absolute_url()))
    assert f"{village.name} est l’un des six villages de la Meuse" in page
    assert " 0 habitant " in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [("zzqq", "Aucune commune"), ("Sargé-lès-le-Mans", "1 commune trouvée"), ("le mans", None)],
)
def test_the_commune_search_counts_results(client, query, expected):
    page = text(client.get("/communes/", {"q": query}))
    if expected:
        assert expected in page
    assert not re.search(r"\b[01] communes trouvées", page)
    assert not re.search(r"\b[01] habitants\b", page)


def test_the_département_search_counts_results_and_signatories(client):
    commune = Commune.objects.get(insee_code="42218")
    signatories(1, commune)
    page = text(client.get("/departements/42/", {"q": "saint-etienne"}))
    assert "2 communes trouvées pour" in page
    assert " 1 signataire " in page and " 0 signataire " in page
    page = text(client.get("/departements/42/", {"q": "saint-etienne-le-molard"}))
    assert "1 commune trouvée pour" in page
    page = text(client.get("/departements/42/"))
    assert " 1 signataire " in page
    assert "1 signataires" not in page


def test_mon_espace_counts_a_lists_members(client):
    marseille = Secteur.objects.get(commune__insee_code="13055", number=1)
    head = make_candidate(commune=marseille.commune, secteur=marseille, list_name="Ensemble")
    pledge = approve(make_pledge(head))
    colistier = make_candidate(
        commune=marseille.commune, secteur=marseille, role=Candidate.Role.CANDIDATE, list_name=""
    )
    membership = request_join(
        candidate=colistier, electoral_list=pledge.electoral_list, consent=True
    )
    client.force_login(head.user)
    assert "1 demande en attente" in text(client.get("/mon-espace/"))
    decide_join(membership=membership, user=head.user, accept=True)
    page = text(client.get("/mon-espace/"))
    assert "1 membre confirmé·e" in page and "membres confirmé·es" not in page


@pytest.mark.parametrize(
    ("codes", "expected"), [(("1.1",), "1 engagement :"), (("1.1", "2.1"), "2 engagements :")]
)
def test_the_receipt_email_counts_the_commitments(codes, expected):
    context = {"candidate": make_candidate(), "commitments": commitments(*codes), "pledge": None}
    for name in ("pledges/signing/emails/pledge_received.txt",):
        assert f"Vous avez signé {expected}" in text(render_to_string(name, context))


def test_the_autocompletes_phrase_follows_the_french_rule(client):
    response = client.get("/jsi18n/")
    assert response.status_code == 200
    script = response.content.decode()
    assert "const v = (n > 1);" in script  # django.pluralidx: 0 and 1 singular
    assert '"%(count)s commune propos\\u00e9e."' in script
    catalogue = trans_real.DjangoTranslation("fr", domain="djangojs")
    phrases = [
        catalogue.ngettext("%(count)s commune proposée.", "%(count)s communes proposées.", n)
        % {"count": n}
        for n in (0, 1, 2)
    ]
    assert phrases == ["0 commune proposée.", "1 commune proposée.", "2 communes proposées."]
