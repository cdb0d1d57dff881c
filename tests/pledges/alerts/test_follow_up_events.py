"""The voters' alerts and the Atom feed tell of an approved update of the follow-up
(pledges.alerts.events reading pledges.follow_up), never of a pending one."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from pledges.follow_up.services import approve_update
from pledges.models import FollowUpStatus
from tests.factories import make_moderator
from tests.pledges.follow_up.data import elected_list, post

pytestmark = pytest.mark.django_db


def feed(commune) -> str:
    response = Client().get(reverse("pledges:commune_feed", args=[commune.insee_code]))
    return response.content.decode().replace("\u202f", " ").replace("\u00a0", " ")


def test_the_feed_shows_an_update_once_approved_and_links_the_follow_up():
    signature = elected_list()
    commune = signature.candidate.commune
    update = post(signature, status=FollowUpStatus.DONE)
    assert "suivi publié" not in feed(commune)
    approve_update(update, make_moderator())
    page = feed(commune)
    name = signature.electoral_list.name
    assert f"La liste « {name} » : l’engagement 3.1 est « réalisé » (suivi publié)" in page
    assert f"/suivi/signatures/{signature.pk}/#mise-a-jour-{update.pk}" in page


def test_the_digest_tells_subscribers_of_an_approved_update():
    signature = elected_list()
    commune = signature.candidate.commune
    client = Client()
    client.post(
        reverse("pledges:alerts_subscribe", args=[commune.insee_code]), {"email": "e@exemple.fr"}
    )
    (confirmation,) = [m for m in mail.outbox if m.to == ["e@exemple.fr"]]
    token = confirmation.body.split("/alertes/confirmer/")[1].split("/")[0]
    client.post(reverse("pledges:alerts_confirm", args=[token]))
    update = post(signature)
    mail.outbox.clear()
    call_command("send_alerts")
    assert mail.outbox == []  # pending: nothing to tell
    approve_update(update, make_moderator())
    mail.outbox.clear()
    call_command("send_alerts")
    (digest,) = mail.outbox
    assert digest.to == ["e@exemple.fr"]
    assert "l’engagement 3.1 est « en cours » (suivi publié)" in digest.body.replace("\u202f", " ")
