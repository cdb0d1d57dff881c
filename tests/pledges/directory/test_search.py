"""One search box for communes and signatories, /recherche/?q= (pledges/directory.py)."""

import pytest

from candidates.models import Candidate
from pledges.models import Signature
from tests.bulk import make_signatories, make_signatory
from tests.factories import make_candidate

pytestmark = pytest.mark.django_db


def search(client, query: str) -> str:
    response = client.get("/recherche/", {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def section(content: str, heading_id: str) -> str:
    start = content.index(f'id="{heading_id}"')
    return content[start : content.index("</section>", start)]


def test_saint_etienne_finds_the_commune_first_and_the_lists_named_after_it(client):
    make_signatory(last_name="Durand", list_name="Saint-Étienne solidaire")
    make_signatory(commune="69123", last_name="Morel", list_name="Lyon d’abord")
    content = search(client, "saint etienne")
    communes = section(content, "titre-communes")
    assert communes.index(">Saint-Étienne<") < communes.index("Saint-Étienne-du-Rouvray")
    assert "<strong>1 signataire</strong>" in communes  # beside Saint-Étienne
    signatories = section(content, "titre-signataires")
    assert "Camille Durand" in signatories
    assert "Morel" not in signatories


@pytest.mark.parametrize(
    "query",
    ["Lefèvre", "lefevre", "LEFEVRE", "dominique lefevre", "Lefèvre Dominique", "lefe",
     "Écologie Saint-Jean", "ecologie st jean", "ÉCOLOGIE-SAINT-JEAN"],
)  # fmt: skip
def test_signatories_are_found_by_name_or_list_whatever_the_accents(client, query):
    make_signatory(
        first_name="Dominique", last_name="Lefèvre", list_name="Écologie Saint-Jean", codes=("1.1",)
    )
    assert "Dominique Lefèvre" in section(search(client, query), "titre-signataires")


def test_words_of_different_fields_do_not_combine(client):
    make_signatory(first_name="Dominique", last_name="Lefèvre", list_name="Écologie")
    assert "Aucun·e signataire ne correspond" in search(client, "lefevre ecologie")


def test_a_postal_code_finds_communes_not_people(client):
    make_signatory(last_name="Code42000", list_name="42000 citoyens")
    content = search(client, "42000")
    assert 'href="/communes/42218/"' in section(content, "titre-communes")
    assert "Code42000" not in content


def test_a_withdrawn_signature_is_found_and_says_so(client):
    make_signatory(last_name="Retrait", status=Signature.Status.WITHDRAWN, was_approved=True)
    assert "signature retirée le" in section(search(client, "retrait"), "titre-signataires")


def test_a_short_query_asks_for_two_characters(client):
    assert "Tapez au moins deux lettres ou deux chiffres." in search(client, "a")


def test_the_query_is_escaped(client):
    content = search(client, "<b>martin</b>")
    assert "<b>martin</b>" not in content
    assert "&lt;b&gt;martin&lt;/b&gt;" in content


@pytest.mark.parametrize("query", ["\x00", "é" * 500, "%_%", "' OR 1=1 --", "🏳️‍🌈"])
def test_the_search_never_fails(client, query):
    assert client.get("/recherche/", {"q": query}).status_code == 200


@pytest.mark.parametrize("count", [1, 50])
def test_the_search_runs_the_same_queries_at_1_and_50_results(
    client, django_assert_num_queries, count
):
    make_signatories(count, list_name="Saint-Étienne demain {n}")  # one list each
    # campaign, lists, communes, their signatory counts, signatories
    with django_assert_num_queries(5):
        content = search(client, "saint etienne")
    assert section(content, "titre-signataires").count("<li>") == count


def test_the_search_key_follows_the_names_on_save():
    candidate = make_candidate(first_name="Zoé", last_name="N’Diaye", list_name="")
    assert candidate.search_key == "zoendiaye ndiayezoe"
    candidate.list_name = "Œuvrer ensemble"
    candidate.save(update_fields=["list_name"])
    candidate.refresh_from_db()
    assert candidate.search_key == "zoendiaye ndiayezoe oeuvrerensemble"
    assert Candidate.objects.filter(search_key__contains="oeuvrer").exists()
