"""« Mises à jour du suivi » in the admin: the queue, its filters, decisions and scope."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse

from pledges.follow_up.services import approve_update
from pledges.models import AuditEntry, FollowUpStatus, FollowUpUpdate, ModeratorScope
from tests.factories import make_commune, make_moderator
from tests.pledges.follow_up.data import PDF, elected_list, post, signed, upload

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:pledges_followupupdate_changelist")
State = FollowUpUpdate.State


def change_url(update) -> str:
    return reverse("admin:pledges_followupupdate_change", args=[update.pk])


def decide_url(update) -> str:
    return reverse("admin:pledges_followupupdate_decide", args=[update.pk])


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode().replace("\u202f", " ").replace("\u00a0", " ")


def test_the_queue_shows_pending_updates_first_with_filters():
    signature = elected_list()
    decided = post(signature, text="Déjà publiée.")
    approve_update(decided, make_moderator())
    waiting = post(signature, text="En attente.")
    client = logged_in(make_moderator())
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    results = list(response.context["cl"].result_list)
    assert [update.pk for update in results] == [waiting.pk, decided.pk]
    page = text(response)
    assert "Mises à jour du suivi" in page
    for title in ("région", "département", "au nom de", "modération"):
        assert title in page.lower()
    pending = client.get(CHANGELIST, {"state__exact": "pending"}).context["cl"].result_list
    assert [update.pk for update in pending] == [waiting.pk]


def test_approving_in_bulk_publishes_each_and_leaves_decided_ones_alone():
    first, second = elected_list(), elected_list()
    updates = [post(first, status=FollowUpStatus.DONE), post(second)]
    done = post(first, "1.1")
    approve_update(done, make_moderator())
    response = logged_in(make_moderator()).post(
        CHANGELIST,
        {
            "action": "approve_action",
            ACTION_CHECKBOX_NAME: [str(u.pk) for u in [*updates, done]],
        },
        follow=True,
    )
    page = text(response)
    assert "2 mises à jour publiées." in page
    assert "1 mise à jour déjà modérée est laissée telle quelle." in page
    assert set(FollowUpUpdate.objects.values_list("state", flat=True)) == {State.APPROVED}
    assert signed(first, "3.1").follow_up_status == FollowUpStatus.DONE
    assert signed(second, "3.1").follow_up_status == FollowUpStatus.IN_PROGRESS
    assert AuditEntry.objects.filter(action=AuditEntry.Action.FOLLOW_UP_DECIDED).count() == 3


def test_rejecting_in_bulk_asks_for_the_note(mailoutbox):
    signature = elected_list()
    updates = [post(signature), post(signature, "1.1")]
    client = logged_in(make_moderator())
    selection = {"action": "reject_action", ACTION_CHECKBOX_NAME: [str(u.pk) for u in updates]}
    asked = client.post(CHANGELIST, selection)
    assert asked.status_code == 200
    assert "Motif du refus" in text(asked)
    missing = client.post(CHANGELIST, {**selection, "apply": "1", "note": ""})
    assert "Dites pourquoi la mise à jour est refusée" in text(missing)
    assert FollowUpUpdate.objects.filter(state=State.PENDING).count() == 2
    mailoutbox.clear()
    client.post(CHANGELIST, {**selection, "apply": "1", "note": "Aucune source vérifiable."})
    assert set(FollowUpUpdate.objects.values_list("state", flat=True)) == {State.REJECTED}
    assert set(FollowUpUpdate.objects.values_list("decision_note", flat=True)) == {
        "Aucune source vérifiable."
    }
    assert len(mailoutbox) == 2
    assert signed(signature, "3.1").follow_up_status == FollowUpStatus.NOT_STARTED


def test_one_update_is_decided_from_its_page():
    signature = elected_list()
    update = post(signature, status=FollowUpStatus.DONE, document=upload("cr.pdf", PDF))
    client = logged_in(make_moderator())
    page = text(client.get(change_url(update)))
    assert "Publier cette mise à jour" in page and "Refuser cette mise à jour" in page
    document = client.get(reverse("admin:pledges_followupupdate_document", args=[update.pk]))
    assert document["Content-Disposition"].startswith("attachment;")
    refused = client.post(decide_url(update), {"decision": "reject", "note": ""}, follow=True)
    assert "Dites pourquoi" in text(refused)
    client.post(decide_url(update), {"decision": "approve"})
    update.refresh_from_db()
    assert update.state == State.APPROVED
    assert signed(signature, "3.1").follow_up_status == FollowUpStatus.DONE
    again = client.post(decide_url(update), {"decision": "approve"}, follow=True)
    assert "déjà" in text(again)


def test_a_regional_moderator_sees_and_decides_only_their_regions():
    inside = elected_list(commune=make_commune(departement_id="42"))  # Auvergne-Rhône-Alpes
    outside = elected_list()  # Corse-du-Sud
    mine, theirs = post(inside), post(outside)
    moderator = make_moderator()
    ModeratorScope.objects.create(user=moderator).regions.add("84")
    client = logged_in(moderator)
    listed = client.get(CHANGELIST).context["cl"].result_list
    assert [update.pk for update in listed] == [mine.pk]
    assert client.get(change_url(theirs)).status_code == 404
    assert client.post(decide_url(theirs), {"decision": "approve"}).status_code == 404
    client.post(
        CHANGELIST,
        {"action": "approve_action", ACTION_CHECKBOX_NAME: [str(mine.pk), str(theirs.pk)]},
    )
    assert FollowUpUpdate.objects.get(pk=mine.pk).state == State.APPROVED
    assert FollowUpUpdate.objects.get(pk=theirs.pk).state == State.PENDING
    entry = AuditEntry.objects.get(action=AuditEntry.Action.FOLLOW_UP_DECIDED)
    assert entry.scope == "Auvergne-Rhône-Alpes"


def test_staff_without_the_moderation_permission_see_nothing():
    signature = elected_list()
    update = post(signature)
    client = logged_in(make_moderator(group=""))
    assert client.get(CHANGELIST).status_code == 403
    assert client.post(decide_url(update), {"decision": "approve"}).status_code == 403
    assert FollowUpUpdate.objects.get().state == State.PENDING
