"""The queue at volume: select filters, the one « possible duplicate » rule, « Valider et
passer à la suivante » within the filtered list, one form per decision, constant queries."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pledges.lists.services import ListAlreadyHeaded
from pledges.models import Certificate, ElectoralList, Signature
from tests.bulk import make_signatories
from tests.factories import make_candidate, make_pledge
from tests.pledges.moderation.conftest import CHANGELIST, decide_url, page, pledge_in, rows

pytestmark = pytest.mark.django_db

Status = Signature.Status


def change_url(pledge):
    return reverse("admin:pledges_signature_change", args=[pledge.pk])


# ---------------------------------------------------------------- filters


def test_region_and_departement_are_lists_to_choose_from_not_links(moderator_client):
    pledge_in("42218")
    content = page(moderator_client.get(CHANGELIST, {"q": "Martin", "region": "84"}))
    assert content.count('href="?departement=') == 0 and content.count('href="?region=') == 0
    assert '<select id="filtre-departement" name="departement" data-submit-on-change>' in content
    assert '<option value="42">42 — Loire</option>' in content
    assert "75 — Paris" not in content  # départements of the chosen région only
    assert '<option value="84" selected>Auvergne-Rhône-Alpes</option>' in content
    # Each form keeps the search; choosing a région forgets the département.
    form = content.split('<form method="get" class="select-filter">')[1].split("</form>")[0]
    assert '<input type="hidden" name="q" value="Martin">' in form
    assert 'name="departement"' not in form
    assert 'src="/static/js/admin-select-filter.js"' in content


def test_a_select_filter_filters(moderator_client):
    loire = pledge_in("42218")
    pledge_in("69123")
    assert rows(moderator_client.get(CHANGELIST, {"departement": "42"})) == [loire]


def test_the_queue_filters_possible_duplicates(moderator_client):
    first = pledge_in("42218", days_ago=3, first_name="Léa", last_name="Dupré")
    second = pledge_in("42218", days_ago=2, first_name="léa", last_name="dupré", list_name="B")
    alone = pledge_in("69123", days_ago=1, first_name="Léa", last_name="Dupré")
    assert rows(moderator_client.get(CHANGELIST, {"doublon": "oui"})) == [first, second]
    assert rows(moderator_client.get(CHANGELIST, {"doublon": "non"})) == [alone]
    assert "doublon possible" in page(moderator_client.get(CHANGELIST)).lower()


def test_column_filters_and_detail_page_agree_on_possible_duplicates(moderator_client):
    people = {
        # Case differences in ASCII letters: SQLite folds no other (PostgreSQL folds all).
        "same-name-a": pledge_in("42218", first_name="Léa", last_name="Dupont"),
        "same-name-b": pledge_in("42218", first_name="léa", last_name="DUPONT"),
        "claimed": pledge_in("42218", first_name="Paul", last_name="Morel", list_name="Unis"),
        "flagged": pledge_in("42218", first_name="Zoé", last_name="Roux", list_name="Repris"),
        "other-commune": pledge_in("69123", first_name="Léa", last_name="Dupont", list_name="Unis"),
        "same-first-name": pledge_in("42218", first_name="Léa", last_name="Autre"),
        "individual": pledge_in("42218", first_name="Ana", last_name="Vidal", role="individual"),
    }
    with pytest.raises(ListAlreadyHeaded):  # a second head for « Unis »: a claim, no signature
        make_pledge(make_candidate(first_name="Jo", last_name="Petit", list_name="UNIS"))
    ElectoralList.objects.filter(name="Repris").update(review_note="Deux têtes pour une liste.")
    expected = {
        "personne": {"same-name-a", "same-name-b"},
        "liste": {"claimed", "flagged"},
    }
    expected["oui"] = expected["personne"] | expected["liste"]
    headings = {"personne": "Même personne deux fois", "liste": "Même liste revendiquée deux fois"}
    queue = rows(moderator_client.get(CHANGELIST))
    columns = {
        "personne": {p.pk for p in queue if p.same_person},
        "liste": {p.pk for p in queue if p.list_claimed_twice},
        "oui": {p.pk for p in queue if p.has_duplicate},
    }
    details = {p.pk: page(moderator_client.get(change_url(p))) for p in people.values()}
    kinds = {"personne": "person", "liste": "list", "oui": None}
    for code, names in expected.items():
        named = {people[name].pk for name in names}
        filtered = {p.pk for p in rows(moderator_client.get(CHANGELIST, {"doublon": code}))}
        heading = headings.get(code, "Doublons possibles")
        detail = {pk for pk, content in details.items() if heading in content}
        assert columns[code] == filtered == detail == named, code
        found = Signature.objects.possible_duplicates(kinds[code]).values_list("pk", flat=True)
        assert set(found) == named, code
    alone = {p.pk for p in rows(moderator_client.get(CHANGELIST, {"doublon": "non"}))}
    assert alone == {p.pk for p in people.values()} - columns["oui"]
    others = Signature.objects.possible_duplicates_of(people["same-name-a"])
    assert list(others) == [people["same-name-b"]]


# ---------------------------------------------------------------- approve and next


def test_approve_and_next_stays_in_the_filtered_list(moderator_client):
    pledge_in("69123", days_ago=10)  # first of the whole queue, but not in the Loire
    first = pledge_in("42218", days_ago=5)
    second = pledge_in("42218", days_ago=4)
    third = pledge_in("42218", days_ago=3)
    response = moderator_client.post(decide_url(first, "valider", departement="42"), {"next": "1"})
    location = urlsplit(response["Location"])
    assert location.path == change_url(second)
    assert parse_qs(location.query) == {"_changelist_filters": ["departement=42"]}
    # Skipping `second`: approving `third` does not go back to it, and the list ends there.
    response = moderator_client.post(
        decide_url(third, "valider", departement="42"), {"next": "1"}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"{CHANGELIST}?departement=42"
    assert "Plus aucune signature en attente dans cette liste." in page(response)


def test_approve_and_next_follows_the_search_and_the_sort(moderator_client):
    a = pledge_in("42218", days_ago=1, last_name="Arnaud", list_name="Ensemble A")
    pledge_in("42218", days_ago=2, last_name="Bernard", list_name="Autre")
    c = pledge_in("42218", days_ago=3, last_name="Chevalier", list_name="Ensemble C")
    # Sorted by name (column 1), searched for « Ensemble »: Arnaud, then Chevalier.
    url = decide_url(a, "valider", q="Ensemble", o="1")
    response = moderator_client.post(url, {"next": "1"})
    assert urlsplit(response["Location"]).path == change_url(c)


def test_the_decision_forms_carry_the_list_filters(moderator_client):
    pledge = pledge_in("42218")
    url = f"{change_url(pledge)}?_changelist_filters=departement%3D42"
    content = page(moderator_client.get(url))
    decide = reverse("admin:pledges_signature_decide", args=[pledge.pk, "valider"])
    assert f'action="{decide}?_changelist_filters=departement%3D42"' in content


# ---------------------------------------------------------------- one form per decision


def test_requesting_changes_needs_a_message(moderator_client, mailoutbox):
    pledge = pledge_in("42218")
    response = moderator_client.post(decide_url(pledge, "completer"), follow=True)
    assert "Écrivez à la personne candidate ce qu’elle doit compléter ou corriger." in page(
        response
    )
    mailoutbox.clear()
    response = moderator_client.post(
        decide_url(pledge, "completer"), {"message": "Précisez votre liste."}, follow=True
    )
    assert "Compléments demandés\u202f: la personne candidate est prévenue par courriel." in page(
        response
    )
    pledge.refresh_from_db()
    assert pledge.status == Status.CHANGES_REQUESTED and len(mailoutbox) == 1


def test_unpublishing_needs_a_reason_and_reissuing_needs_nothing(moderator_client):
    pledge = pledge_in("42218", status=Status.APPROVED)
    response = moderator_client.post(decide_url(pledge, "reemettre"), follow=True)
    assert "Attestation réémise" in page(response) and "version 2" in page(response)
    assert Certificate.objects.filter(pledge=pledge).count() == 2
    response = moderator_client.post(decide_url(pledge, "depublier"), follow=True)
    assert "Indiquez pourquoi cette signature est dépubliée." in page(response)
    response = moderator_client.post(
        decide_url(pledge, "depublier"), {"reason": "Hors charte."}, follow=True
    )
    unpublished = "Signature dépubliée\u202f: la personne candidate est prévenue par courriel."
    assert unpublished in page(response)
    pledge.refresh_from_db()
    assert pledge.status == Status.UNPUBLISHED


def test_an_unknown_decision_is_a_404(moderator_client):
    pledge = pledge_in("42218")
    assert moderator_client.post(decide_url(pledge, "effacer")).status_code == 404


# ---------------------------------------------------------------- queries


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"doublon": "oui"},
        {"doublon": "personne"},
        {"doublon": "liste"},
        {"region": "84"},
        {"departement": "42"},
        {"q": "Camille"},
    ],
    ids=["all", "doublon", "same-person", "same-list", "region", "departement", "search"],
)
def test_the_queue_runs_the_same_queries_for_3_or_60_signatures(moderator_client, params):
    def count():
        with CaptureQueriesContext(connection) as queries:
            response = moderator_client.get(CHANGELIST, params)
        assert response.status_code == 200
        return len(queries)

    def claimed_list(name):
        pledge_in("42218", list_name=name)
        with pytest.raises(ListAlreadyHeaded):
            make_pledge(make_candidate(list_name=name))

    make_signatories(3, status=Status.PENDING, first_name="Léa", last_name="Même")
    claimed_list("Même liste")
    small = count()
    make_signatories(57, status=Status.PENDING, commune="69123", first_name="Léa", last_name="Même")
    claimed_list("Autre liste")
    assert count() == small


# ---------------------------------------------------------------- search


@pytest.mark.parametrize(
    "query",
    ["dupre lea", "DUPRÉ", "Léa Dupré", "solidaires", "st etienne", "42218", "lea@association"],
)
def test_the_search_ignores_accents_case_and_word_order(moderator_client, query):
    lea = pledge_in("42218", first_name="Léa", last_name="Dupré", list_name="Solidaires")
    pledge_in("69123", first_name="Paul", last_name="Morel", list_name="Lyon en commun")
    lea.candidate.user.email = "lea@association.example"
    lea.candidate.user.save()
    assert rows(moderator_client.get(CHANGELIST, {"q": query})) == [lea]


def test_a_search_with_nothing_to_match_finds_nothing(moderator_client):
    pledge_in("42218")
    assert rows(moderator_client.get(CHANGELIST, {"q": "« — »"})) == []
