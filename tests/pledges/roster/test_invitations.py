"""Invitations and refusals of official lists, recorded by staff in the admin: one list or a
whole filtered set marked invited through an intermediate page, a refusal with its reason,
the letter e-mailed from the list's page, and who may do any of it."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from communes.models import Commune
from pledges.models import AuditEntry, ListDecline, ListInvitation
from pledges.roster.invitations import mark_invited, record_decline
from tests.factories import (
    approve,
    make_candidate,
    make_moderator,
    make_official_list,
    make_pledge,
    make_user,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:candidates_officiallist_changelist")


@pytest.fixture
def moderator_client(client):
    moderator = make_moderator(first_name="Nadia", last_name="Benali")
    client.force_login(moderator)
    client.user = moderator
    return client


def commune(code: str) -> Commune:
    return Commune.objects.get(insee_code=code)


def plain(text: str) -> str:
    """The text with plain spaces where French typography (config.typography) sets no-break
    ones."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def page(response) -> str:
    return plain(response.content.decode())


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def today() -> str:
    return timezone.localdate().isoformat()


# ---------------------------------------------------------------- marking lists invited


def test_a_moderator_marks_one_list_invited_after_an_intermediate_page(moderator_client):
    official_list = make_official_list(
        commune("42218"), name="Saint-Étienne demain", head=("Léa", "Dupré")
    )
    other = make_official_list(commune("42218"), name="Agir pour Saint-Étienne")
    choose = {"action": "mark_invited_action", "_selected_action": [official_list.pk]}
    response = moderator_client.post(CHANGELIST, choose)
    assert response.status_code == 200
    content = page(response)
    assert "Ces listes seront marquées comme invitées à signer" in content
    assert "« Saint-Étienne demain » — Saint-Étienne" in content
    assert "Agir pour Saint-Étienne" not in content
    assert not ListInvitation.objects.exists()  # nothing until the form is sent
    response = moderator_client.post(
        CHANGELIST,
        {**choose, "apply": "1", "at": today(), "channel": "hand", "note": "À la permanence"},
        follow=True,
    )
    invitation = ListInvitation.objects.get()
    assert invitation.official_list == official_list
    assert invitation.invited_by == moderator_client.user
    assert (invitation.channel, invitation.note) == ("hand", "À la permanence")
    assert invitation.at == timezone.localdate()
    assert not other.invitations.exists()
    assert any("1 liste marquée comme invitée le" in m for m in messages_of(response))
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LIST_INVITED)
    assert entry.actor == moderator_client.user
    assert entry.changes["official_list"] == official_list.pk
    assert entry.pledge is None and entry.pledge_pseudonym == f"liste-officielle-{official_list.pk}"
    # The list's answer in the changelist says so.
    assert "invitée le" in page(moderator_client.get(CHANGELIST, {"q": "saint-etienne demain"}))


def test_a_filtered_set_is_marked_invited_in_one_go(moderator_client):
    in_loire = [
        make_official_list(commune("42218"), name=f"Liste de la Loire {n}") for n in range(3)
    ]
    elsewhere = make_official_list(commune("69123"), name="Liste du Rhône")
    filtered = f"{CHANGELIST}?departement=42"
    selection = {
        "action": "mark_invited_action",
        "select_across": "1",
        "_selected_action": [in_loire[0].pk],
    }
    response = moderator_client.post(filtered, selection)
    content = page(response)
    assert "3 listes" in content and "(toutes celles du filtre choisi)" in content
    assert 'name="select_across" value="1"' in content
    response = moderator_client.post(
        filtered, {**selection, "apply": "1", "at": today(), "channel": "letter"}, follow=True
    )
    assert set(ListInvitation.objects.values_list("official_list", flat=True)) == {
        official_list.pk for official_list in in_loire
    }
    assert not elsewhere.invitations.exists()
    assert any("3 listes marquées comme invitées le" in m for m in messages_of(response))
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LIST_INVITED).count() == 3
    # The answer filter finds them, and the other list has no answer yet.
    response = moderator_client.get(CHANGELIST, {"reponse": "invited"})
    assert {row.pk for row in response.context["cl"].result_list} == {
        official_list.pk for official_list in in_loire
    }
    response = moderator_client.get(CHANGELIST, {"reponse": "no_answer"})
    assert [row.pk for row in response.context["cl"].result_list] == [elsewhere.pk]


def test_a_date_in_the_future_or_missing_is_refused_in_french_and_nothing_recorded(
    moderator_client,
):
    official_list = make_official_list(commune("42218"))
    data = {
        "action": "mark_invited_action",
        "_selected_action": [official_list.pk],
        "apply": "1",
        "channel": "letter",
    }
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = moderator_client.post(CHANGELIST, {**data, "at": tomorrow})
    assert response.status_code == 200
    assert "Une invitation ne peut pas être datée du futur." in page(response)
    response = moderator_client.post(CHANGELIST, {**data, "at": "31/02/2020"})
    assert "Saisissez une date valide." in page(response)
    response = moderator_client.post(CHANGELIST, {**data, "at": today(), "channel": "pigeon"})
    assert "Sélectionnez un choix valide" in page(response)
    assert not ListInvitation.objects.exists()


def test_the_signed_answer_of_a_list_shows_in_the_changelist(moderator_client):
    saint_etienne = commune("42218")
    official_list = make_official_list(saint_etienne, name="Unis pour Saint-Étienne")
    pledge = approve(make_pledge(make_candidate(list_name="Unis pour Saint-Étienne")))
    pledge.electoral_list.official_list = official_list
    pledge.electoral_list.save(update_fields=["official_list"])
    response = moderator_client.get(CHANGELIST, {"reponse": "signed"})
    assert [row.pk for row in response.context["cl"].result_list] == [official_list.pk]
    assert "a signé le" in page(response)


def test_lists_are_searched_by_commune_name_or_head(moderator_client):
    first = make_official_list(commune("42218"), name="Demain ensemble", head=("Éloïse", "Lefèvre"))
    second = make_official_list(commune("69123"), name="Lyon en commun", head=("Marc", "Petit"))

    def found(q):
        response = moderator_client.get(CHANGELIST, {"q": q})
        return {row.pk for row in response.context["cl"].result_list}

    assert found("saint etienne") == {first.pk}
    assert found("Demain ensemble") == {first.pk}
    assert found("LEFEVRE") == {first.pk}
    assert found("lyon en commun") == {second.pk}
    assert found("69123") == {second.pk}
    assert found("«»") == set()


# ---------------------------------------------------------------- refusals


def test_a_refusal_is_recorded_with_its_reason_on_the_lists_behalf(moderator_client):
    official_list = make_official_list(commune("42218"), name="Saint-Étienne autrement")
    choose = {"action": "record_decline_action", "_selected_action": [official_list.pk]}
    response = moderator_client.post(CHANGELIST, choose)
    assert "Cette liste a répondu qu’elle ne signera pas" in page(response)
    response = moderator_client.post(
        CHANGELIST,
        {
            **choose,
            "apply": "1",
            "at": today(),
            "reason": "Nous ne signons aucune charte.",
            "publish_reason": "on",
        },
        follow=True,
    )
    decline = ListDecline.objects.get()
    assert decline.official_list == official_list
    assert decline.recorded_by == moderator_client.user
    assert decline.reason == "Nous ne signons aucune charte." and decline.publish_reason
    assert any("Le refus de la liste « Saint-Étienne autrement » est enregistré." in m
               for m in messages_of(response))  # fmt: skip
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LIST_DECLINED).count() == 1
    response = moderator_client.get(CHANGELIST, {"reponse": "declined"})
    assert [row.pk for row in response.context["cl"].result_list] == [official_list.pk]
    assert "a décliné le" in page(response)
    # A second refusal of the same list is refused, in French.
    response = moderator_client.post(
        CHANGELIST, {**choose, "apply": "1", "at": today(), "reason": ""}
    )
    assert "Le refus de la liste « Saint-Étienne autrement » est déjà enregistré." in page(response)
    assert ListDecline.objects.count() == 1


def test_a_refusal_is_for_one_list_and_a_reason_to_publish_must_be_written(moderator_client):
    first = make_official_list(commune("42218"))
    second = make_official_list(commune("42218"))
    response = moderator_client.post(
        CHANGELIST,
        {"action": "record_decline_action", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )
    assert "Un refus s’enregistre liste par liste : cochez une seule liste." in messages_of(
        response
    )
    response = moderator_client.post(
        CHANGELIST,
        {
            "action": "record_decline_action",
            "_selected_action": [first.pk],
            "apply": "1",
            "at": today(),
            "reason": "  ",
            "publish_reason": "on",
        },
    )
    assert "Pour publier la raison du refus, écrivez-la : elle est vide." in page(response)
    assert not ListDecline.objects.exists()


def test_a_list_that_signed_cannot_be_recorded_as_declining():
    official_list = make_official_list(commune("42218"), name="Unis pour Saint-Étienne")
    pledge = make_pledge(make_candidate(list_name="Unis pour Saint-Étienne"))
    pledge.electoral_list.official_list = official_list
    pledge.electoral_list.save(update_fields=["official_list"])
    with pytest.raises(ValidationError, match="a signé sur le site"):
        record_decline(
            official_list=official_list, moderator=make_moderator(), at=timezone.localdate()
        )


# ---------------------------------------------------------------- the letter by e-mail


def test_the_letter_is_emailed_from_the_lists_page_and_recorded(moderator_client, mailoutbox):
    official_list = make_official_list(commune("42218"), name="Saint-Étienne demain")
    change = reverse("admin:candidates_officiallist_change", args=[official_list.pk])
    content = page(moderator_client.get(change))
    assert "Envoyer la lettre par courriel" in content
    assert f"/l/{official_list.invitation_code}/" in content
    send = reverse("admin:candidates_officiallist_email_letter", args=[official_list.pk])
    response = moderator_client.post(send, {"email": "pas-une-adresse"}, follow=True)
    assert "Cette adresse électronique n’est pas valide." in messages_of(response)
    assert not ListInvitation.objects.exists() and not mailoutbox
    response = moderator_client.post(send, {"email": "liste@exemple.test"}, follow=True)
    assert response.redirect_chain[-1][0] == change
    invitation = ListInvitation.objects.get()
    assert (invitation.channel, invitation.email) == ("email", "liste@exemple.test")
    assert invitation.invited_by == moderator_client.user
    (message,) = mailoutbox
    assert message.to == ["liste@exemple.test"]
    assert "« Saint-Étienne demain »" in plain(message.subject)
    assert f"/l/{official_list.invitation_code}/" in message.body
    ((filename, data, mimetype),) = message.attachments
    assert mimetype == "application/pdf" and data.startswith(b"%PDF")
    assert filename == f"invitation-coorace-{official_list.invitation_code}.pdf"
    assert "le " in page(moderator_client.get(change)) and "liste@exemple.test" in page(
        moderator_client.get(change)
    )


# ---------------------------------------------------------------- who may


def test_the_moderation_group_sees_the_lists_and_others_do_not(client):
    official_list = make_official_list(commune("42218"))
    change = reverse("admin:candidates_officiallist_change", args=[official_list.pk])
    letter = reverse("admin:candidates_officiallist_letter", args=[official_list.pk])
    choose = {
        "action": "mark_invited_action",
        "_selected_action": [official_list.pk],
        "apply": "1",
        "at": today(),
        "channel": "letter",
    }
    # Anonymous: the admin's login page.
    assert client.get(CHANGELIST)["Location"].startswith(reverse("admin:login"))
    assert client.post(CHANGELIST, choose)["Location"].startswith(reverse("admin:login"))
    # Staff outside « Modération »: refused.
    client.force_login(make_moderator(group=""))
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(change).status_code == 403
    assert client.get(letter).status_code == 403
    assert client.post(CHANGELIST, choose).status_code == 403
    # A candidate's account: not staff, sent to the admin's login.
    client.force_login(make_user())
    assert client.get(CHANGELIST)["Location"].startswith(reverse("admin:login"))
    assert not ListInvitation.objects.exists()
    # « Modération »: yes.
    client.force_login(make_moderator())
    assert client.get(CHANGELIST).status_code == 200
    assert client.get(change).status_code == 200
    assert client.post(CHANGELIST, choose).status_code == 302
    assert ListInvitation.objects.count() == 1


def test_the_services_refuse_anyone_outside_moderation():
    official_list = make_official_list(commune("42218"))
    outsider = make_moderator(group="")
    with pytest.raises(PermissionDenied):
        mark_invited(
            official_lists=[official_list],
            moderator=outsider,
            at=timezone.localdate(),
            channel="letter",
        )
    with pytest.raises(PermissionDenied):
        record_decline(official_list=official_list, moderator=outsider, at=timezone.localdate())
    assert (
        Group.objects.get(name="Modération").permissions.filter(codename="moderate_pledge").exists()
    )


def test_marking_no_list_is_refused():
    with pytest.raises(ValidationError, match="au moins une liste"):
        mark_invited(
            official_lists=[], moderator=make_moderator(), at=timezone.localdate(), channel="email"
        )


# ---------------------------------------------------------------- bad input, query counts


@pytest.mark.parametrize(
    "action", ["mark_invited_action", "record_decline_action", "print_letters_action"]
)
def test_a_forged_selection_is_said_in_french_not_a_server_error(moderator_client, action):
    make_official_list(commune("42218"))
    response = moderator_client.post(
        CHANGELIST, {"action": action, "_selected_action": ["abc", "\x00"]}, follow=True
    )
    assert response.status_code == 200
    assert "La sélection envoyée n’est pas valable : cochez à nouveau les listes." in (
        messages_of(response)
    )
    assert not ListInvitation.objects.exists() and not ListDecline.objects.exists()


@pytest.mark.parametrize("q", ["\x00", "a\x00b", "%", "_", "«»"])
def test_a_hostile_search_or_filter_is_no_server_error(moderator_client, q):
    make_official_list(commune("42218"))
    assert moderator_client.get(CHANGELIST, {"q": q}).status_code == 200
    assert moderator_client.get(CHANGELIST, {"reponse": q}).status_code == 200
    assert moderator_client.get(CHANGELIST, {"departement": q}).status_code == 302
    assert moderator_client.get(CHANGELIST, {"tour": q}).status_code == 302


def test_the_changelist_reads_the_same_queries_for_2_or_8_lists(moderator_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert moderator_client.get(CHANGELIST).status_code == 200
        return len(context.captured_queries)

    lists = [make_official_list(commune("42218"), name=f"Liste {n}") for n in range(2)]
    mark_invited(
        official_lists=lists[:1],
        moderator=moderator_client.user,
        at=timezone.localdate(),
        channel="letter",
    )
    with_two = queries()
    more = [make_official_list(commune("69123"), name=f"Autre {n}") for n in range(6)]
    record_decline(official_list=more[0], moderator=moderator_client.user, at=timezone.localdate())
    assert queries() == with_two


def test_the_letter_leaves_from_a_job_not_from_the_request(moderator_client, database_tasks):
    from django.core import mail
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from tests.jobs import run_worker

    official_list = make_official_list(commune("42218"), name="Saint-Étienne demain")
    send = reverse("admin:candidates_officiallist_email_letter", args=[official_list.pk])
    moderator_client.post(send, {"email": "liste@exemple.test"})
    assert not mail.outbox  # the request neither renders nor sends the letter
    job = DBTaskResult.objects.get()
    assert job.task_path == "pledges.roster.emails.deliver_invitation_letter"
    run_worker()
    job.refresh_from_db()
    assert job.status == TaskResultStatus.SUCCESSFUL
    (message,) = mail.outbox
    assert message.to == ["liste@exemple.test"]
    assert message.attachments[0][2] == "application/pdf"
