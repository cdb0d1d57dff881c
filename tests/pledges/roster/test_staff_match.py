"""Staff and the official roster, in the admin (pledges.moderation.admin.roster, the queue's
filters) and the decisions behind it (pledges.roster.decisions); then the public pages."""

import pytest
from django.urls import reverse

from candidates.models import Candidate, RosterMatch
from communes.models import Commune
from pledges.models import AuditEntry, ElectoralList
from pledges.roster.matching import rematch_communes
from tests.factories import (
    approve,
    make_candidate,
    make_commune,
    make_moderator,
    make_official_individual,
    make_official_list,
    make_pledge,
    make_user,
)

pytestmark = pytest.mark.django_db

Match = RosterMatch
CHANGELIST = reverse("admin:pledges_signature_changelist")


@pytest.fixture
def staff(client):
    moderator = make_moderator(first_name="Nadia", last_name="Benali")
    client.force_login(moderator)
    client.user = moderator
    return client


def saint_etienne() -> Commune:
    commune = Commune.objects.get(insee_code="42218")
    Commune.objects.filter(pk=commune.pk).update(votes_by_list=True)
    commune.refresh_from_db()
    return commune


def head_signs(list_name, *, first="Camille", last="Martin", commune=None, **fields):
    candidate = make_candidate(
        first_name=first, last_name=last, list_name=list_name, commune=commune or saint_etienne()
    )
    return make_pledge(candidate, **fields)


def the_list(pledge) -> ElectoralList:
    return ElectoralList.objects.get(pk=pledge.electoral_list_id)


def change_url(pledge) -> str:
    return reverse("admin:pledges_signature_change", args=[pledge.pk])


def roster_url(pledge) -> str:
    return reverse("admin:pledges_signature_roster", args=[pledge.pk])


def text(response) -> str:
    return response.content.decode()


def decide(client, pledge, decision, **data):
    return client.post(roster_url(pledge), {"decision": decision, **data}, follow=True)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# ---------------------------------------------------------------- the queue's filter


def test_the_queue_filters_signatures_by_their_match_with_the_official_lists(staff):
    commune = saint_etienne()
    make_official_list(commune, name="Ensemble pour demain", head=("Jeanne", "Bernard"))
    make_official_list(commune, name="Agir pour Saint-Étienne", head=("Camille", "Martin"))
    make_official_list(commune, name="Unis", head=("Léa", "Petit"))
    found = head_signs("Unis", first="Léa", last="Petit")
    ambiguous = head_signs("Ensemble pour demain")  # the name of one, the head of the other
    not_found = head_signs("Personne ne l’a déposée", first="Hugo", last="Roux")
    unchecked = head_signs("Ailleurs", commune=make_commune(population=5000))
    village = make_commune(population=200, votes_by_list=False)
    make_official_individual(village, first_name="Dominique", last_name="Petit")
    individual = make_pledge(
        make_candidate(
            commune=village,
            role=Candidate.Role.INDIVIDUAL,
            list_name="",
            first_name="Dominique",
            last_name="Petit",
        )
    )
    expected = {
        "trouvee": {found, individual},
        "ambigue": {ambiguous},
        "introuvable": {not_found},
        "pas-comparee": {unchecked},
        "confirmee": set(),
    }
    for code, pledges in expected.items():
        response = staff.get(CHANGELIST, {"officielles": code})
        assert response.status_code == 200
        assert set(response.context["cl"].result_list) == pledges, code
    page = text(staff.get(CHANGELIST))
    labels = ("Par listes officielles", "trouvée", "ambiguë", "introuvable", "pas encore comparée")
    for label in labels:
        assert label in page
    assert "confirmée par l’équipe" in page
    # A code the filter does not list: the whole queue, with a message.
    response = staff.get(CHANGELIST, {"officielles": "n’importe quoi"}, follow=True)
    assert response.status_code == 200
    assert "ne sont pas valables" in text(response)


def test_the_queue_filters_the_ballots_that_contradict_the_official_candidatures(staff):
    commune = saint_etienne()
    individual = make_pledge(
        make_candidate(
            commune=commune,
            role=Candidate.Role.INDIVIDUAL,
            list_name="",
            ballot_note="Je me présente seule.",
        )
    )
    head_signs("Unis")
    response = staff.get(CHANGELIST, {"scrutin": "fichiers"})
    assert list(response.context["cl"].result_list) == [individual]
    assert "contraire aux candidatures officielles" in text(response)


# ---------------------------------------------------------------- the signature's page


def test_the_page_shows_the_official_list_found(staff):
    official = make_official_list(
        saint_etienne(),
        panel_number=7,
        name="ENSEMBLE POUR SAINT-ÉTIENNE",
        short_name="ENSEMBLE",
        nuance="LDVG",
        head=("Camille", "Martin"),
        colistiers=(("Alex", "Durand"), ("Léa", "Petit")),
    )
    pledge = head_signs("Ensemble pour Saint-Étienne")
    page = text(staff.get(change_url(pledge)))
    assert "Listes officielles" in page
    assert "Trouvée sur les listes officielles" in page
    for shown in (
        "ENSEMBLE POUR SAINT-ÉTIENNE",
        "Camille Martin",
        "LDVG",
        "<dd>7</dd>",
        "<dd>3</dd>",
    ):
        assert shown in page
    assert "Confirmer cette correspondance" in page
    # The head too: number 1 of that list.
    assert f"{official.candidates.get(number=1)}, n°\xa01" in page


def test_the_page_shows_every_possibility_of_an_ambiguous_match(staff):
    commune = saint_etienne()
    make_official_list(
        commune, panel_number=1, name="Ensemble pour demain", head=("Jeanne", "Bernard")
    )
    make_official_list(commune, panel_number=2, name="Autre nom", head=("Camille", "Martin"))
    pledge = head_signs("Ensemble pour demain")
    page = text(staff.get(change_url(pledge)))
    assert "2 possibilités" in page
    assert "n°\xa01 «\u202fEnsemble pour demain\u202f», conduite par Jeanne Bernard" in page
    assert "n°\xa02 «\u202fAutre nom\u202f», conduite par Camille Martin" in page
    assert page.count("Choisir celle-ci") == 2
    # The queue says it is to settle.
    assert "listes officielles\u202f: plusieurs correspondent, choisissez la bonne" in page


def test_the_page_says_when_a_list_is_on_no_official_list_or_not_compared_yet(staff):
    make_official_list(saint_etienne(), name="Agir", head=("Marc", "Dubois"))
    pledge = head_signs("Personne ne l’a déposée")
    page = text(staff.get(change_url(pledge)))
    assert "Introuvable sur les listes officielles" in page
    assert "Aucune liste officielle de la commune" in page
    later = head_signs("Ailleurs", commune=make_commune(population=5000))
    page = text(staff.get(change_url(later)))
    assert "Pas encore comparée" in page
    assert "ne sont pas encore importées" in page
    assert "Corriger" not in page


def test_staff_confirm_the_match_found_and_it_is_audited(staff):
    official = make_official_list(saint_etienne(), name="Unis", head=("Camille", "Martin"))
    pledge = head_signs("Unis")
    response = decide(staff, pledge, "confirmer", official=official.pk)
    assert "Correspondance confirmée" in " ".join(messages_of(response))
    electoral_list = the_list(pledge)
    assert electoral_list.roster_match == Match.CONFIRMED
    assert electoral_list.roster_checked_by == staff.user
    assert electoral_list.roster_checked_at is not None
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ROSTER_DECIDED)
    assert entry.pledge == pledge
    assert entry.actor == staff.user
    assert entry.changes == {
        "official_list": [official.pk, official.pk],
        "roster_match": [Match.FOUND, Match.CONFIRMED],
    }
    page = text(staff.get(change_url(pledge)))
    assert "<strong>Confirmée par l’équipe</strong> — vérifiée par Nadia Benali le 1" in page
    assert "Annuler la décision et comparer à nouveau" in page


def test_staff_choose_one_of_the_possibilities(staff):
    commune = saint_etienne()
    make_official_list(commune, name="Ensemble pour demain", head=("Jeanne", "Bernard"))
    chosen = make_official_list(commune, name="Autre nom", head=("Camille", "Martin"))
    pledge = head_signs("Ensemble pour demain")
    decide(staff, pledge, "confirmer", official=chosen.pk)
    electoral_list = the_list(pledge)
    assert (electoral_list.roster_match, electoral_list.official_list) == (Match.CONFIRMED, chosen)
    assert electoral_list.panel_number == chosen.panel_number
    # The next import leaves staff's choice alone.
    rematch_communes([commune.pk])
    assert the_list(pledge).official_list == chosen


def test_staff_correct_the_match_with_another_list_of_the_commune_only(staff):
    commune = saint_etienne()
    make_official_list(commune, name="Unis", head=("Camille", "Martin"))
    other = make_official_list(commune, name="Agir", head=("Marc", "Dubois"))
    elsewhere = make_official_list(make_commune(population=5000), name="Unis")
    pledge = head_signs("Unis")
    response = decide(staff, pledge, "confirmer", official=elsewhere.pk)
    assert "ne se présente pas à Saint-Étienne" in " ".join(messages_of(response))
    assert the_list(pledge).roster_match == Match.FOUND
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.ROSTER_DECIDED).exists()
    decide(staff, pledge, "confirmer", official=other.pk)
    assert the_list(pledge).official_list == other


def test_staff_mark_a_list_as_not_found_then_hand_it_back_to_the_comparison(staff):
    commune = saint_etienne()
    official = make_official_list(commune, name="Unis", head=("Camille", "Martin"))
    pledge = head_signs("Unis")
    response = decide(staff, pledge, "introuvable", note="Vérifié en préfecture")
    assert "introuvable sur les listes officielles" in " ".join(messages_of(response))
    electoral_list = the_list(pledge)
    assert (electoral_list.roster_match, electoral_list.official_list) == (Match.NOT_FOUND, None)
    rematch_communes([commune.pk])
    assert the_list(pledge).roster_match == Match.NOT_FOUND
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ROSTER_DECIDED)
    assert entry.note == "Vérifié en préfecture"
    decide(staff, pledge, "recomparer")
    electoral_list = the_list(pledge)
    assert (electoral_list.roster_match, electoral_list.official_list) == (Match.FOUND, official)
    assert electoral_list.roster_checked_at is None


def test_staff_decide_for_an_individual_candidate(staff):
    village = make_commune(population=200, votes_by_list=False)
    make_official_individual(village, first_name="Dominique", last_name="Petit")
    other = make_official_individual(village, first_name="Dominique", last_name="Petitot")
    candidate = make_candidate(
        commune=village,
        role=Candidate.Role.INDIVIDUAL,
        list_name="",
        first_name="Dominique",
        last_name="Petit",
    )
    pledge = make_pledge(candidate)
    page = text(staff.get(change_url(pledge)))
    assert "Candidatures officielles" in page
    assert "Dominique Petitot" in page  # offered to choose from
    decide(staff, pledge, "confirmer", official=other.pk)
    candidate.refresh_from_db()
    assert (candidate.roster_match, candidate.official_candidate) == (Match.CONFIRMED, other)
    response = decide(staff, pledge, "introuvable")
    assert "introuvable sur les candidatures officielles" in " ".join(messages_of(response))


@pytest.mark.parametrize(
    "data",
    [
        {"decision": "confirmer", "official": "abc"},
        {"decision": "confirmer", "official": "99999999999999999999999"},
        {"decision": "confirmer", "official": "123456789"},
        {"decision": "confirmer"},
        {"decision": "supprimer"},
        {"decision": "confirmer\x00", "official": "1"},
    ],
)
def test_bad_input_gets_a_french_message_never_an_error(staff, data):
    make_official_list(saint_etienne(), name="Unis")
    pledge = head_signs("Unis")
    response = staff.post(roster_url(pledge), data, follow=True)
    assert response.status_code == 200
    assert messages_of(response)
    assert the_list(pledge).roster_match == Match.FOUND


def test_only_moderators_decide(client):
    official = make_official_list(saint_etienne(), name="Unis")
    pledge = head_signs("Unis")
    assert client.get(roster_url(pledge)).status_code == 302  # to the login
    viewer = make_moderator(group="")
    client.force_login(viewer)
    assert client.post(
        roster_url(pledge), {"decision": "confirmer", "official": official.pk}
    ).status_code in (302, 403)
    assert the_list(pledge).roster_match == Match.FOUND
    client.force_login(make_user())
    client.post(roster_url(pledge), {"decision": "introuvable"})
    assert the_list(pledge).roster_match == Match.FOUND
    moderator = make_moderator()
    client.force_login(moderator)
    assert client.get(roster_url(pledge)).status_code == 302  # a GET decides nothing
    assert the_list(pledge).roster_match == Match.FOUND


# ---------------------------------------------------------------- the public pages


def test_a_matched_and_approved_list_is_said_filed_at_the_prefecture():
    make_official_list(saint_etienne(), name="Unis", head=("Camille", "Martin"))
    pledge = head_signs("Unis")
    electoral_list = the_list(pledge)
    approve(pledge)
    from django.test import Client

    page = Client().get(electoral_list.get_absolute_url()).content.decode()
    assert "liste déposée en préfecture" in page
    head_page = Client().get(pledge.get_absolute_url()).content.decode()
    assert "liste déposée en préfecture" in head_page


def test_a_list_not_found_is_not_said_filed():
    make_official_list(saint_etienne(), name="Agir", head=("Marc", "Dubois"))
    pledge = head_signs("Unis")
    approve(pledge)
    from django.test import Client

    page = Client().get(the_list(pledge).get_absolute_url()).content.decode()
    assert "déposée en préfecture" not in page


def test_an_approved_individual_found_on_the_roster_is_said_filed(client, staff):
    village = make_commune(population=200, votes_by_list=False)
    make_official_individual(village, first_name="Dominique", last_name="Petit")
    pledge = make_pledge(
        make_candidate(
            commune=village,
            role=Candidate.Role.INDIVIDUAL,
            list_name="",
            first_name="Dominique",
            last_name="Petit",
        )
    )
    # Pending: staff preview the page, nothing said yet.
    assert "déposée en préfecture" not in text(staff.get(pledge.get_absolute_url()))
    approve(pledge)
    staff.logout()
    assert "candidature déposée en préfecture" in text(staff.get(pledge.get_absolute_url()))


def test_a_list_tied_by_its_letter_says_so_and_staff_may_still_compare_it_again(staff):
    commune = saint_etienne()
    letter = make_official_list(commune, name="Agir", head=("Marc", "Dubois"))
    by_name = make_official_list(commune, name="Unis", head=("Jeanne", "Bernard"))
    pledge = head_signs("Unis")
    ElectoralList.objects.filter(pk=pledge.electoral_list_id).update(
        official_list=letter, roster_match=Match.CONFIRMED
    )
    rematch_communes([commune.pk])
    assert the_list(pledge).official_list == letter  # never changed automatically
    page = text(staff.get(change_url(pledge)))
    assert "par le lien de la lettre d’invitation de cette liste officielle" in page
    decide(staff, pledge, "recomparer")
    assert (the_list(pledge).roster_match, the_list(pledge).official_list) == (
        Match.FOUND,
        by_name,
    )
