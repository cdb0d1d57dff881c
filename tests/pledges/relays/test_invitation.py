"""A relay's account: staff create the relay in the admin and « Inviter » e-mails its contact
(a job), whose link opens the account through allauth's sign-up — or attaches an account
the contact already has — once; audited. A relay account lands on « Espace relais »."""

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from communes.models import Commune
from pledges.models import AuditEntry, Relay
from tests.factories import PASSWORD, make_candidate, make_moderator, make_user
from tests.jobs import run_worker
from tests.pledges.relays.conftest import make_relay, page, plain

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:pledges_relay_changelist")
SPACE = reverse("pledges:relay_space")


def invite(client, *relays):
    return client.post(
        CHANGELIST,
        {"action": "invite_action", ACTION_CHECKBOX_NAME: [str(r.pk) for r in relays]},
        follow=True,
    )


def link_in(message) -> str:
    (url,) = [word for word in message.body.split() if "/relais/invitation/" in word]
    return url.removeprefix("http://127.0.0.1:8000")


def test_staff_create_a_relay_with_its_territory_and_contact(superuser_client):
    response = superuser_client.post(
        reverse("admin:pledges_relay_add"),
        {
            "name": "Coorace Auvergne-Rhône-Alpes",
            "is_active": "on",
            "regions": ["84"],
            "departements": ["75"],
            "communes": [str(Commune.objects.get(insee_code="13055").pk)],
            "contact_name": "Martine Roux",
            "contact_email": "martine@coorace-aura.test",
            "contact_phone": "04 77 00 00 00",
        },
    )
    assert response.status_code == 302, page(response)
    relay = Relay.objects.get()
    assert relay.created_at is not None
    assert list(relay.regions.values_list("code", flat=True)) == ["84"]
    assert list(relay.departements.values_list("code", flat=True)) == ["75"]
    assert list(relay.communes.values_list("insee_code", flat=True)) == ["13055"]
    # The communes are picked by autocomplete, not a select of 35,000 options.
    content = page(superuser_client.get(reverse("admin:pledges_relay_change", args=[relay.pk])))
    assert "admin-autocomplete" in content
    assert content.count("<option") < 200


def test_inviting_e_mails_the_contact_a_link_from_a_job_and_is_audited(superuser_client):
    relay = make_relay()
    response = invite(superuser_client, relay)
    assert "Invitation envoyée au contact de 1 relais : Coorace Loire." in page(response)
    (message,) = mail.outbox
    assert message.to == ["contact@relais-loire.test"]
    assert "Ouvrez l’espace du relais « Coorace Loire »" in plain(message.subject)
    relay.refresh_from_db()
    assert relay.invited_at is not None
    assert link_in(message) == reverse("pledges:relay_invitation", args=[relay.invitation_token])
    entry = AuditEntry.objects.get(action=AuditEntry.Action.RELAY_INVITED)
    assert entry.actor.username == "admin"
    assert entry.changes["relay"] == relay.pk
    assert entry.changes["email"] == "contact@relais-loire.test"
    assert entry.pledge is None and entry.pledge_pseudonym == f"relais-{relay.pk}"


def test_a_second_invitation_replaces_the_first_link(superuser_client):
    relay = make_relay()
    invite(superuser_client, relay)
    invite(superuser_client, relay)
    first, second = (link_in(m) for m in mail.outbox)
    assert first != second
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200


def test_an_inactive_relay_is_not_invited(superuser_client):
    relay = make_relay(is_active=False)
    response = invite(superuser_client, relay)
    assert "n’est pas actif : activez-le avant de l’inviter" in page(response)
    assert mail.outbox == []
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.RELAY_INVITED).exists()


def test_moderators_see_relays_read_only_and_cannot_invite(client):
    relay = make_relay()
    client.force_login(make_moderator())
    assert client.get(CHANGELIST).status_code == 200
    content = page(client.get(reverse("admin:pledges_relay_change", args=[relay.pk])))
    assert "Coorace Loire" in content and 'name="name"' not in content
    assert client.get(reverse("admin:pledges_relay_add")).status_code == 403
    assert "invite_action" not in page(client.get(CHANGELIST))
    invite(client, relay)
    assert mail.outbox == []


def test_the_invitation_leaves_only_from_the_job_runner(superuser_client, database_tasks):
    relay = make_relay()
    invite(superuser_client, relay)
    assert mail.outbox == []  # queued, not sent by the request
    assert DBTaskResult.objects.count() == 1
    run_worker("relais")
    (message,) = mail.outbox
    assert message.to == [relay.contact_email]


# ---------------------------------------------------------------- opening the account


def invitation_path(relay) -> str:
    relay.refresh_from_db()
    return reverse("pledges:relay_invitation", args=[relay.invitation_token])


def test_the_contact_signs_up_through_the_link_and_lands_in_the_space(client):
    relay = make_relay()
    path = invitation_path(relay)
    content = page(client.get(path))
    assert "Ouvrir l’espace du relais « Coorace Loire »" in content
    assert "Créer le compte du relais" in content
    data = {"email": "martine@relais.test", "password1": PASSWORD, "password2": PASSWORD}
    client.post(f"{reverse('account_signup')}?next={path}", {**data, "next": path})
    address = EmailAddress.objects.get(email="martine@relais.test")
    response = client.post(
        reverse("account_confirm_email", args=[EmailConfirmationHMAC(address).key])
    )
    assert response["Location"] == path
    content = page(client.get(path))
    assert "Vous êtes connecté·e avec l’adresse martine@relais.test" in content
    response = client.post(path)
    assert response["Location"] == SPACE
    relay.refresh_from_db()
    assert list(relay.accounts.all()) == [address.user]
    assert relay.accepted_at is not None
    assert "Bienvenue dans l’espace du relais « Coorace Loire »" in page(client.get(SPACE))
    # The link is spent: it opens no second account.
    assert Client().get(path).status_code == 404
    assert "n’est plus valable" in page(Client().get(path))


def test_an_existing_account_is_attached_once_logged_in(client):
    relay = make_relay()
    user = make_user("martine@relais.test")
    client.force_login(user)
    response = client.post(invitation_path(relay))
    assert response["Location"] == SPACE
    assert relay.accounts.get() == user


def test_a_relay_account_logging_in_lands_on_its_space(client):
    relay = make_relay()
    user = make_user("martine@relais.test")
    relay.accounts.add(user)
    response = client.post(
        reverse("account_login"), {"login": "martine@relais.test", "password": PASSWORD}
    )
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response["Location"] == SPACE
    # The candidate's pages send it there too: a relay account does not sign.
    for name in ["pledges:space", "pledges:profile", "pledges:sign"]:
        assert client.get(reverse(name))["Location"] == SPACE
    assert "Espace relais" in page(client.get(SPACE))


@pytest.mark.parametrize("kind", ["candidate", "staff"])
def test_a_candidate_or_staff_account_is_not_made_a_relay(client, kind):
    relay = make_relay()
    if kind == "candidate":
        user = make_candidate().user
    else:
        user = make_moderator()
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    client.force_login(user)
    path = invitation_path(relay)
    response = client.post(path)
    assert response.status_code == 200
    assert "un relais a son propre compte" in page(response) or "compte de l’équipe" in page(
        response
    )
    assert not relay.accounts.exists()
    assert relay.accepted_at is None


def test_an_account_serves_one_relay(client):
    first = make_relay(name="Premier relais")
    second = make_relay(name="Second relais")
    user = make_user("martine@relais.test")
    first.accounts.add(user)
    client.force_login(user)
    response = client.post(invitation_path(second))
    assert "Ce compte est déjà celui du relais « Premier relais »" in page(response)
    assert not second.accounts.exists()


def test_an_unverified_address_must_be_confirmed_first(client):
    relay = make_relay()
    client.force_login(make_user("martine@relais.test", verified=False))
    assert client.post(invitation_path(relay)).status_code == 403
    assert not relay.accounts.exists()


@pytest.mark.parametrize("token", ["inconnu", "x" * 60])
def test_an_unknown_token_is_a_french_404(client, token):
    response = client.get(f"/relais/invitation/{token}/")
    assert response.status_code == 404
    assert "Ce lien d’invitation n’est plus valable" in page(response)
