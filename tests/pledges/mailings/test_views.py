"""The unsubscribe page of campaign messages: a signed link (the account's id, never its
address), a button, RFC 8058's one-click; transactional courriels ignore the unsubscribe."""

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from pledges.mailings.services import is_opted_out, opt_out, unsubscribe_token
from pledges.models import EmailOptOut
from tests.factories import make_candidate, make_pledge, make_user
from tests.pledges.test_unsubscribe import assert_no_address

pytestmark = pytest.mark.django_db
EMAIL = "Camille.Martin@exemple.test"  # the domain as Django stores it


def url(token: str) -> str:
    return reverse("pledges:mailing_unsubscribe", args=[token])


@pytest.fixture
def user():
    return make_user(EMAIL)


@pytest.fixture
def token(user):
    return unsubscribe_token(user.pk)


def text(response) -> str:
    return response.content.decode().replace("\u202f", " ").replace("\u00a0", " ")


def test_the_token_carries_the_account_id_not_the_address(user, token):
    assert_no_address(url(token), EMAIL)
    assert signing.loads(token, salt="pledges.mailings.unsubscribe") == {"u": user.pk}


def test_the_link_opens_a_page_with_a_button_and_changes_nothing(client, token):
    response = client.get(url(token))
    assert response.status_code == 200
    page = text(response)
    assert f"Ne plus recevoir à {EMAIL} les messages" in page
    assert "Me désinscrire" in page
    assert "no-store" in response["Cache-Control"]
    assert not EmailOptOut.objects.exists()


def test_the_button_records_the_unsubscribe_once_whatever_the_case(client, token):
    response = client.post(url(token))
    assert response.status_code == 200
    assert "l’équipe Coorace n’enverra plus de message de campagne" in text(response)
    client.post(url(token))  # a second click
    opt_out(email=EMAIL.lower())  # the same address in another case
    (opt_out_row,) = EmailOptOut.objects.all()
    assert opt_out_row.kind == EmailOptOut.Kind.CAMPAIGN and opt_out_row.email == EMAIL
    assert is_opted_out("camille.martin@exemple.test")
    assert "déjà désinscrite" in text(client.get(url(token)))


def test_the_account_s_current_address_is_the_one_unsubscribed(client, user, token):
    user.email = "camille.nouvelle@exemple.test"
    user.save()
    assert "Ne plus recevoir à camille.nouvelle@exemple.test" in text(client.get(url(token)))
    client.post(url(token))
    (opt_out_row,) = EmailOptOut.objects.all()
    assert opt_out_row.email == "camille.nouvelle@exemple.test"


def test_an_erased_account_s_link_is_no_longer_valid(client, user, token):
    from pledges.signing.account import delete_account

    delete_account(user=user)
    for response in (client.get(url(token)), client.post(url(token))):
        assert response.status_code == 404
        assert "Ce lien de désinscription n’est pas valable" in text(response)
    assert not EmailOptOut.objects.exists()


def test_one_click_needs_no_csrf_token(token):
    response = Client(enforce_csrf_checks=True).post(
        url(token),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert is_opted_out(EMAIL)


@pytest.mark.parametrize(
    "make_token",
    [
        lambda pk: "n-importe-quoi",
        lambda pk: unsubscribe_token(pk)[:-2] + "xx",  # tampered with
        lambda pk: signing.dumps({"u": pk}, salt="pledges.reminders.unsubscribe"),  # reminders
        lambda pk: signing.dumps({"u": pk}),  # no salt
        lambda pk: signing.dumps({"u": str(pk)}, salt="pledges.mailings.unsubscribe"),
        lambda pk: signing.dumps(EMAIL, salt="pledges.mailings.unsubscribe"),  # the old kind
    ],
)
def test_a_link_not_made_by_the_site_is_refused(client, user, make_token):
    token = make_token(user.pk)
    for response in (client.get(url(token)), client.post(url(token))):
        assert response.status_code == 404
        assert "Ce lien de désinscription n’est pas valable" in text(response)
    assert not EmailOptOut.objects.exists()


def test_transactional_courriels_ignore_the_unsubscribe():
    opt_out(email="sacha@exemple.test")
    mail.outbox = []
    make_pledge(make_candidate(make_user("sacha@exemple.test")))
    assert ["sacha@exemple.test"] in [message.to for message in mail.outbox]  # the receipt


def test_the_privacy_page_says_what_campaign_messages_are_and_how_to_stop_them(client):
    page = " ".join(text(client.get(reverse("pledges:privacy"))).split())
    assert "Messages de campagne" in page
    assert "Chaque message porte un lien « Ne plus recevoir les messages de campagne »" in page
