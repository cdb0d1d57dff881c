import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

API = "/api/communes/"


def test_the_api_returns_the_documented_fields(client):
    response = client.get(API, {"q": "saint etienne", "limit": "1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "results": [
            {
                "insee_code": "42218",
                "name": "Saint-Étienne",
                "departement_code": "42",
                "departement_name": "Loire",
                "region_code": "84",
                "postal_codes": ["42000", "42100", "42230"],
                "population": 173_821,
                "elects_council": True,
                "url": "/communes/42218/",
            }
        ]
    }


def test_the_api_returns_ten_results_by_default_and_up_to_fifty(client):
    assert len(client.get(API, {"q": "saint"}).json()["results"]) == 10
    assert len(client.get(API, {"q": "saint", "limit": "50"}).json()["results"]) == 50
    assert len(client.get(API, {"q": "saint", "limit": "3"}).json()["results"]) == 3


def test_the_api_searches_postal_codes(client):
    results = client.get(API, {"q": "75015"}).json()["results"]
    assert [result["insee_code"] for result in results] == ["75056"]


@pytest.mark.parametrize("query", ["", "a", " b ", "-"])
def test_a_query_shorter_than_two_characters_gives_no_results(client, query):
    response = client.get(API, {"q": query})
    assert response.status_code == 200
    assert response.json() == {"results": []}


def test_no_query_at_all_gives_no_results(client):
    assert client.get(API).json() == {"results": []}


@pytest.mark.parametrize(
    "limit", ["0", "51", "-1", "abc", "1.5", "1e3", " 5", "99999999999999999999", "\u0665"]
)
def test_a_bad_limit_is_a_400_with_a_json_message(client, limit):
    response = client.get(API, {"q": "paris", "limit": limit})
    assert response.status_code == 400
    assert response.json() == {"error": "Le paramètre limit doit être un nombre entier de 1 à 50."}


@pytest.mark.parametrize(
    "query",
    ["\x00", "paris\x00", "é" * 5000, "🏳️‍🌈🏳️‍🌈", "<script>alert(1)</script>", "' OR 1=1 --", "%_%",
     "\u202e\u200b", "12345678901234567890"],
)  # fmt: skip
def test_the_api_never_fails_whatever_the_query(client, query):
    response = client.get(API, {"q": query})
    assert response.status_code == 200
    assert "results" in response.json()


def test_the_api_answers_get_only(client):
    assert client.post(API, {"q": "paris"}).status_code == 405


def test_the_search_page_lists_matching_communes(client):
    response = client.get(reverse("communes:search"), {"q": "st etienne"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "communes trouvées pour «\u202fst etienne\u202f»" in content
    assert 'href="/communes/42218/"' in content
    assert content.index("Saint-Étienne<") < content.index("Saint-Étienne-du-Rouvray")


def test_the_search_page_says_when_nothing_matches(client):
    response = client.get(reverse("communes:search"), {"q": "zzyzx"})
    assert "Aucune commune ne correspond à «\u202fzzyzx\u202f»." in response.content.decode()


def test_the_search_page_asks_for_two_characters(client):
    response = client.get(reverse("communes:search"), {"q": "a"})
    assert "Tapez au moins deux lettres ou deux chiffres." in response.content.decode()


def test_the_search_page_escapes_the_query(client):
    response = client.get(reverse("communes:search"), {"q": "<b>paris</b>"})
    assert response.status_code == 200
    assert "<b>paris</b>" not in response.content.decode()
    assert "&lt;b&gt;paris&lt;/b&gt;" in response.content.decode()


def test_the_search_page_runs_a_constant_number_of_queries(client, django_assert_num_queries):
    # the matches; the current campaign, for the banner of every page (signing_rounds)
    with django_assert_num_queries(2):
        client.get(reverse("communes:search"), {"q": "sa"})  # hundreds of matches
    with django_assert_num_queries(2):
        client.get(reverse("communes:search"), {"q": "zzyzx"})


def test_the_commune_page_shows_its_facts(client):
    response = client.get("/communes/42218/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>Saint-Étienne</h1>" in content
    for text in ["Loire (42)", "Auvergne-Rhône-Alpes", "173\xa0821", "42000, 42100, 42230", "42218",
                 "Aucun·e candidat·e n’a encore signé les engagements à "
                 "Saint-Étienne."]:  # fmt: skip
        assert text in content


def test_the_paris_page_lists_its_arrondissements(client):
    content = client.get("/communes/75056/").content.decode()
    assert "20 arrondissements municipaux" in content
    assert "Paris 15e Arrondissement" in content


def test_a_meuse_village_says_it_elects_no_council(client):
    content = client.get("/communes/55039/").content.decode()
    assert "«\u202fmorts pour la France\u202f»" in content
    assert "Aucun candidat" not in content


def test_the_commune_page_runs_a_constant_number_of_queries(client, django_assert_num_queries):
    # commune, arrondissements, campaign, signatories (none here; see tests/directory);
    # Paris, which votes by secteur, reads its secteurs too.
    for code, queries in (("75056", 5), ("55039", 4), ("2A004", 4)):
        with django_assert_num_queries(queries):
            assert client.get(f"/communes/{code}/").status_code == 200


def test_corsican_codes_in_lower_case_redirect_to_the_canonical_url(client):
    response = client.get("/communes/2a004/")
    assert response.status_code == 301
    assert response["Location"] == "/communes/2A004/"


def test_a_slugged_url_redirects_to_the_code_url(client):
    response = client.get("/communes/42218-saint-etienne/")
    assert response.status_code == 301
    assert response["Location"] == "/communes/42218/"


@pytest.mark.parametrize(
    "path", ["/communes/99999/", "/communes/00000-nulle-part/", "/communes/123/"]
)
def test_an_unknown_commune_is_a_404(client, path):
    assert client.get(path).status_code == 404


def test_public_pages_set_no_cookie(client):
    for path in ["/communes/42218/", "/communes/?q=paris", "/api/communes/?q=paris"]:
        assert not client.get(path).cookies
