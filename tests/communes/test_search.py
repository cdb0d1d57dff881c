"""The commune search rules. The whole suite runs on SQLite and on PostgreSQL."""

import pytest

from communes.models import Commune
from communes.search import normalize_name, normalize_postal_query
from tests.factories import make_commune

pytestmark = pytest.mark.django_db


def codes(query, limit=10):
    return [commune.insee_code for commune in Commune.objects.search(query)[:limit]]


def first(query):
    return Commune.objects.search(query).first().insee_code


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Saint-Étienne", "saintetienne"),
        ("  SAINT   ETIENNE ", "saintetienne"),
        ("st étienne", "saintetienne"),
        ("St. Etienne", "saintetienne"),
        ("Ste-Marie", "saintemarie"),
        ("L'Haÿ-les-Roses", "lhaylesroses"),
        ("l’hay les roses", "lhaylesroses"),
        ("Cœuvres-et-Valsery", "coeuvresetvalsery"),
        ("ŒUILLY", "oeuilly"),
        ("Lætitia", "laetitia"),
        ("Stenay", "stenay"),  # « st » inside a word is not « saint »
        ("<script>alert(1)</script>", "scriptalert1script"),
        ("\x00\u200b\ufeff", ""),
    ],
)
def test_names_and_queries_reduce_to_the_same_key(text, key):
    assert normalize_name(text) == key


@pytest.mark.parametrize(
    ("text", "digits"),
    [("42000", "42000"), ("42 000", "42000"), ("42", "42"), ("4", None), ("420001", None),
     ("42a", None), ("٤٢٠٠٠", None)],
)  # fmt: skip
def test_postal_queries_are_two_to_five_ascii_digits(text, digits):
    assert normalize_postal_query(text) == digits


@pytest.mark.parametrize(
    "query",
    ["Saint-Étienne", "saint-etienne", "SAINT ETIENNE", "saintetienne", "st etienne",
     "St-Étienne", "saint étienne", "Saint Etienne"],
)  # fmt: skip
def test_saint_etienne_comes_first_however_it_is_typed(query):
    assert first(query) == "42218"


def test_apostrophes_hyphens_and_spaces_are_ignored():
    assert first("l hay les roses") == "94038"
    assert first("lhaÿ-les-roses") == "94038"
    assert first("L’Haÿ les Roses") == "94038"


def test_ligatures_match_both_ways():
    assert first("coeuvres et valsery") == "02201"
    assert first("Cœuvres") == "02201"
    assert {"02565", "51410"} <= set(codes("oeuilly"))  # both Œuilly
    make_commune(name="Lætitia-sur-Mer", insee_code="2A990")
    assert first("laetitia") == "2A990"
    assert first("LÆTITIA SUR MER") == "2A990"


def test_ste_stands_for_sainte():
    results = codes("ste marie")
    # Every Sainte-Marie, the most populated first: La Réunion's, then Martinique's.
    assert results[:2] == ["97418", "97228"]
    assert all(
        Commune.objects.get(insee_code=code).name.startswith("Sainte-Marie") for code in results
    )


def test_exact_name_first_then_prefix_then_contains_ties_by_population():
    results = list(Commune.objects.search("paris"))
    names = [commune.name for commune in results]
    assert names[0] == "Paris"
    starting = [name for name in names if normalize_name(name).startswith("paris")]
    containing = [name for name in names if not normalize_name(name).startswith("paris")]
    assert names == [*starting, *containing]
    assert containing, "some names only contain « paris »"
    for group in (results[1 : len(starting)], results[len(starting) :]):
        populations = [commune.population or 0 for commune in group]
        assert populations == sorted(populations, reverse=True)


def test_an_exact_match_beats_a_larger_commune_that_starts_with_the_query():
    make_commune(name="Lyon", insee_code="2A991", population=10)
    make_commune(name="Lyonville", insee_code="2A992", population=9_000_000)
    # Both « Lyon » match exactly (the larger first), before the much larger « Lyonville ».
    assert codes("lyon")[:3] == ["69123", "2A991", "2A992"]


def test_full_postal_code_lists_its_communes_largest_first():
    results = list(Commune.objects.search("42000"))
    assert [commune.insee_code for commune in results] == ["42218"]
    multi = [commune.insee_code for commune in Commune.objects.search("01400")]
    populations = [Commune.objects.get(insee_code=code).population for code in multi]
    assert len(multi) > 1 and populations == sorted(populations, reverse=True)


def test_postal_code_prefix_puts_exact_codes_first():
    results = list(Commune.objects.search("750"))
    assert results[0].insee_code == "75056"
    assert len(results) == 1  # Paris alone has codes starting with 750
    results = codes("421", limit=1000)
    assert "42218" in results  # 42100
    exact_then_prefix = list(Commune.objects.search("42100"))
    assert exact_then_prefix[0].insee_code == "42218"


def test_a_commune_with_many_postal_codes_is_listed_once():
    assert codes("75").count("75056") == 1


@pytest.mark.parametrize("query", ["", " ", "a", "-", "'", "é", "1", "%%", "_"])
def test_queries_shorter_than_two_characters_find_nothing(query):
    assert codes(query) == []


@pytest.mark.parametrize(
    ("query", "same_as"),
    [("%", ""), ("__", ""), ("%%%", ""), ("%roses%", "roses"), ("l_hay", "lhay"),
     ("'; DROP TABLE communes_commune; --", "droptablecommunescommune")],
)  # fmt: skip
def test_sql_wildcards_and_fragments_are_plain_text(query, same_as):
    # Only letters and digits reach the database: a wildcard matches nothing more.
    assert codes(query, limit=100) == codes(same_as, limit=100)
    assert Commune.objects.count() == 35_051
