"""« Espace relais »: the official roster of the relay's territory with each list's public
answer, filters and pages, one list's link, QR code and letter, « invitée le … par … », the
lists it invited — nothing outside its territory, nothing private, no one else."""

import shutil
import subprocess

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from candidates.models import OfficialList
from communes.models import Commune
from pledges.models import AuditEntry, ElectoralList, ListDecline, ListInvitation, RelayLink
from pledges.relays.links import relay_link_url
from pledges.roster.invitations import mark_invited
from tests.factories import (
    a_moderator,
    approve,
    current_campaign,
    make_candidate,
    make_moderator,
    make_pledge,
    make_user,
)
from tests.pledges.relays.conftest import make_relay, official_list_in, page, relay_account

pytestmark = pytest.mark.django_db

SPACE = reverse("pledges:relay_space")
INVITED = reverse("pledges:relay_invited")


def signed(official_list, **candidate_fields):
    """A head in the list's commune signs for it, and Coorace approves."""
    candidate = make_candidate(
        commune=official_list.commune, list_name=official_list.name, **candidate_fields
    )
    pledge = make_pledge(candidate)
    ElectoralList.objects.filter(pk=pledge.electoral_list_id).update(official_list=official_list)
    return approve(pledge)


def rows(response):
    return response.context["rows"]


def test_the_space_shows_the_territory_roster_with_public_answers(relay_client):
    saint_etienne = official_list_in("42218", name="Saint-Étienne demain", panel_number=1)
    declined = official_list_in("42218", name="Saint-Étienne autrement", panel_number=2)
    invited = official_list_in("42218", name="Saint-Étienne ensemble", panel_number=3)
    silent = official_list_in("42187", name="Roanne d’abord", panel_number=1)  # Roanne, 42
    elsewhere = official_list_in("69123", name="Lyon en commun")  # Rhône: outside
    signed(saint_etienne)
    ListDecline.objects.create(
        campaign=current_campaign(),
        official_list=declined,
        reason="Nous ne signons aucune charte.",
        publish_reason=False,
        at=timezone.localdate(),
        recorded_at=timezone.now(),
    )
    mark_invited(
        official_lists=[invited],
        moderator=a_moderator(),
        at=timezone.localdate(),
        channel=ListInvitation.Channel.EMAIL,
        email="liste@exemple.test",
        note="Note interne de l’équipe",
    )
    response = relay_client.get(SPACE)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    content = page(response)
    assert [row.pk for row in rows(response)] == [
        silent.pk,
        saint_etienne.pk,
        declined.pk,
        invited.pk,
    ]
    assert "Roanne (42)" in content and "Saint-Étienne (42)" in content
    assert "Lyon en commun" not in content and elsewhere.pk not in [r.pk for r in rows(response)]
    assert "a signé le" in content
    assert saint_etienne.site_lists.get().get_absolute_url() in content
    assert "a décliné le" in content
    assert "invitée le" in content
    assert "n’a pas (encore) répondu" in content
    # Only what the public pages say: no reason kept private, no address, no staff note.
    assert "Nous ne signons aucune charte" not in content
    assert "liste@exemple.test" not in content
    assert "Note interne" not in content
    assert response.context["totals"] == {"lists": 4, "signed": 1}


def test_nothing_private_about_candidates(relay_client):
    official_list = official_list_in("42218", name="Saint-Étienne demain")
    user = make_user("tete.de.liste@exemple.test")
    candidate = make_candidate(
        user=user,
        commune=official_list.commune,
        list_name=official_list.name,
        phone="06 12 34 56 78",
        first_name="Prénom-Privé",
    )
    pledge = make_pledge(candidate, codes=("1.1", "4.2"))  # pending: not public
    ElectoralList.objects.filter(pk=pledge.electoral_list_id).update(official_list=official_list)
    content = page(relay_client.get(SPACE))
    content += page(relay_client.get(reverse("pledges:relay_list", args=[official_list.pk])))
    assert "Saint-Étienne demain" in content
    assert "tete.de.liste@exemple.test" not in content
    assert "06 12 34 56 78" not in content
    assert "Prénom-Privé" not in content
    assert "4.2" not in content
    assert "en attente" not in content
    assert "n’a pas (encore) répondu" in content


def test_nothing_outside_the_territory(relay_client):
    lyon = official_list_in("69123", name="Lyon en commun")
    assert relay_client.get(reverse("pledges:relay_list", args=[lyon.pk])).status_code == 404
    assert relay_client.get(reverse("pledges:relay_letter", args=[lyon.pk])).status_code == 404
    assert (
        relay_client.post(
            reverse("pledges:relay_list", args=[lyon.pk]),
            {"at": timezone.localdate().isoformat(), "channel": "letter"},
        ).status_code
        == 404
    )
    assert not RelayLink.objects.exists()
    assert not ListInvitation.objects.exists()
    assert rows(relay_client.get(SPACE, {"commune": "Lyon"})) == []


def test_a_territory_of_communes_departements_and_regions():
    relay = make_relay(communes=["13055"], departements=["42"], regions=["53"])  # Bretagne
    marseille = official_list_in("13055", name="Marseille d’abord")
    loire = official_list_in("42218", name="Saint-Étienne demain")
    rennes = official_list_in("35238", name="Rennes en commun")
    official_list_in("69123", name="Lyon en commun")
    official_list_in("13001", name="Aix ailleurs")  # Bouches-du-Rhône, not Marseille
    client = Client()
    client.force_login(relay_account(relay))
    assert {row.pk for row in rows(client.get(SPACE))} == {marseille.pk, loire.pk, rennes.pk}


def test_only_the_latest_round_and_standing_lists(relay_client):
    saint_etienne = Commune.objects.get(insee_code="42218")
    round1 = official_list_in("42218", name="Premier tour", tour=1)
    round2 = official_list_in("42218", name="Second tour", tour=2)
    roanne = official_list_in("42187", name="Roanne partie")
    OfficialList.objects.filter(pk=roanne.pk).update(gone_at=timezone.now())
    assert saint_etienne.official_lists.count() == 2
    assert [row.pk for row in rows(relay_client.get(SPACE))] == [round2.pk]
    assert round1.pk not in [row.pk for row in rows(relay_client.get(SPACE))]


def test_filters_by_departement_commune_and_answer():
    relay = make_relay(regions=["84"])  # Auvergne-Rhône-Alpes: thousands of communes
    a = official_list_in("42218", name="Saint-Étienne demain")
    b = official_list_in("69123", name="Lyon en commun")
    c = official_list_in("69123", name="Lyon solidaire")
    signed(c)
    client = Client()
    client.force_login(relay_account(relay))
    assert {r.pk for r in rows(client.get(SPACE))} == {a.pk, b.pk, c.pk}
    assert {r.pk for r in rows(client.get(SPACE, {"departement": "69"}))} == {b.pk, c.pk}
    assert {r.pk for r in rows(client.get(SPACE, {"commune": "saint etienne"}))} == {a.pk}
    assert {r.pk for r in rows(client.get(SPACE, {"commune": "69123"}))} == {b.pk, c.pk}
    assert {r.pk for r in rows(client.get(SPACE, {"reponse": "signed"}))} == {c.pk}
    assert {r.pk for r in rows(client.get(SPACE, {"reponse": "no_answer"}))} == {a.pk, b.pk}
    both = client.get(SPACE, {"departement": "69", "reponse": "no_answer"})
    assert [r.pk for r in rows(both)] == [b.pk]
    # The département filter offers the territory's départements that have lists.
    choices = dict(client.get(SPACE).context["form"].fields["departement"].choices)
    assert set(choices) == {"", "42", "69"}
    # Hostile or unknown values: no crash, nothing hidden by mistake.
    response = client.get(SPACE, {"departement": "99", "reponse": "<script>", "page": "x"})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in page(response)
    assert client.get(SPACE, {"commune": "!!!"}).status_code == 200


def test_fifty_lists_a_page_and_a_constant_number_of_queries(
    relay_client, django_assert_max_num_queries
):
    for number in range(1, 56):
        official_list_in("42218", name=f"Liste {number:02d}", panel_number=number)
    response = relay_client.get(SPACE)
    assert len(rows(response)) == 50
    assert response.context["page"].paginator.num_pages == 2
    assert "Page suivante" in page(response)
    second = relay_client.get(SPACE, {"page": 2})
    assert [r.name for r in rows(second)] == [f"Liste {n}" for n in range(51, 56)]
    with django_assert_max_num_queries(20):
        relay_client.get(SPACE, {"page": 2})
    with django_assert_max_num_queries(20):
        relay_client.get(SPACE)


def test_one_list_gives_the_relay_link_and_its_qr_code(relay_client, relay):
    official_list = official_list_in("42218", name="Saint-Étienne demain")
    url = reverse("pledges:relay_list", args=[official_list.pk])
    content = page(relay_client.get(url))
    link = RelayLink.objects.get(relay=relay, official_list=official_list)
    assert relay_link_url(link) == f"http://127.0.0.1:8000/r/{link.code}/"
    assert relay_link_url(link) in content
    assert "<svg" in content
    # Made once: the same link on the next visit.
    relay_client.get(url)
    assert RelayLink.objects.count() == 1


def test_the_letter_carries_the_relay_name_and_link(relay_client, relay, tmp_path):
    official_list = official_list_in("42218", name="Saint-Étienne demain")
    response = relay_client.get(reverse("pledges:relay_letter", args=[official_list.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    link = RelayLink.objects.get(relay=relay, official_list=official_list)
    assert link.code in response["Content-Disposition"]
    if shutil.which("pdftotext") is None:
        pytest.fail(
            "reading the PDF back needs poppler's pdftotext (apt-get install poppler-utils)"
        )
    path = tmp_path / "lettre.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.replace("\u202f", " ").split())
    assert "Invitation transmise par Coorace Loire" in flat
    assert f"/r/{link.code}/" in flat
    assert f"/l/{official_list.invitation_code}/" not in flat
    assert "Saint-Étienne demain" in flat


def test_the_letter_html_without_a_relay_is_unchanged():
    from pledges.roster.letters import render_letters_html

    official_list = official_list_in("42218", name="Saint-Étienne demain")
    html = render_letters_html([official_list], campaign=current_campaign())
    assert f"/l/{official_list.invitation_code}/" in html
    assert "Invitation transmise par" not in html
    assert not RelayLink.objects.exists()


def test_recording_an_invitation_and_the_lists_it_invited(relay_client, relay):
    official_list = official_list_in("42218", name="Saint-Étienne demain")
    other = official_list_in("42218", name="Saint-Étienne autrement")
    url = reverse("pledges:relay_list", args=[official_list.pk])
    day = timezone.localdate()
    response = relay_client.post(url, {"at": day.isoformat(), "channel": "hand", "note": "Marché"})
    assert response["Location"] == url
    invitation = ListInvitation.objects.get()
    assert invitation.relay == relay
    assert invitation.invited_by == relay_client.user
    assert invitation.channel == "hand" and invitation.at == day
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LIST_INVITED)
    assert entry.changes["relay"] == relay.pk
    content = page(relay_client.get(url))
    assert "invitée le" in content and "par en main propre" in content
    # The lists it invited, with their answers.
    signed(official_list)
    response = relay_client.get(INVITED)
    assert [row.pk for row in rows(response)] == [official_list.pk]
    assert other.pk not in [row.pk for row in rows(response)]
    assert "1 liste invitée, dont 1 a signé." in page(response)
    # The space counts it too.
    assert relay_client.get(SPACE).context["invited_count"] == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"at": "", "channel": "letter"}, "Indiquez la date de l’invitation."),
        ({"at": "2999-01-01", "channel": "letter"}, "ne peut pas être datée du futur"),
        ({"at": "01/02/2020", "channel": "pigeon"}, "Sélectionnez un choix valide"),
        ({"at": "pas une date", "channel": "letter"}, "Cette date n’est pas valable"),
    ],
)
def test_a_bad_invitation_is_said_in_french(relay_client, data, message):
    official_list = official_list_in("42218", name="Saint-Étienne demain")
    response = relay_client.post(reverse("pledges:relay_list", args=[official_list.pk]), data)
    assert response.status_code == 200
    assert message in page(response)
    assert not ListInvitation.objects.exists()


# ---------------------------------------------------------------- who may


@pytest.mark.parametrize("path", [SPACE, INVITED])
def test_anonymous_visitors_are_sent_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_other_accounts_are_refused(client, relay):
    official_list = official_list_in("42218", name="Saint-Étienne demain")
    inactive = make_relay(name="Relais inactif", departements=["42"], is_active=False)
    paths = [
        SPACE,
        INVITED,
        reverse("pledges:relay_list", args=[official_list.pk]),
        reverse("pledges:relay_letter", args=[official_list.pk]),
    ]
    accounts = [
        make_candidate().user,
        make_moderator(),
        get_superuser(),
        relay_account(inactive),
    ]
    for account in accounts:
        client.force_login(account)
        for path in paths:
            assert client.get(path).status_code == 403, (account, path)
    assert not RelayLink.objects.exists()


def get_superuser():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("chef", "chef@coorace.test", "x-solide-2020")


def test_one_relay_does_not_see_another_relay_s_invitations(relay_client, relay):
    official_list = official_list_in("42218", name="Saint-Étienne demain")
    other = make_relay(name="Autre relais", departements=["42"])
    other_account = relay_account(other)
    from pledges.roster.invitations import mark_invited_by_relay

    mark_invited_by_relay(
        official_list=official_list,
        relay=other,
        account=other_account,
        at=timezone.localdate(),
        channel="phone",
        note="Note de l’autre relais",
    )
    assert rows(relay_client.get(INVITED)) == []
    content = page(relay_client.get(reverse("pledges:relay_list", args=[official_list.pk])))
    assert "Note de l’autre relais" not in content
    # The public answer is « invitée » for everyone, as on the public pages.
    assert "invitée le" in content
    row = rows(relay_client.get(SPACE))[0]
    assert row.invited_by_us is None
