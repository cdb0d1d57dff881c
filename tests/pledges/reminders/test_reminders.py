"""The reminders to elected signatories, end to end: manage.py send_follow_up_reminders at
frozen dates, the job runner, Django's locmem outbox, the log and the unsubscribe."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import resolve, reverse

from candidates.models import ListOutcome
from pledges.models import EmailOptOut, FollowUpReminder, FollowUpStatus, Signature
from pledges.reminders.services import unsubscribe_token
from tests.factories import make_pledge
from tests.pledges.outcomes.factories import make_elected_list
from tests.pledges.reminders.helpers import (
    MID_TERM,
    ONE_YEAR,
    TOOK_OFFICE,
    at,
    elected_candidate,
    elected_list,
    freeze,
    html_of,
    run_command,
    text,
)
from tests.pledges.test_unsubscribe import assert_no_address

pytestmark = pytest.mark.django_db

Kind = FollowUpReminder.Kind
DAY = datetime.timedelta(days=1)
ONE_YEAR_SUBJECT = "Un an après votre prise de fonctions : où en sont vos engagements ?"
MID_TERM_SUBJECT = "Mi-mandat : où en sont vos engagements ?"


def reminders():
    """The reminders in the outbox (not the staff digest the moderators get too)."""
    subjects = (ONE_YEAR_SUBJECT, MID_TERM_SUBJECT)
    return [message for message in mail.outbox if text(message.subject) in subjects]


def sent_to(address):
    return [message for message in reminders() if message.to == [address]]


def link(body: str, path_start: str) -> str:
    return re.search(rf"https?://\S+{re.escape(path_start)}\S*", body).group(0)


def test_nothing_before_the_date_then_sent_on_the_date(monkeypatch):
    pledge = elected_list(codes=("1.1", "3.1"))
    address = pledge.candidate.user.email
    mail.outbox.clear()

    freeze(monkeypatch, at(ONE_YEAR - DAY, hour=23))
    assert "Rappels de suivi mis en file : 0" in run_command()
    assert reminders() == []
    assert not FollowUpReminder.objects.exists()

    freeze(monkeypatch, at(ONE_YEAR))
    assert "Rappels de suivi mis en file : 1" in run_command()
    (message,) = sent_to(address)
    assert text(message.subject) == ONE_YEAR_SUBJECT
    body = text(message.body)
    assert f"Bonjour {pledge.candidate.first_name}," in body
    assert (
        "Voici un an que vous avez pris vos fonctions au conseil municipal de "
        f"{pledge.candidate.commune.name}, le 25 mai 2020." in body
    )
    assert f"votre liste « {pledge.electoral_list.name} » a signé" in body
    assert "Les 2 engagements signés et leur suivi aujourd’hui :" in body
    assert "- 1.1 " in body and "- 3.1 " in body
    assert body.count("Suivi : pas encore commencé") == 2
    assert link(body, "/mon-espace/suivi/") in html_of(message)
    (reminder,) = FollowUpReminder.objects.all()
    assert (reminder.signature_id, reminder.kind, reminder.email) == (
        pledge.pk,
        Kind.ONE_YEAR,
        address,
    )
    assert reminder.due_on == ONE_YEAR
    assert reminder.sent_at == at(ONE_YEAR)


def test_the_current_status_of_each_commitment_is_listed(monkeypatch):
    pledge = elected_list(codes=("1.1", "3.1"))
    signed = pledge.signed_commitments.get(commitment__proposal__number=3)
    signed.follow_up_status = FollowUpStatus.IN_PROGRESS
    signed.follow_up_at = at(datetime.date(2021, 2, 1))
    signed.save(update_fields=["follow_up_status", "follow_up_at"])
    freeze(monkeypatch, at(ONE_YEAR))
    run_command()
    body = text(reminders()[-1].body)
    assert "Suivi : en cours (depuis le 1er février 2021)" in body
    assert "Suivi : pas encore commencé" in body


def test_each_kind_is_sent_once_then_mid_term_in_2023(monkeypatch):
    pledge = elected_list()
    address = pledge.candidate.user.email
    for day in (ONE_YEAR, ONE_YEAR, ONE_YEAR + DAY, ONE_YEAR + 30 * DAY):
        freeze(monkeypatch, at(day))
        run_command()
    assert len(sent_to(address)) == 1
    freeze(monkeypatch, at(MID_TERM - DAY))
    run_command()
    assert len(sent_to(address)) == 1
    freeze(monkeypatch, at(MID_TERM))
    assert "Rappels de suivi mis en file : 1" in run_command()
    run_command()
    _first, second = sent_to(address)
    assert text(second.subject) == MID_TERM_SUBJECT
    assert "Voici la moitié du mandat" in text(second.body)
    assert sorted(
        FollowUpReminder.objects.filter(signature=pledge).values_list("kind", flat=True)
    ) == sorted([Kind.ONE_YEAR, Kind.MID_TERM])


def test_a_job_enqueued_twice_sends_once(monkeypatch):
    from pledges.reminders.tasks import send_reminder

    pledge = elected_list()
    freeze(monkeypatch, at(ONE_YEAR))
    mail.outbox.clear()
    results = [send_reminder.call(pledge.pk, Kind.ONE_YEAR, ONE_YEAR.isoformat()) for _ in range(2)]
    assert results[0] == "sent"
    assert results[1].startswith("not due")
    assert len(reminders()) == 1


def test_too_late_is_never(monkeypatch):
    on_time, late = elected_list(), elected_list()
    freeze(monkeypatch, at(ONE_YEAR + 60 * DAY))
    late.candidate.elected_councillor.__class__.objects.filter(
        pk=late.candidate.elected_councillor_id
    ).update(mandate_start=TOOK_OFFICE - DAY)
    mail.outbox.clear()
    run_command()
    assert [message.to for message in reminders()] == [[on_time.candidate.user.email]]


def test_an_elected_individual_candidate_is_reminded_at_their_address(monkeypatch):
    pledge = elected_candidate()
    freeze(monkeypatch, at(ONE_YEAR))
    mail.outbox.clear()
    run_command()
    (message,) = reminders()
    assert message.to == [pledge.candidate.user.email]
    assert "vous avez signé les engagements" in text(message.body)


def test_not_for_the_non_elected(monkeypatch):
    beaten = make_elected_list(outcome=ListOutcome.NOT_ELECTED)
    pending = make_elected_list(status=Signature.Status.PENDING)
    pending.candidate.elected_councillor.__class__.objects.update(mandate_start=TOOK_OFFICE)
    make_pledge(status=Signature.Status.APPROVED)  # a signatory the vote knows nothing of
    assert beaten.electoral_list.outcome == ListOutcome.NOT_ELECTED
    mail.outbox.clear()
    for day in (ONE_YEAR, MID_TERM):
        freeze(monkeypatch, at(day))
        assert "Rappels de suivi mis en file : 0" in run_command()
    assert reminders() == []
    assert not FollowUpReminder.objects.exists()


def test_the_links_in_the_courriel_resolve(monkeypatch):
    pledge = elected_list()
    freeze(monkeypatch, at(ONE_YEAR))
    mail.outbox.clear()
    run_command()
    (message,) = reminders()
    follow_up = urlsplit(link(message.body, "/mon-espace/suivi/"))
    assert follow_up.path == reverse("pledges:follow_up_mine")
    assert resolve(follow_up.path).view_name == "pledges:follow_up_mine"
    client = Client()
    client.force_login(pledge.candidate.user)
    assert client.get(follow_up.path).status_code == 200
    unsubscribe = urlsplit(link(message.body, "/rappels/desinscription/"))
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe.geturl()}>"
    # The link carries the account's id, not the address (access logs, browser history).
    assert_no_address(message.extra_headers["List-Unsubscribe"], message.to[0])
    token = resolve(unsubscribe.path).kwargs["token"]
    assert signing.loads(token, salt="pledges.reminders.unsubscribe") == {
        "u": pledge.candidate.user.pk
    }
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert resolve(unsubscribe.path).view_name == "pledges:reminders_unsubscribe"
    page = Client().get(unsubscribe.path)
    assert page.status_code == 200
    assert "Ne plus recevoir les rappels" in text(page.content.decode())
    assert "no-store" in page["Cache-Control"]


def test_an_opted_out_address_gets_no_reminder_but_its_transactional_courriels(monkeypatch):
    pledge = elected_list()
    address = pledge.candidate.user.email
    path = reverse(
        "pledges:reminders_unsubscribe", args=[unsubscribe_token(pledge.candidate.user.pk)]
    )
    assert not EmailOptOut.objects.exists()  # opening the page changes nothing
    Client().get(path)
    assert not EmailOptOut.objects.exists()
    response = Client().post(path)
    assert "C’est fait" in text(response.content.decode())
    (opt_out,) = EmailOptOut.objects.all()
    assert (opt_out.email, opt_out.kind) == (address, EmailOptOut.Kind.REMINDERS)
    Client().post(path)  # a second click
    assert EmailOptOut.objects.count() == 1
    assert "déjà désinscrite" in text(Client().get(path).content.decode())

    mail.outbox.clear()
    freeze(monkeypatch, at(ONE_YEAR))
    assert "Rappels de suivi mis en file : 0" in run_command()
    assert reminders() == []
    assert not FollowUpReminder.objects.exists()
    # Transactional courriels still leave: a password reset, asked for by that address.
    Client().post(reverse("account_reset_password"), {"email": address})
    (reset,) = [message for message in mail.outbox if message.to == [address]]
    assert "mot de passe" in text(reset.subject).lower()


def test_rfc_8058_one_click_needs_no_csrf_token():
    pledge = elected_list()
    address = pledge.candidate.user.email
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse(
            "pledges:reminders_unsubscribe", args=[unsubscribe_token(pledge.candidate.user.pk)]
        ),
        {"List-Unsubscribe": "One-Click"},
    )
    assert response.status_code == 200
    assert EmailOptOut.objects.filter(email=address, kind=EmailOptOut.Kind.REMINDERS).exists()


def test_a_forged_or_foreign_token_is_refused():
    pk = elected_list().candidate.user.pk
    for token in (
        "nimporte-quoi",
        signing.dumps({"u": pk}, salt="pledges.mailings.unsubscribe"),
        signing.dumps({"u": pk}),
        signing.dumps("camille@exemple.test", salt="pledges.reminders.unsubscribe"),  # old kind
        unsubscribe_token(pk)[:-2] + "xx",
    ):
        path = reverse("pledges:reminders_unsubscribe", args=[token])
        for response in (Client().get(path), Client().post(path)):
            assert response.status_code == 404
            assert "Ce lien de désinscription n’est pas valable" in text(response.content.decode())
    assert not EmailOptOut.objects.exists()


def test_the_current_address_is_unsubscribed_and_an_erased_account_s_link_is_not_valid():
    from pledges.signing.account import delete_account

    user = elected_list().candidate.user
    path = reverse("pledges:reminders_unsubscribe", args=[unsubscribe_token(user.pk)])
    user.email = "nouvelle.adresse@exemple.test"
    user.save()
    assert "nouvelle.adresse@exemple.test" in text(Client().get(path).content.decode())
    Client().post(path)
    (opt_out,) = EmailOptOut.objects.all()
    assert (opt_out.email, opt_out.kind) == (user.email, EmailOptOut.Kind.REMINDERS)
    opt_out.delete()

    delete_account(user=user)
    for response in (Client().get(path), Client().post(path)):
        assert response.status_code == 404
        assert "Ce lien de désinscription n’est pas valable" in text(response.content.decode())
    assert not EmailOptOut.objects.exists()


def test_the_privacy_page_tells_the_elected_of_the_reminders_and_their_unsubscribe(client):
    page = text(client.get(reverse("pledges:privacy")).content.decode())
    assert "un an après votre prise de fonctions puis à mi-mandat" in page
    assert "un lien pour ne plus en recevoir, qui laisse arriver les courriels liés" in page
