"""Voters' alerts end to end: subscribe, confirm, events, digest, unsubscribe, the feed."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from candidates.models import Candidate
from communes.models import Commune
from pledges.alerts.services import queue_digests
from pledges.models import AlertSubscription, Signature
from pledges.moderation.retention import apply_retention
from pledges.signing.services import add_commitment, withdraw_commitment
from tests.factories import approve, commitments, make_candidate, make_pledge

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SAINT_ETIENNE = "42218"
ADDRESS = "electrice@exemple.fr"


def text(value) -> str:
    """Typography's no-break spaces read as plain spaces."""
    if hasattr(value, "content"):
        value = value.content.decode()
    return value.replace("\u202f", " ").replace("\u00a0", " ")


def subscribe_url(code=SAINT_ETIENNE):
    return reverse("pledges:alerts_subscribe", kwargs={"insee_code": code})


def link_in(message, name) -> str:
    match = re.search(rf"https?://\S+/alertes/{name}/[^/\s]+/", message.body)
    assert match, message.body
    return match.group(0)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def subscribed(client, email=ADDRESS, code=SAINT_ETIENNE) -> AlertSubscription:
    """Subscribe through the form and confirm through the courriel's link."""
    mail.outbox.clear()
    response = client.post(subscribe_url(code), {"email": email})
    assert response.status_code == 200
    (message,) = mail.outbox
    confirm = path_of(link_in(message, "confirmer"))
    assert client.post(confirm).status_code == 200
    mail.outbox.clear()
    return AlertSubscription.objects.get(email=email)


def a_list_signs(codes=("1.1", "2.1")) -> Signature:
    return approve(make_pledge(codes=codes))


# ---------------------------------------------------------------- the commune page


def test_the_cached_commune_page_links_to_the_form_and_the_feed(client):
    response = client.get(f"/communes/{SAINT_ETIENNE}/")
    page = text(response)
    assert "Être prévenu·e par courriel" in page
    assert f'href="/communes/{SAINT_ETIENNE}/alertes/"' in page
    feed = f'type="application/atom+xml" href="/communes/{SAINT_ETIENNE}/flux.atom"'
    assert f'<link rel="alternate" {feed}' in page
    # Still cacheable by everyone: the form and its token are not on it.
    assert "public" in response["Cache-Control"]
    assert "csrfmiddlewaretoken" not in page
    assert not response.cookies


def test_the_form_page_is_kept_by_no_cache_and_holds_the_token(client):
    response = client.get(subscribe_url())
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "csrfmiddlewaretoken" in text(response)
    assert client.get(subscribe_url("99999")).status_code == 404


# ---------------------------------------------------------------- the whole flow


def test_subscribe_confirm_event_digest_unsubscribe(client):
    response = client.post(subscribe_url(), {"email": ADDRESS})
    assert "confirmez" in text(response)
    subscription = AlertSubscription.objects.get()
    assert subscription.confirmed_at is None
    (confirmation,) = mail.outbox
    assert confirmation.to == [ADDRESS]
    assert "Saint-Étienne" in text(confirmation.subject)
    confirm = path_of(link_in(confirmation, "confirmer"))

    # Not confirmed yet: an event sends nothing.
    a_list_signs()
    mail.outbox.clear()
    assert queue_digests(now=timezone.now()) == 0
    assert mail.outbox == []

    # A mail scanner following the link confirms nothing; the button's POST does.
    response = client.get(confirm)
    assert "Confirmer mon inscription" in text(response)
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None
    response = client.post(confirm)
    assert "C’est confirmé" in text(response)
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None

    # Events before the confirmation are not news to this subscriber.
    assert queue_digests(now=timezone.now()) == 0

    pledge = a_list_signs()
    mail.outbox.clear()
    first_run = timezone.now()
    assert queue_digests(now=first_run) == 1
    (digest,) = mail.outbox
    assert digest.to == [ADDRESS]
    body = text(digest.body)
    assert f"La liste « {pledge.electoral_list.name} » a signé les engagements de Coorace" in body
    assert f"/listes/{pledge.electoral_list_id}/" in body
    unsubscribe = link_in(digest, "desinscription")
    assert digest.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = text(digest.alternatives[0].content)
    assert unsubscribe in html
    assert "Ne plus recevoir ces courriels" in html
    # Headers as they leave: in the serialized message.
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in digest.message().as_string()

    # A second event the same day: no second message that day…
    second = a_list_signs()
    mail.outbox.clear()
    assert queue_digests(now=first_run + datetime.timedelta(minutes=1)) == 0
    call_command("send_alerts", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert mail.outbox == []
    # …it comes the next day, alone (the first event was already told).
    assert queue_digests(now=first_run + datetime.timedelta(days=1)) == 1
    (next_day,) = mail.outbox
    assert second.electoral_list.name in next_day.body
    assert pledge.electoral_list.name not in next_day.body

    # Unsubscribe: the link's GET only shows a button…
    mail.outbox.clear()
    response = client.get(path_of(unsubscribe))
    assert "Me désinscrire" in text(response)
    assert AlertSubscription.objects.filter(email=ADDRESS).exists()
    # …a mail client's one-click POST, without any CSRF token, unsubscribes.
    one_click = Client(enforce_csrf_checks=True)
    response = one_click.post(path_of(unsubscribe), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "votre adresse est effacée" in text(response)
    assert not AlertSubscription.objects.exists()
    assert not AlertSubscription.objects.filter(email__iexact=ADDRESS).exists()

    # Nothing is sent after.
    a_list_signs()
    mail.outbox.clear()
    assert queue_digests(now=timezone.now() + datetime.timedelta(days=3)) == 0
    assert mail.outbox == []
    assert one_click.post(path_of(unsubscribe)).status_code == 404


def test_commitments_added_and_withdrawn_are_told():
    pledge = a_list_signs(codes=("1.1", "2.1"))
    client = Client()
    subscription = subscribed(client)
    add_commitment(pledge=pledge, commitment=commitments("3.1")[0])
    withdraw_commitment(pledge=pledge, commitment=commitments("1.1")[0])
    assert queue_digests(now=timezone.now()) == 1
    body = text(mail.outbox[0].body)
    name = pledge.electoral_list.name
    assert f"La liste « {name} » a ajouté l’engagement 3.1 :" in body
    assert f"La liste « {name} » a retiré l’engagement 1.1 :" in body
    assert "2 événements" in body
    subscription.refresh_from_db()
    assert subscription.last_sent_at is not None


def test_an_individual_candidate_and_other_communes():
    lyon = Commune.objects.get(insee_code="69123")
    client = Client()
    subscribed(client)
    # A candidate standing alone in Saint-Étienne, a list elsewhere: only the first is told.
    alone = make_candidate(role=Candidate.Role.INDIVIDUAL, list_name="")
    approve(make_pledge(alone))
    approve(make_pledge(make_candidate(commune=lyon)))
    mail.outbox.clear()
    assert queue_digests(now=timezone.now()) == 1
    (digest,) = mail.outbox
    assert f"{alone.full_name} a signé les engagements de Coorace" in text(digest.body)
    assert text(digest.body).count("a signé les engagements") == 1


# ---------------------------------------------------------------- bad input, links, limits


def test_a_bad_address_is_refused_in_french_and_kept_in_the_form(client):
    response = client.post(subscribe_url(), {"email": "electrice@exemple"})
    assert response.status_code == 400
    page = text(response)
    assert "Cette adresse de courriel n’est pas valide" in page
    assert 'value="electrice@exemple"' in page
    assert not AlertSubscription.objects.exists()
    assert mail.outbox == []
    response = client.post(subscribe_url(), {"email": ""})
    assert "Indiquez l’adresse de courriel où vous prévenir." in text(response)


def test_the_form_needs_its_csrf_token():
    response = Client(enforce_csrf_checks=True).post(subscribe_url(), {"email": ADDRESS})
    assert response.status_code == 403
    assert not AlertSubscription.objects.exists()


def test_subscribing_twice_tells_nothing_and_keeps_one_row(client):
    subscribed(client)
    response = client.post(subscribe_url(), {"email": "Electrice@EXEMPLE.fr"})
    assert response.status_code == 200
    assert "Si l’adresse Electrice@EXEMPLE.fr ne suit pas déjà" in text(response)
    assert AlertSubscription.objects.count() == 1
    # Already confirmed: no new confirmation courriel.
    assert mail.outbox == []


def test_an_unknown_or_stale_link_says_so_in_french(client):
    response = client.get(reverse("pledges:alerts_confirm", args=["inconnu"]))
    assert response.status_code == 404
    assert "Ce lien de confirmation n’est plus valable" in text(response)
    response = client.post(reverse("pledges:alerts_confirm", args=["inconnu"]))
    assert response.status_code == 404
    assert "Ce lien de confirmation n’est plus valable" in text(response)
    response = client.get(reverse("pledges:alerts_unsubscribe", args=["inconnu"]))
    assert response.status_code == 404
    assert "Aucune inscription ne correspond à ce lien" in text(response)


def test_subscribing_is_rate_limited_per_connection(client):
    for number in range(10):
        assert client.post(subscribe_url(), {"email": f"e{number}@exemple.fr"}).status_code == 200
    response = client.post(subscribe_url(), {"email": "e10@exemple.fr"})
    assert response.status_code == 429
    page = text(response)
    assert "Trop de demandes en peu de temps" in page
    assert 'value="e10@exemple.fr"' in page
    assert AlertSubscription.objects.count() == 10


def test_one_address_is_sent_at_most_three_confirmations_a_day():
    for number in range(3):
        # From other connections: the limit is the address's.
        client = Client(REMOTE_ADDR=f"192.0.2.{number + 1}")
        assert client.post(subscribe_url(), {"email": ADDRESS}).status_code == 200
    assert len(mail.outbox) == 3
    response = Client(REMOTE_ADDR="192.0.2.9").post(subscribe_url(), {"email": ADDRESS})
    assert response.status_code == 429
    assert len(mail.outbox) == 3


def test_pending_subscriptions_are_erased_after_seven_days(client):
    client.post(subscribe_url(), {"email": ADDRESS})
    subscribed(client, email="confirmee@exemple.fr")
    now = timezone.now()
    assert apply_retention(now=now + datetime.timedelta(days=6)).pending_alerts == 0
    counts = apply_retention(now=now + datetime.timedelta(days=8))
    assert counts.pending_alerts == 1
    assert list(AlertSubscription.objects.values_list("email", flat=True)) == [
        "confirmee@exemple.fr"
    ]


# ---------------------------------------------------------------- the feed


def test_the_feed_is_atom_with_the_same_events(client):
    pledge = a_list_signs()
    add_commitment(pledge=pledge, commitment=commitments("3.1")[0])
    unpublished = a_list_signs()
    from pledges.moderation.services import unpublish_pledge
    from tests.factories import a_moderator

    unpublish_pledge(pledge=unpublished, moderator=a_moderator(), reason="Liste non déposée.")
    response = client.get(f"/communes/{SAINT_ETIENNE}/flux.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "public" in response["Cache-Control"]
    assert not response.cookies
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}").text
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links["self"].endswith(f"/communes/{SAINT_ETIENNE}/flux.atom")
    assert links["alternate"].endswith(f"/communes/{SAINT_ETIENNE}/")
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 2
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{required}").text
        datetime.datetime.fromisoformat(entry.find(f"{ATOM}updated").text)
        assert (
            entry.find(f"{ATOM}link").get("href").endswith(f"/listes/{pledge.electoral_list_id}/")
        )
    ids = [entry.find(f"{ATOM}id").text for entry in entries]
    assert len(set(ids)) == 2
    titles = [text(entry.find(f"{ATOM}title").text) for entry in entries]
    name = pledge.electoral_list.name
    assert titles[0].startswith(f"La liste « {name} » a ajouté l’engagement 3.1 :")
    assert titles[1] == f"La liste « {name} » a signé les engagements de Coorace"
    assert unpublished.electoral_list.name not in response.content.decode()
    assert client.get("/communes/99999/flux.atom").status_code == 404


def test_an_empty_feed_is_still_valid_atom(client):
    feed = ET.fromstring(client.get(f"/communes/{SAINT_ETIENNE}/flux.atom").content)
    assert feed.find(f"{ATOM}updated").text
    assert feed.findall(f"{ATOM}entry") == []


# ---------------------------------------------------------------- staff


def test_staff_see_counts_not_addresses(superuser_client):
    subscribed(Client())
    subscribed(Client(), email="autre@exemple.fr")
    Client().post(subscribe_url(), {"email": "en-attente@exemple.fr"})
    response = superuser_client.get(reverse("admin:pledges_signature_dashboard"))
    page = text(response)
    assert "Alertes par courriel" in page
    assert re.search(r"Saint-Étienne \(42218\)</td><td>2</td>", page)
    assert "1 inscription attend sa confirmation" in page
    for address in (ADDRESS, "autre@exemple.fr", "en-attente@exemple.fr"):
        assert address not in page
