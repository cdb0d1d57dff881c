"""Round 2 seen from the signing side: merged lists and what their lists had signed
(pledges.roster.merges), on the list page and on the signing page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidates.models import OfficialList
from candidates.official.rounds import link_rounds
from communes.models import Commune
from pledges.models import ElectoralList, Signature
from pledges.roster.answers import Answer, answers_for
from pledges.roster.merges import answering_lists, merged_commitments_for
from tests.factories import (
    commitments,
    current_campaign,
    make_candidate,
    make_official_list,
    make_pledge,
    make_roster_import,
    make_user,
)

pytestmark = pytest.mark.django_db

SIGN = reverse("pledges:sign")

GAUCHE = (("Alex", "Durand"), ("Léa", "Petit"), ("Noé", "Roux"))
VERTS = (("Hugo", "Garnier"), ("Zoé", "Faure"), ("Théo", "Mercier"))
CITOYENS = (("Yves", "Neuf"), ("Rose", "Leroy"), ("Ève", "Simon"))
DROITE = (("Anne", "Morel"), ("Luc", "Girard"))


@pytest.fixture
def commune():
    return Commune.objects.get(insee_code="42218")  # Saint-Étienne, where candidates sign


def signed_list(commune, official_list, *codes, head):
    """A site list whose head signed `codes` (approved), tied to its round-1 official list."""
    candidate = make_candidate(
        commune=commune, first_name=head[0], last_name=head[1], list_name=official_list.name
    )
    pledge = make_pledge(candidate, codes=codes, status=Signature.Status.APPROVED)
    ElectoralList.objects.filter(pk=pledge.electoral_list_id).update(official_list=official_list)
    return ElectoralList.objects.get(pk=pledge.electoral_list_id)


@pytest.fixture
def rounds(commune):
    """Round 1: la gauche (unsigned on the site), les verts and les citoyens (signed), la
    droite (signed). Round 2: the first three merged behind the left's head; the right
    stands again, renamed."""
    first = make_roster_import(tour=1)
    gauche = make_official_list(
        commune, panel_number=1, name="Gauche unie", head=("Camille", "Martin"),
        colistiers=GAUCHE, roster_import=first,
    )  # fmt: skip
    verts = make_official_list(
        commune, panel_number=2, name="Écologie d’abord", head=("Jeanne", "Bernard"),
        colistiers=VERTS, roster_import=first,
    )  # fmt: skip
    citoyens = make_official_list(
        commune, panel_number=3, name="Stéphanois citoyens", head=("Paul", "Lefèvre"),
        colistiers=CITOYENS, roster_import=first,
    )  # fmt: skip
    droite = make_official_list(
        commune, panel_number=4, name="Agir pour Saint-Étienne", head=("Marc", "Dubois"),
        colistiers=DROITE, roster_import=first,
    )  # fmt: skip
    site = {
        "verts": signed_list(commune, verts, "1.1", "3.1", "4.1", head=("Jeanne", "Bernard")),
        "citoyens": signed_list(commune, citoyens, "1.1", "3.1", "5.1", head=("Paul", "Lefèvre")),
        "droite": signed_list(commune, droite, "2.1", "6.1", head=("Marc", "Dubois")),
    }
    second = make_roster_import(tour=2)
    union = make_official_list(
        commune, panel_number=2, name="Union de la gauche et des écologistes",
        head=("Camille", "Martin"),
        colistiers=(*GAUCHE[:2], ("Jeanne", "Bernard"), VERTS[0], ("Paul", "Lefèvre"), CITOYENS[0]),
        tour=2, roster_import=second,
    )  # fmt: skip
    droite2 = make_official_list(
        commune, panel_number=1, name="Agir ensemble pour Saint-Étienne", head=("Marc", "Dubois"),
        colistiers=DROITE, tour=2, roster_import=second,
    )  # fmt: skip
    link_rounds(roster_import=second)
    return {
        "gauche": gauche, "verts": verts, "citoyens": citoyens, "droite": droite,
        "union": union, "droite2": droite2, "site": site,
    }  # fmt: skip


def content(response):
    """The page's text, its French no-break spaces (config.typography) read as spaces."""
    return response.content.decode().replace("\u202f", " ").replace("\u00a0", " ")


def checked(response, code):
    pk = commitments(code)[0].pk
    return f'value="{pk}" id="engagement-{pk}" checked' in content(response)


def test_the_page_of_a_list_that_merged_says_into_which_list_and_what_each_had_signed(
    client, rounds
):
    verts = rounds["site"]["verts"]
    response = client.get(verts.get_absolute_url())

    page = content(response)
    assert response.status_code == 200
    assert (
        "Au second tour, cette liste a fusionné dans la liste « Union de la gauche et des "
        "écologistes »." in page
    )
    assert "La liste fusionnée n’a pas (encore) signé" in page
    assert "« Écologie d’abord » (cette liste)" in page
    citoyens = rounds["site"]["citoyens"]
    assert f'<a href="{citoyens.get_absolute_url()}">« Stéphanois citoyens »</a>' in page
    assert "« Gauche unie »" in page
    assert "Elle n’avait pas (encore) signé les engagements de la campagne." in page
    assert page.count("Elle avait signé 3 engagements :") == 2
    assert "En commun aux listes fusionnées qui avaient signé : 2 engagements." in page
    common = page.split("En commun aux listes fusionnées")[1]
    for code in ("1.1", "3.1"):
        assert f'<span class="commitment__code">{code}</span>' in common
    for code in ("4.1", "5.1"):
        assert f'<span class="commitment__code">{code}</span>' not in common


def test_the_page_of_a_merged_list_says_which_lists_it_came_from(client, rounds):
    # The merged list signed anew, its site list tied to the round-2 list.
    union = rounds["union"]
    head = make_candidate(
        commune=union.commune, first_name="Camille", last_name="Martin", list_name=union.name
    )
    pledge = make_pledge(head, codes=("1.1", "3.1"), status=Signature.Status.APPROVED)
    ElectoralList.objects.filter(pk=pledge.electoral_list_id).update(official_list=union)

    response = client.get(pledge.electoral_list.get_absolute_url())

    page = content(response)
    assert (
        "Au second tour, la liste « Union de la gauche et des écologistes » est issue de la "
        "fusion de 3 listes du premier tour." in page
    )
    assert "sa signature lui est demandée à nouveau" in page
    for site_list in (rounds["site"]["verts"], rounds["site"]["citoyens"]):
        assert f'<a href="{site_list.get_absolute_url()}">' in page
    assert "Conduite par Jeanne Bernard, panneau n° 2 au premier tour." in page
    # The merged list's own page, with its new signature, links to the lists that merged.
    union_page = client.get(rounds["site"]["verts"].get_absolute_url())
    assert f'<a href="{pledge.electoral_list.get_absolute_url()}">' in content(union_page)


def test_a_list_re_tied_to_the_merger_it_continues_still_shows_what_it_had_signed(client, rounds):
    # The matching ties a list to the latest round it stands in: la gauche's head leads the
    # merger, so a site list of la gauche may be tied to it.
    gauche = make_candidate(
        commune=rounds["gauche"].commune, first_name="Camille", last_name="Martin",
        list_name="Gauche unie",
    )  # fmt: skip
    pledge = make_pledge(gauche, codes=("1.1", "7.1"), status=Signature.Status.APPROVED)
    ElectoralList.objects.filter(pk=pledge.electoral_list_id).update(official_list=rounds["union"])

    page = content(client.get(pledge.electoral_list.get_absolute_url()))

    assert "« Gauche unie » (cette liste)" in page
    assert "Elle avait signé 2 engagements :" in page
    assert "En commun aux listes fusionnées qui avaient signé : 1 engagement." in page


def test_the_merger_section_costs_the_same_queries_whatever_the_number_of_lists(
    client, django_assert_num_queries, rounds, commune
):
    verts = rounds["site"]["verts"]
    client.get(verts.get_absolute_url())  # warm the campaign and charter caches
    with CaptureQueriesContext(connection) as small:
        client.get(verts.get_absolute_url())
    # A fourth list in the merger, signed too.
    extra = make_official_list(
        commune, panel_number=5, name="Autre liste", head=("Ida", "Fontaine"),
        colistiers=(("Max", "Vidal"),), roster_import=rounds["gauche"].first_import,
    )  # fmt: skip
    signed_list(commune, extra, "1.1", head=("Ida", "Fontaine"))
    rounds["union"].merged_from.add(extra)

    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(verts.get_absolute_url())
    assert "« Autre liste »" in content(response)


def test_a_list_not_on_the_roster_says_nothing_of_mergers(client, commune):
    pledge = make_pledge(make_candidate(commune=commune), status=Signature.Status.APPROVED)
    page = content(client.get(pledge.electoral_list.get_absolute_url()))
    assert "fusion" not in page


def test_the_head_of_a_merged_list_finds_the_common_commitments_ticked(client, rounds):
    head = make_candidate(
        user=make_user("camille@exemple.test"), commune=rounds["union"].commune,
        first_name="Camille", last_name="Martin", list_name="Union de la gauche",
    )  # fmt: skip
    client.force_login(head.user)

    response = client.get(SIGN)

    assert response.status_code == 200
    page = content(response)
    assert "Reprendre les engagements communs aux listes fusionnées" in page
    assert "Les listes fusionnées avaient 2 engagements en commun" in page
    assert "« Écologie d’abord », « Stéphanois citoyens »" in page
    assert checked(response, "1.1") and checked(response, "3.1")
    assert not checked(response, "4.1") and not checked(response, "5.1")

    # One step: the head confirms what is ticked.
    response = client.post(
        SIGN,
        {
            "commitments": [str(c.pk) for c in commitments("1.1", "3.1")],
            "consent_candidacy": "on",
            "consent_publication": "on",
        },
    )
    assert response.status_code == 302
    pledge = Signature.objects.get(candidate=head)
    assert sorted(s.commitment.code for s in pledge.signed_commitments.all()) == ["1.1", "3.1"]


def test_a_head_with_a_pending_signature_takes_up_the_common_commitments_when_asked(client, rounds):
    head = make_candidate(
        user=make_user("camille@exemple.test"), commune=rounds["union"].commune,
        first_name="Camille", last_name="Martin", list_name="Union de la gauche",
    )  # fmt: skip
    make_pledge(head, codes=("9.1",))
    client.force_login(head.user)

    kept = client.get(SIGN)
    assert checked(kept, "9.1") and not checked(kept, "1.1")

    taken_up = client.get(SIGN, {"reprendre": "fusion"})
    assert checked(taken_up, "1.1") and checked(taken_up, "3.1")
    assert not checked(taken_up, "9.1")


def test_no_offer_for_a_head_who_leads_no_merged_list(client, rounds):
    droite = make_candidate(
        user=make_user("marc@exemple.test"), commune=rounds["droite"].commune,
        first_name="Marc", last_name="Dubois", list_name="Agir",
    )  # fmt: skip
    colistier_turned_head = make_candidate(
        commune=rounds["union"].commune, first_name="Jeanne", last_name="Bernard"
    )
    campaign = current_campaign()
    assert merged_commitments_for(droite, campaign=campaign) is None
    assert merged_commitments_for(colistier_turned_head, campaign=campaign) is None
    client.force_login(droite.user)
    response = client.get(SIGN)
    assert "Reprendre les engagements communs" not in content(response)
    assert not checked(response, "2.1")


def test_merged_commitments_for_the_head_name_their_sources_and_what_they_share(rounds):
    head = make_candidate(
        commune=rounds["union"].commune, first_name="CAMILLE", last_name="Martin",
        list_name="Union",
    )  # fmt: skip

    merger = merged_commitments_for(head, campaign=current_campaign())

    assert merger.official_list == rounds["union"]
    assert [s.official_list for s in merger.sources] == [
        rounds["gauche"], rounds["verts"], rounds["citoyens"],
    ]  # fmt: skip
    assert [s.official_list for s in merger.signed_sources] == [
        rounds["verts"], rounds["citoyens"],
    ]  # fmt: skip
    assert [c.code for c in merger.common] == ["1.1", "3.1"]


def test_a_continuing_list_keeps_its_signature_and_a_merged_list_signs_anew(rounds):
    official_lists = OfficialList.objects.filter(
        pk__in=[rounds[name].pk for name in ("droite2", "union", "droite")]
    )
    answering = answering_lists(official_lists, campaign=current_campaign())

    assert answering[rounds["droite2"].pk] == rounds["site"]["droite"]
    assert answering[rounds["droite"].pk] == rounds["site"]["droite"]
    assert rounds["union"].pk not in answering
    # The roster's answers (pledges.roster.answers) read the rounds the same way.
    answers = answers_for(official_lists, campaign=current_campaign())
    assert answers[rounds["droite2"].pk].answer == Answer.SIGNED
    assert answers[rounds["droite2"].pk].electoral_list == rounds["site"]["droite"]
    assert answers[rounds["union"].pk].answer == Answer.NO_ANSWER


def test_a_head_who_followed_the_merged_lists_letter_is_offered_its_common_commitments(rounds):
    # Their name as typed differs from the file's: the letter's list says which it is.
    head = make_candidate(
        commune=rounds["union"].commune, first_name="Camile", last_name="Martin-Roux"
    )
    campaign = current_campaign()

    assert merged_commitments_for(head, campaign=campaign) is None
    merger = merged_commitments_for(head, campaign=campaign, official_list=rounds["union"])
    assert [c.code for c in merger.common] == ["1.1", "3.1"]
