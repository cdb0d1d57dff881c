"""Place names phrased from the reference data (tncc), elision, dates, French order."""

import csv
import datetime
import re

import pytest
from django.template import engines
from django.utils import timezone

from communes import grammar
from communes.importer import DATA_DIR, ImportFileError, VintageFiles, import_vintage
from communes.models import Commune, Departement, Region

pytestmark = pytest.mark.django_db

# What a phrase must never say: an article glued to « de »/« à »/« en » that French
# contracts or elides, a département named as « département X », « en » before an article.
WRONG = re.compile(
    r"\b(de|à) (le|les|Le|Les|Aux) |\bde [AEIOUÉÈÊÎÏÔŒ]|\ben (le|la|les|l’|Le|La|Les|L’) "
    r"|département|\bdans [A-ZÉÎ]|\b(de|à|en|dans) $|'"
)


def render(source: str, **context) -> str:
    return engines["django"].from_string("{% load french %}" + source).render(context)


def test_the_départements_say_their_article():
    phrases = {d.code: (d.phrase_de, d.phrase_dans) for d in Departement.objects.all()}
    assert phrases["59"] == ("du Nord", "dans le Nord")
    assert phrases["33"] == ("de la Gironde", "en Gironde")
    assert phrases["13"] == ("des Bouches-du-Rhône", "dans les Bouches-du-Rhône")
    assert phrases["01"] == ("de l’Ain", "dans l’Ain")
    assert phrases["75"] == ("de Paris", "à Paris")
    assert phrases["35"] == ("d’Ille-et-Vilaine", "en Ille-et-Vilaine")
    assert phrases["54"] == ("de Meurthe-et-Moselle", "en Meurthe-et-Moselle")
    assert phrases["974"] == ("de La Réunion", "à La Réunion")
    assert phrases["976"] == ("de Mayotte", "à Mayotte")
    assert phrases["90"] == ("du Territoire de Belfort", "dans le Territoire de Belfort")
    assert phrases["95"] == ("du Val-d’Oise", "dans le Val-d’Oise")
    assert phrases["21"] == ("de la Côte-d’Or", "en Côte-d’Or")
    assert phrases["42"] == ("de la Loire", "dans la Loire")
    assert phrases["971"] == ("de la Guadeloupe", "en Guadeloupe")
    assert Departement.objects.get(code="59").phrase_le == "le Nord"
    assert Departement.objects.get(code="01").phrase_le == "l’Ain"


def test_every_row_of_the_départements_file_gets_its_phrases():
    with (DATA_DIR / "departements.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 104
    stored = {d.code: d for d in Departement.objects.all()}
    for row in rows:
        departement = stored[row["code"]]
        assert departement.tncc == int(row["tncc"]), row
        for phrase in (departement.phrase_de, departement.phrase_dans):
            assert departement.name.replace("'", "’") in phrase
            assert not WRONG.search(phrase), (row, phrase)


def test_every_région_is_phrased_one_by_one():
    phrases = {r.code: (r.phrase_dans, r.phrase_de) for r in Region.objects.all()}
    assert len(phrases) == 21
    assert phrases["53"] == ("en Bretagne", "de Bretagne")
    assert phrases["44"] == ("dans le Grand Est", "du Grand Est")
    assert phrases["04"] == ("à La Réunion", "de La Réunion")
    assert phrases["11"] == ("en Île-de-France", "d’Île-de-France")
    assert phrases["01"] == ("en Guadeloupe", "de la Guadeloupe")
    assert phrases["06"] == ("à Mayotte", "de Mayotte")
    assert phrases["94"] == ("en Corse", "de Corse")
    assert phrases["32"] == ("dans les Hauts-de-France", "des Hauts-de-France")
    for code, (dans, de) in phrases.items():
        assert "région" not in dans, code  # every shipped région is in the table
        assert not WRONG.search(dans) and not WRONG.search(de), (code, dans, de)


def test_a_région_the_table_does_not_know_is_still_a_sentence():
    assert grammar.region_phrases("99", "Nouvelle Région") == (
        "dans la région Nouvelle Région",
        "de la région Nouvelle Région",
    )


@pytest.mark.parametrize(
    ("insee_code", "de", "dans"),
    [
        ("72181", "du Mans", "au Mans"),
        ("93045", "des Lilas", "aux Lilas"),
        ("75056", "de Paris", "à Paris"),
        ("17300", "de La Rochelle", "à La Rochelle"),
        ("91228", "d’Évry-Courcouronnes", "à Évry-Courcouronnes"),
        ("94046", "de Maisons-Alfort", "à Maisons-Alfort"),
        ("01001", "de L’Abergement-Clémenciat", "à L’Abergement-Clémenciat"),
        ("60703", "des Marais", "aux Marais"),
        ("62447", "d’Hesdin", "à Hesdin"),  # a mute h, known from INSEE's tncc
        ("63448", "du Vernet-Chaméane", "au Vernet-Chaméane"),
        ("98817", "du Mont-Dore", "au Mont-Dore"),
        ("98809", "de L’Île-des-Pins", "à L’Île-des-Pins"),
    ],
)
def test_a_commune_says_its_article(insee_code, de, dans):
    commune = Commune.objects.get(insee_code=insee_code)
    assert (commune.phrase_de, commune.phrase_dans) == (de, dans)


def test_every_commune_of_both_vintages_gets_its_phrases():
    for vintage in ("2020", "latest"):
        files = VintageFiles.for_vintage(vintage)
        with files.communes.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        with files.tncc.open(encoding="utf-8") as handle:
            tncc = {(r["insee_code"], r["name"]): r["tncc"] for r in csv.DictReader(handle)}
        bad = []
        for row in rows:
            value = tncc[(row["insee_code"], row["name"])]  # every name has its tncc
            for phrase in (
                grammar.commune_phrase_de(row["name"], value),
                grammar.commune_phrase_a(row["name"], value),
            ):
                if WRONG.search(phrase):
                    bad.append((row["insee_code"], row["name"], value, phrase))
        assert not bad, bad[:10]


def test_the_import_stores_the_communes_tncc():
    assert Commune.objects.get(insee_code="72181").tncc == grammar.Tncc.LE
    assert Commune.objects.get(insee_code="93045").tncc == grammar.Tncc.LES
    assert Commune.objects.filter(tncc=grammar.Tncc.NONE_VOWEL).count() > 4000


def test_a_départements_file_without_tncc_or_with_a_bad_one_is_refused(tmp_path):
    files = VintageFiles.for_vintage("2020")
    for text, message in [
        ("code,name,region_code\n01,Ain,84\n", r"ligne 1 : colonne\(s\) manquante\(s\) : tncc"),
        ("code,name,region_code,tncc\n01,Ain,84,9\n", r"ligne 2 : tncc invalide : « 9 »"),
    ]:
        (tmp_path / "departements.csv").write_text(text, encoding="utf-8")
        with pytest.raises(ImportFileError, match=message):
            import_vintage(
                VintageFiles(**{**files.__dict__, "departements": tmp_path / "departements.csv"})
            )
    assert Departement.objects.get(code="01").tncc == grammar.Tncc.L_APOSTROPHE


def test_a_commune_name_the_tncc_file_lacks_takes_the_article_it_shows():
    from communes.grammar import tncc_from_name

    assert tncc_from_name("Les Nouvelles-Lilas") == grammar.Tncc.LES
    assert tncc_from_name("Le Nouveau-Mans") == grammar.Tncc.LE
    assert tncc_from_name("Orée-Neuve") == grammar.Tncc.NONE_VOWEL
    assert tncc_from_name("Hautpré") == grammar.Tncc.NONE_CONSONANT  # an h is not guessed


@pytest.mark.parametrize(
    ("word", "following", "expected"),
    [
        ("que", "Alex", "qu’Alex"),
        ("que", "Bruno", "que Bruno"),
        ("que", "Élodie", "qu’Élodie"),
        ("que", "Hugo", "que Hugo"),  # a mute h is not guessed
        ("que", "Yves", "qu’Yves"),
        ("que", "Yann", "que Yann"),  # y before a vowel is a consonant
        ("de", "Évry", "d’Évry"),
        ("de", "Paris", "de Paris"),
        ("De", "Œuilly", "D’Œuilly"),
        ("le", "Ain", "l’Ain"),
        ("pour", "Alex", "pour Alex"),  # not a word French elides
    ],
)
def test_elision(word, following, expected):
    assert grammar.elide(word, following) == expected
    assert render("{{ word|elide:name }}", word=word, name=following) == expected


def test_the_elision_filter_escapes_the_name():
    assert render('{{ "que"|elide:name }}', name="<Alex>") == "que &lt;Alex&gt;"
    assert render('{{ "que"|elide:name }}', name="Amélie & co") == "qu’Amélie &amp; co"


def test_the_date_filter_says_1er_for_the_first_of_the_month():
    assert render("{{ d|french_date }}", d=datetime.date(2020, 12, 1)) == "1er décembre 2020"
    assert render("{{ d|french_date }}", d=datetime.date(2020, 12, 2)) == "2 décembre 2020"
    assert render("{{ d|french_date }}", d=None) == ""
    # An aware datetime is read in Paris time: 23:30 UTC on 30 November is 1 December.
    late = timezone.make_aware(datetime.datetime(2020, 11, 30, 23, 30), datetime.UTC)
    assert render("{{ d|french_date }}", d=late) == "1er décembre 2020"
    assert render('{{ d|french_date:"H:i" }}', d=late) == "1er décembre 2020 à 00:30"
    assert render('{{ d|french_date:"H\\hi" }}', d=late) == "1er décembre 2020 à 00h30"


def test_names_sort_in_french_order_on_any_database():
    names = list(Region.objects.values_list("name", flat=True))
    assert names.index("Hauts-de-France") < names.index("Île-de-France") < names.index("La Réunion")
    assert names[:2] == ["Auvergne-Rhône-Alpes", "Bourgogne-Franche-Comté"]
    assert sorted(["Occitanie", "Île-de-France", "Écouen", "Grand Est"], key=grammar.sort_key) == [
        "Écouen",
        "Grand Est",
        "Île-de-France",
        "Occitanie",
    ]


def visible(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"[\s\u00a0\u202f]+", " ", body.replace("&#x27;", "'").replace("&quot;", '"'))


def test_the_area_pages_say_the_phrases(client):
    nord = visible(client.get("/departements/59/"))
    assert "Chercher une commune dans le Nord" in nord
    assert (
        "les engagements de Coorace dans le Nord."
        in client.get("/departements/59/").content.decode()
    )
    assert "département Nord" not in nord
    assert "Aucune commune du Nord ne correspond" in visible(
        client.get("/departements/59/", {"q": "zzqq"})
    )
    paris = client.get("/departements/75/").content.decode()
    assert "Chercher une commune à Paris" in visible(client.get("/departements/75/"))
    assert "dans le département Paris" not in paris
    for code, phrase in [
        ("44", "dans le Grand Est"),
        ("04", "à La Réunion"),
        ("11", "en Île-de-France"),
    ]:
        page = client.get(f"/regions/{code}/").content.decode()
        assert f"les engagements de Coorace {phrase}." in page, code
        assert " en Grand Est" not in page and "en La Réunion" not in page
    le_mans = visible(client.get("/communes/72181/"))
    assert "les engagements au Mans." in le_mans
    assert "à Le Mans" not in le_mans


def test_the_sort_note_says_what_it_sorts_by(client):
    from tests.factories import approve, make_candidate, make_pledge

    approve(make_pledge(make_candidate()))  # in Saint-Étienne, Loire, Auvergne-Rhône-Alpes
    page = visible(client.get("/regions/84/"))
    assert "(celles qui comptent le plus de signataires d’abord)" in page
    assert "les plus de signataires" not in page


def test_the_pages_sort_names_in_french_order(client):
    from tests.factories import approve, make_candidate, make_pledge

    # Annecy, Écully and Saint-Étienne in Auvergne-Rhône-Alpes; Paris, Lille and Rouen
    # in Île-de-France, Hauts-de-France and Normandie; each signs 1.1.
    for code in ("74010", "69081", "42218", "75056", "59350", "76540"):
        commune = Commune.objects.get(insee_code=code)
        approve(make_pledge(make_candidate(commune=commune), codes=("1.1",)))
    for sort in ("nom", "signataires", "population"):
        page = visible(client.get("/regions/84/", {"tri": sort}))
        table = page[page.index("Communes d’Auvergne-Rhône-Alpes ayant des signataires") :]
        if sort == "population":  # Saint-Étienne, then Annecy, then Écully
            assert table.index("Saint-Étienne") < table.index("Annecy") < table.index("Écully")
        else:  # by name, or by name among equal counts
            assert table.index("Annecy") < table.index("Écully") < table.index("Saint-Étienne")
    page = visible(client.get("/propositions/1/"))
    start = page.index("Hauts-de-France")
    assert start < page.index("Île-de-France", start) < page.index("Normandie", start)


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ("Le Mans", "au Mans"),
        ("Les Lilas", "aux Lilas"),
        ("La Rochelle", "à La Rochelle"),
        ("L'Isle-Adam", "à L’Isle-Adam"),
        ("Paris", "à Paris"),
        ("Marseille, Marseille 1er secteur (1er et 7e arrondissements)",
         "à Marseille, Marseille 1er secteur (1er et 7e arrondissements)"),
    ],
)  # fmt: skip
def test_a_place_name_takes_à_contracted_with_its_article(place, expected):
    assert grammar.a_lieu(place) == expected
    assert render("{{ place|a_lieu }}", place=place) == expected


def test_the_signing_page_elides_before_a_first_name(client):
    from candidates.models import Candidate
    from tests.factories import make_candidate

    for first_name, expected in [("Alex", "en tant qu’Alex"), ("Bruno", "en tant que Bruno")]:
        candidate = make_candidate(
            first_name=first_name,
            last_name="Martin",
            role=Candidate.Role.INDIVIDUAL,
            list_name="",
            commune=Commune.objects.get(insee_code="72181"),  # Le Mans
        )
        client.force_login(candidate.user)
        page = re.sub(r"<[^>]+>", "", client.get("/signer/").content.decode())
        page = re.sub(r"[\s\u00a0\u202f]+", " ", page)
        assert f"Vous signez {expected} Martin, candidat·e au Mans." in page


def test_the_moderation_queues_région_filter_lists_in_french_order():
    from pledges.moderation.admin.filters import RegionFilter

    names = [name for _code, name in RegionFilter.lookups(None, None, None)]
    assert names.index("Hauts-de-France") < names.index("Île-de-France") < names.index("Normandie")


def test_the_e_mails_say_au_mans():
    from django.template.loader import render_to_string

    from tests.factories import commitments, make_candidate

    candidate = make_candidate(commune=Commune.objects.get(insee_code="72181"))
    context = {"candidate": candidate, "commitments": commitments("1.1"), "pledge": None}
    for name in (
        "pledges/signing/emails/pledge_received.txt",
        "pledges/signing/emails/pledge_received.html",
        "pledges/moderation/emails/decision_approved.txt",
        "pledges/moderation/emails/decision_approved.html",
    ):
        body = re.sub(r"<[^>]+>", "", render_to_string(name, context))
        assert " au Mans" in body, name
        assert "à Le Mans" not in body, name


def test_a_message_naming_a_commune_contracts_à_with_its_article():
    from django.core.exceptions import ValidationError

    from candidates.models import Candidate
    from candidates.services import check_candidacy

    le_mans = Commune.objects.get(insee_code="72181")
    le_mans.votes_by_list = False  # the official candidatures say: one by one
    with pytest.raises(ValidationError) as error:
        check_candidacy(commune=le_mans, role=Candidate.Role.HEAD_OF_LIST, list_name="Ensemble")
    assert "on vote au Mans pour des candidat·es" in " ".join(error.value.messages)
