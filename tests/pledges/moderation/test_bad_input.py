"""Parameters the moderation queue's page never sends are a message, never a 500: NUL
bytes (refused by PostgreSQL), codes no filter lists, ids that are not ids. Run on SQLite
and on PostgreSQL."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages

from pledges.models import Signature
from tests.pledges.moderation.conftest import CHANGELIST, pledge_in, rows

pytestmark = pytest.mark.django_db

REFUSED = "Ces filtres ou cette recherche ne sont pas valables : voici la liste complète."
BAD_SELECTION = "La sélection n’est pas valable : cochez à nouveau les signatures."


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    "params",
    [
        {"departement": "\x00"},
        {"region": "\x00"},
        {"status__exact": "\x00"},
        {"candidate__role__exact": "\x00"},
        {"attente": "\x00"},
        {"doublon": "\x00"},
        {"q": "\x00"},
        {"q": "a@\x00"},
        {"departement": "42\r\n"},
        {"\x00": "1"},
        {"departement": "zz"},
        {"departement": "99"},
        {"region": "999"},
        {"region": "84", "departement": "75"},  # a département of another région
    ],
    ids=repr,
)
def test_a_hostile_filter_gives_the_full_queue_with_a_message(moderator_client, params):
    pledge = pledge_in("42218")
    response = moderator_client.get(CHANGELIST, params)
    assert response.status_code == 302
    assert response["Location"] == f"{CHANGELIST}?e=1"
    assert messages_of(response) == [REFUSED]
    followed = moderator_client.get(response["Location"])
    assert followed.status_code == 200
    assert rows(followed) == [pledge]


@pytest.mark.parametrize("params", [{"status__exact": "nope"}, {"o": "\x00"}, {"p": "abc"}])
def test_other_odd_parameters_answer_without_a_server_error(moderator_client, params):
    pledge_in("42218")
    assert moderator_client.get(CHANGELIST, params).status_code < 500


def test_a_valid_filter_still_filters(moderator_client):
    loire = pledge_in("42218")
    pledge_in("69123")
    response = moderator_client.get(CHANGELIST, {"region": "84", "departement": "42"})
    assert rows(response) == [loire]
    assert messages_of(response) == []


def test_the_export_with_a_hostile_filter_goes_back_to_the_queue(moderator_client):
    pledge_in("42218")
    export = CHANGELIST + "export/"
    for method in (moderator_client.get, moderator_client.post):
        response = method(f"{export}?departement=%00")  # asked, or confirmed: refused
        assert response.status_code == 302
        assert response["Location"] == CHANGELIST


@pytest.mark.parametrize("ids", [["abc"], [str(2**66)], ["\x00"], ["1.5"], [""], ["-1"]], ids=repr)
@pytest.mark.parametrize("action", ["approve_selected", "reject_selected"])
def test_a_bulk_action_with_hostile_ids_is_a_message(moderator_client, action, ids):
    pledge = pledge_in("42218")
    response = moderator_client.post(
        CHANGELIST, {"action": action, ACTION_CHECKBOX_NAME: [str(pledge.pk), *ids]}
    )
    assert response.status_code == 302
    assert messages_of(response) == [BAD_SELECTION]
    pledge.refresh_from_db()
    assert pledge.status == Signature.Status.PENDING


def test_a_bulk_action_with_real_ids_still_runs(moderator_client):
    pledge = pledge_in("42218")
    response = moderator_client.post(
        CHANGELIST, {"action": "approve_selected", ACTION_CHECKBOX_NAME: [str(pledge.pk)]}
    )
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == Signature.Status.APPROVED
