"""The dashboard's « Relais » table (pledges/relays/stats.py) against hand-counted data: the
lists of each relay's territory, the lists it invited, of those the ones that signed, the
signatures its links brought; the région filter, the CSV, the number of queries."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.models import OfficialList
from pledges.models import ElectoralList, ListInvitation, Signature
from pledges.relays.stats import per_relay
from pledges.roster.invitations import mark_invited, mark_invited_by_relay
from tests.factories import a_moderator, approve, current_campaign, make_candidate, make_pledge
from tests.pledges.relays.conftest import make_relay, official_list_in, relay_account

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("admin:pledges_signature_dashboard")


def signed_for(official_list, relay=None, *, approved=True):
    candidate = make_candidate(commune=official_list.commune, list_name=official_list.name)
    pledge = make_pledge(candidate)
    ElectoralList.objects.filter(pk=pledge.electoral_list_id).update(official_list=official_list)
    if approved:
        pledge = approve(pledge)
    Signature.objects.filter(pk=pledge.pk).update(relay=relay)
    return pledge


def invite(relay, official_list):
    mark_invited_by_relay(
        official_list=official_list,
        relay=relay,
        account=relay.accounts.first() or relay_account(relay),
        at=timezone.localdate(),
        channel=ListInvitation.Channel.LETTER,
    )


@pytest.fixture
def data():
    """Loire (42, a département, and Saint-Étienne named again as a commune): Saint-Étienne
    3 lists, Roanne 1, and one list gone from the files: 4 lists. Lyon (a commune): 2 lists.
    Île-de-France (a région): Paris 1 list.

    Loire invites L1 (twice) and L2; L1 signs through its link (approved), a pending
    signature also came by its link: 2 lists invited, 1 signed, 2 signatures, 1 public.
    Staff invite L3 (not a relay's). Lyon invites nothing; one approved signature by its
    link. Île-de-France: nothing."""
    loire = make_relay(name="Coorace Loire", departements=["42"], communes=["42218"])
    lyon = make_relay(name="Relais lyonnais", communes=["69123"])
    idf = make_relay(name="Coorace Île-de-France", regions=["11"])
    l1 = official_list_in("42218", name="L1")
    l2 = official_list_in("42218", name="L2")
    l3 = official_list_in("42218", name="L3")
    official_list_in("42187", name="Roanne")
    gone = official_list_in("42187", name="Partie")
    OfficialList.objects.filter(pk=gone.pk).update(gone_at=timezone.now())
    lyon_a = official_list_in("69123", name="Lyon A")
    official_list_in("69123", name="Lyon B")
    official_list_in("75056", name="Paris")
    invite(loire, l1)
    invite(loire, l1)
    invite(loire, l2)
    mark_invited(
        official_lists=[l3],
        moderator=a_moderator(),
        at=timezone.localdate(),
        channel=ListInvitation.Channel.EMAIL,
    )
    signed_for(l1, loire)
    signed_for(l2, loire, approved=False)
    signed_for(lyon_a, lyon)
    signed_for(l3)  # staff's invitation, no relay
    return loire, lyon, idf


def by_name(rows):
    return {
        row["name"]: (
            row["lists"],
            row["invited"],
            row["invited_signed"],
            row["signatures"],
            row["public_signatures"],
        )
        for row in rows
    }


def test_the_relay_figures_match_the_hand_count(data):
    rows = per_relay(current_campaign())
    assert by_name(rows) == {
        "Coorace Loire": (4, 2, 1, 2, 1),
        "Relais lyonnais": (2, 0, 0, 1, 1),
        "Coorace Île-de-France": (1, 0, 0, 0, 0),
    }


def test_the_region_filter(data):
    from communes.models import Region

    aura = by_name(per_relay(current_campaign(), Region.objects.get(code="84")))
    assert aura == {"Coorace Loire": (4, 2, 1, 2, 1), "Relais lyonnais": (2, 0, 0, 1, 1)}
    idf = by_name(per_relay(current_campaign(), Region.objects.get(code="11")))
    assert idf == {"Coorace Île-de-France": (1, 0, 0, 0, 0)}
    # A relay whose territory has no official list yet is still listed, with nothing.
    make_relay(name="Relais breton", departements=["35"])
    bretagne = by_name(per_relay(current_campaign(), Region.objects.get(code="53")))
    assert bretagne == {"Relais breton": (0, 0, 0, 0, 0)}
    # Several régions by code (a regional moderator's scope).
    assert set(by_name(per_relay(current_campaign(), ["11", "84"]))) == {
        "Coorace Loire",
        "Relais lyonnais",
        "Coorace Île-de-France",
    }


def test_the_relays_page_shows_the_table_and_its_csv(data, superuser_client):
    response = superuser_client.get(reverse("admin:pledges_signature_dashboard_relays"))
    assert by_name(response.context["rows"])["Coorace Loire"] == (4, 2, 1, 2, 1)
    content = response.content.decode()
    assert "Relais : ce que leurs invitations ont apporté" in content.replace("\u202f", " ")
    assert "table=relais" in content
    response = superuser_client.get(DASHBOARD, {"format": "csv", "table": "relais"})
    assert response["Content-Disposition"] == 'attachment; filename="relais.csv"'
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[0] == [
        "relais",
        "listes_du_territoire",
        "listes_invitees",
        "invitees_qui_ont_signe",
        "signatures_par_ses_liens",
        "dont_publiques",
    ]
    assert ["Coorace Loire", "4", "2", "1", "2", "1"] in lines
    filtered = superuser_client.get(DASHBOARD, {"format": "csv", "table": "relais", "region": "11"})
    assert filtered["Content-Disposition"] == 'attachment; filename="relais-11.csv"'
    assert [row[0] for row in csv.reader(io.StringIO(filtered.content.decode()))][1:] == [
        "Coorace Île-de-France"
    ]


def test_the_dashboard_sums_up_the_relays_and_names_those_that_brought_most(data, superuser_client):
    """The dashboard's block: the totals over every relay and, of those that brought
    signatures, the TOP first by what they brought; the « Relais » page lists them all."""
    from pledges.relays.stats import TOP, summary

    for number in range(TOP):
        relay = make_relay(name=f"Relais {number:02d}", departements=["35"])
        signed_for(official_list_in("35238", name=f"Rennes {number}"), relay, approved=False)
    response = superuser_client.get(DASHBOARD)
    relays = response.context["relays"]
    assert relays == summary(current_campaign())
    assert relays["count"] == TOP + 3
    # Loire: 2 invitations; Lyon and the new ones none.
    assert relays["inviting"] == 1
    assert (relays["signatures"], relays["public_signatures"]) == (3 + TOP, 2)
    names = [row["name"] for row in relays["top"]]
    # Loire brought 2, then 1 each: Lyon's is public, the new ones' pending, by name.
    assert names == ["Coorace Loire", "Relais lyonnais", *[f"Relais {n:02d}" for n in range(8)]]
    content = response.content.decode().replace("\u202f", " ").replace("\u00a0", " ")
    assert (
        f"Relais : {TOP + 3} ; ayant invité au moins une liste : 1 ; signatures venues par "
        f"leurs liens : {3 + TOP}, dont 2 publiques." in content
    )
    assert "Les relais qui ont apporté le plus de signatures" in content
    assert reverse("admin:pledges_signature_dashboard_relays") in content
    # The dashboard counts no territory: that is the « Relais » page's work.
    assert "relais" not in response.context["figures"]
    page = superuser_client.get(reverse("admin:pledges_signature_dashboard_relays"))
    assert len(page.context["rows"]) == TOP + 3
    assert "Coorace Île-de-France" in page.content.decode()


def test_the_summary_of_a_region(data):
    from communes.models import Region
    from pledges.relays.stats import summary

    aura = summary(current_campaign(), Region.objects.get(code="84"))
    assert (aura["count"], aura["inviting"], aura["signatures"], aura["public_signatures"]) == (
        2,
        1,
        3,
        2,
    )
    idf = summary(current_campaign(), Region.objects.get(code="11"))
    assert (idf["count"], idf["inviting"], idf["signatures"], idf["top"]) == (1, 0, 0, [])


def test_a_relay_name_that_looks_like_a_formula_is_defused(superuser_client):
    make_relay(name='=HYPERLINK("http://x")', departements=["42"])
    response = superuser_client.get(DASHBOARD, {"format": "csv", "table": "relais"})
    lines = list(csv.reader(io.StringIO(response.content.decode())))
    assert lines[1][0].startswith("'=")


def test_the_number_of_queries_does_not_grow_with_relays(data, django_assert_num_queries):
    campaign = current_campaign()
    # Three for the territories, one each for the lists, invited, signed, brought, relays.
    with django_assert_num_queries(8):
        per_relay(campaign)
    for number in range(10):
        make_relay(name=f"Relais {number}", departements=["69"], communes=["42218"])
    with django_assert_num_queries(8):
        rows = per_relay(campaign)
    assert len(rows) == 13
