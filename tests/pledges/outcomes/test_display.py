"""The elected on the public pages and in the open data — and nothing before the results."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidates.models import Candidate, Commune
from pledges.lists.services import decide_join, request_join
from pledges.models import Certificate
from tests.candidates.official.elected_files import elu
from tests.factories import (
    make_candidate,
    make_official_individual,
    make_official_list,
    make_pledge,
)
from tests.pledges.outcomes.test_matching import (
    APPROVED,
    ambérieu,
    council_rows,
    import_elus,
    signed_list,
)

pytestmark = pytest.mark.django_db
BADGES = ("elected-badge", "outcome-badge", "non élue", "Après le vote")


def plain(response) -> str:
    assert response.status_code == 200
    return response.content.decode().replace("\u202f", " ").replace("\xa0", " ")


@pytest.fixture
def campaign_pages():
    """Ambérieu: lists A (the mayor's), B (opposition), C (none elected), each signed; A's
    colistier François Lefèvre (adjoint) confirmed; in Ajaccio, an individual candidate."""
    commune = ambérieu()
    Commune.objects.filter(pk=commune.pk).update(votes_by_list=True)  # its roster is in
    lists = {
        "A": make_official_list(
            commune,
            panel_number=1,
            name="Ambérieu écologique et solidaire",
            head=("Hélène", "Dupré"),
            colistiers=(("François", "Lefèvre"),),
        ),
        "B": make_official_list(
            commune, panel_number=2, name="Ensemble pour Ambérieu", head=("Jean-Noël", "Martin")
        ),
        "C": make_official_list(
            commune, panel_number=3, name="Ambérieu d’abord", head=("Paul", "Petit")
        ),
    }
    pledges = {key: signed_list(official) for key, official in lists.items()}
    member = make_candidate(
        commune=commune,
        first_name="François",
        last_name="Lefèvre",
        role=Candidate.Role.CANDIDATE,
        list_name="",
    )
    membership = request_join(
        candidate=member, electoral_list=pledges["A"].electoral_list, consent=True
    )
    decide_join(membership=membership, user=pledges["A"].candidate.user, accept=True)
    ajaccio = Commune.objects.get(insee_code="2A004")
    make_official_individual(ajaccio, first_name="Laurent", last_name="Simeoni")
    pledges["individual"] = make_pledge(
        make_candidate(
            commune=ajaccio,
            first_name="Laurent",
            last_name="Simeoni",
            role=Candidate.Role.INDIVIDUAL,
            list_name="",
        ),
        status=APPROVED,
    )
    return pledges


def import_results(tmp_path):
    import_elus(
        tmp_path,
        [*council_rows(), elu("004", "2A", "SIMEONI", "Laurent", sex="M", function="Maire")],
    )


def urls(pledges) -> dict[str, str]:
    certificate = Certificate.objects.current().get(pledge=pledges["A"])
    return {
        "list_a": pledges["A"].electoral_list.get_absolute_url(),
        "list_c": pledges["C"].electoral_list.get_absolute_url(),
        "head_a": reverse("pledges:signatory", kwargs={"pk": pledges["A"].pk}),
        "individual": reverse("pledges:signatory", kwargs={"pk": pledges["individual"].pk}),
        "commune": ambérieu().get_absolute_url(),
        "ajaccio": Commune.objects.get(insee_code="2A004").get_absolute_url(),
        "verify": reverse("pledges:verify", kwargs={"reference": certificate.reference}),
    }


def test_nothing_is_shown_before_the_results(client, campaign_pages):
    for name, url in urls(campaign_pages).items():
        page = plain(client.get(url))
        for word in BADGES:
            assert word not in page, (name, word)


def test_the_pages_show_the_outcomes_and_the_elected(client, campaign_pages, tmp_path):
    import_results(tmp_path)
    pages = {name: plain(client.get(url)) for name, url in urls(campaign_pages).items()}

    assert '<span class="outcome-badge outcome-badge--majority"' in pages["list_a"]
    assert "Résultat aux élections" in pages["list_a"]
    # The head, the mayor; the colistier, elected: their badges by their names.
    assert (
        'Hélène Dupré <span class="elected-badge">élu·e</span> '
        '<span class="elected-badge">maire</span>' in pages["list_a"]
    )
    assert 'François Lefèvre <span class="elected-badge">élu·e</span></h3>' in pages["list_a"]
    assert ">non élue</span>" in pages["list_c"]
    assert "elected-badge" not in pages["list_c"]

    assert "Résultat de la liste" in pages["head_a"]
    assert '<span class="elected-badge">maire</span></h1>' in pages["head_a"]
    assert '<span class="elected-badge">maire</span>' in pages["individual"]

    commune = pages["commune"]
    for outcome in ("majorité", "opposition", "non élue"):
        assert f">{outcome}</span>" in commune
    assert commune.count('class="outcome-badge outcome-badge--majority"') == 2  # grid, roster
    assert '<span class="elected-badge">maire</span>' in pages["ajaccio"]

    assert "Résultat de la liste aux élections municipales :" in pages["verify"]
    assert ">majorité</span>" in pages["verify"]


def test_the_verification_page_of_an_elected_individual(client, campaign_pages, tmp_path):
    import_results(tmp_path)
    certificate = Certificate.objects.current().get(pledge=campaign_pages["individual"])
    page = plain(client.get(reverse("pledges:verify", kwargs={"reference": certificate.reference})))
    assert "D’après le Répertoire national des élus, cette personne est" in page
    assert '<span class="elected-badge">maire</span>.' in page


@pytest.mark.parametrize("page", ["list_a", "head_a", "commune", "verify"])
def test_the_pages_run_as_many_queries_after_the_results(client, campaign_pages, tmp_path, page):
    """The outcome and the badges come with the rows the pages read anyway (the
    verification page reads its signature's once)."""
    url = urls(campaign_pages)[page]
    client.get(url)  # warm the caches of what is cached
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    import_results(tmp_path)
    client.get(url)
    with CaptureQueriesContext(connection) as after:
        plain(client.get(url))
    assert len(after) == len(before)


def read(client, url) -> dict[str, dict]:
    response = client.get(url)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8"))))


def test_the_open_data(client, campaign_pages, tmp_path):
    before = read(client, "/donnees/signataires.csv")
    assert {(r["resultat_liste"], r["elu"], r["maire"]) for r in before} == {("", "", "")}
    import_results(tmp_path)
    signatories = {r["id"]: r for r in read(client, "/donnees/signataires.csv")}
    row = lambda key: signatories[str(campaign_pages[key].pk)]  # noqa: E731
    assert (row("A")["resultat_liste"], row("A")["elu"], row("A")["maire"]) == (
        "majorite",
        "oui",
        "oui",
    )
    assert (row("B")["resultat_liste"], row("B")["elu"], row("B")["maire"]) == (
        "opposition",
        "oui",
        "non",
    )
    assert (row("C")["resultat_liste"], row("C")["elu"], row("C")["maire"]) == (
        "non_elue",
        "non",
        "",
    )
    individual = row("individual")
    assert (individual["resultat_liste"], individual["elu"], individual["maire"]) == (
        "",
        "oui",
        "oui",
    )

    lists = {r["nom"]: r for r in read(client, "/donnees/listes.csv")}
    assert (
        lists["Ambérieu écologique et solidaire"]["resultat"],
        lists["Ambérieu écologique et solidaire"]["tete_de_liste_elue"],
        lists["Ambérieu écologique et solidaire"]["tete_de_liste_maire"],
    ) == ("majorite", "oui", "oui")
    assert lists["Ambérieu d’abord"]["resultat"] == "non_elue"
    assert lists["Ambérieu d’abord"]["tete_de_liste_elue"] == "non"

    official = {r["libelle_etendu"]: r for r in read(client, "/donnees/listes-officielles.csv")}
    a = official["Ambérieu écologique et solidaire"]
    assert (a["resultat"], a["elus"], a["maire"]) == ("majorite", "2", "oui")
    b = official["Ensemble pour Ambérieu"]
    assert (b["resultat"], b["elus"], b["maire"]) == ("opposition", "1", "non")
    c = official["Ambérieu d’abord"]
    assert (c["resultat"], c["elus"], c["maire"]) == ("non_elue", "0", "non")


def test_the_open_data_page_documents_the_columns(client):
    page = plain(client.get("/donnees/"))
    for column in ("resultat_liste", "elu", "maire", "tete_de_liste_elue", "elus"):
        assert f">{column}<" in page
