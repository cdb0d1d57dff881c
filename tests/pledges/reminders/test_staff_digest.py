"""The moderators' weekly digest of elected signatures with no published follow-up, and the
admin's « Élu·es sans mise à jour », both within a moderator's régions."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import resolve, reverse

from communes.models import Commune, Region
from pledges.models import FollowUpReminder, FollowUpStatus, FollowUpUpdate, ModeratorScope
from tests.factories import make_moderator
from tests.pledges.outcomes.factories import make_elected_candidate, make_elected_list
from tests.pledges.reminders.helpers import at, freeze, run_command, text

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2021, 5, 24)
DAY = datetime.timedelta(days=1)
SUBJECT = re.compile(r"Suivi des engagements : (\d+) élu·es? signataires? sans mise à jour publiée")
VIEW = reverse("admin:pledges_followupreminder_without_update")


def update(signature, state, when=MONDAY - 10 * DAY):
    return FollowUpUpdate.objects.create(
        signed_commitment=signature.signed_commitments.first(),
        status=FollowUpStatus.IN_PROGRESS,
        text="Une première ligne de bus gratuite le samedi.",
        author_name="Camille Martin",
        author_role=FollowUpUpdate.AuthorRole.LIST,
        created_at=at(when),
        state=state,
    )


def digests():
    return [message for message in mail.outbox if SUBJECT.match(text(message.subject))]


def digests_to(user):
    return [message for message in digests() if message.to == [user.email]]


@pytest.fixture
def elected(db):
    """Four elected signatures in Corse (région 94), one in Saint-Étienne (région 84)."""
    reported = make_elected_list()
    update(reported, FollowUpUpdate.State.APPROVED)
    waiting = make_elected_list()
    update(waiting, FollowUpUpdate.State.PENDING)
    refused = make_elected_candidate()
    update(refused, FollowUpUpdate.State.REJECTED)
    silent = make_elected_list(outcome="opposition")
    loire = make_elected_list(Commune.objects.get(insee_code="42218"))
    mail.outbox.clear()
    return {
        "reported": reported,
        "waiting": waiting,
        "refused": refused,
        "silent": silent,
        "loire": loire,
    }


@pytest.fixture
def regional():
    moderator = make_moderator("rhone-alpes")
    scope = ModeratorScope.objects.create(user=moderator)
    scope.regions.add(Region.objects.get(code="84"))
    return moderator


def test_each_moderator_gets_the_elected_without_a_published_update(elected, regional, monkeypatch):
    national = make_moderator("nationale")
    without_address = make_moderator("sans-adresse")
    without_address.email = ""
    without_address.save(update_fields=["email"])
    make_moderator("equipe-technique", group="")  # staff, not a moderator
    freeze(monkeypatch, at(MONDAY))
    assert "Récapitulatifs pour l’équipe mis en file : 3" in run_command()
    # (the third: the moderator who approved the signatures, tests.factories.a_moderator)

    (message,) = digests_to(national)
    assert SUBJECT.match(text(message.subject)).group(1) == "4"
    body = text(message.body)
    assert elected["reported"].electoral_list.name not in body
    waiting, silent = elected["waiting"].electoral_list, elected["silent"].electoral_list
    assert f"Liste « {waiting.name} », " in body
    assert re.search(
        rf"« {re.escape(waiting.name)} ».*: mise à jour en attente de modération", body
    )
    assert re.search(rf"« {re.escape(silent.name)} ».*: aucune mise à jour", body)
    refused = elected["refused"].candidate
    assert (
        f"{refused.full_name}, {refused.commune.name} (2A) : mises à jour refusées seulement"
        in body
    )
    assert "Saint-Étienne (42) : aucune mise à jour" in body
    admin_link = re.search(r"https?://\S+/admin/\S+", body).group(0)
    assert urlsplit(admin_link).path == VIEW
    assert resolve(VIEW).url_name == "pledges_followupreminder_without_update"

    (message,) = digests_to(regional)
    body = text(message.body)
    assert SUBJECT.match(text(message.subject)).group(1) == "1"
    assert "(Auvergne-Rhône-Alpes)" in body
    assert "Saint-Étienne (42)" in body
    assert "(2A)" not in body
    assert len(digests()) == 3


def test_the_digest_is_weekly_though_the_command_runs_daily(elected, monkeypatch):
    moderator = make_moderator("hebdomadaire")
    for day in (MONDAY, MONDAY, MONDAY + DAY, MONDAY + 6 * DAY):
        freeze(monkeypatch, at(day))
        run_command()
    assert len(digests_to(moderator)) == 1
    freeze(monkeypatch, at(MONDAY + 7 * DAY))
    run_command()
    assert len(digests_to(moderator)) == 2


def test_a_week_the_timer_missed_on_monday_is_sent_by_its_first_run(elected, monkeypatch):
    moderator = make_moderator("apres-panne")
    freeze(monkeypatch, at(MONDAY + 2 * DAY))
    run_command()
    assert len(digests_to(moderator)) == 1


def test_nothing_to_report_sends_nothing(monkeypatch):
    reported = make_elected_list()
    update(reported, FollowUpUpdate.State.APPROVED)
    make_moderator("tranquille")
    mail.outbox.clear()
    freeze(monkeypatch, at(MONDAY))
    assert "Récapitulatifs pour l’équipe qui seraient envoyés : 0" in run_command("--dry-run")
    assert "Récapitulatifs pour l’équipe mis en file : 0" in run_command()
    assert digests() == []


def test_dry_run_counts_and_sends_nothing(elected, monkeypatch):
    make_moderator("simulation")
    freeze(monkeypatch, at(MONDAY))
    out = run_command("--dry-run")
    assert "Récapitulatifs pour l’équipe qui seraient envoyés : 2" in out
    assert "Rappels de suivi qui seraient envoyés : 0" in out
    assert "rien n’a été envoyé" in out
    assert mail.outbox == []
    assert "Récapitulatifs pour l’équipe mis en file : 2" in run_command()


def test_the_admin_lists_the_elected_without_update_within_the_moderators_regions(
    client, elected, regional
):
    client.force_login(make_moderator("nationale"))
    page = text(client.get(VIEW).content.decode())
    assert "4 listes ou candidat·es élu·es signataires sans aucune mise à jour publiée" in page
    assert elected["reported"].electoral_list.name not in page
    for name in ("waiting", "silent", "loire"):
        assert elected[name].electoral_list.name in page
    assert "en attente de modération" in page
    assert "refusées seulement" in page
    assert reverse("admin:pledges_signature_change", args=[elected["silent"].pk]) in page
    changelist = text(
        client.get(reverse("admin:pledges_followupreminder_changelist")).content.decode()
    )
    assert VIEW in changelist

    client.force_login(regional)
    page = text(client.get(VIEW).content.decode())
    assert "1 liste ou candidat·e élu·e signataire sans aucune mise à jour publiée" in page
    assert elected["loire"].electoral_list.name in page
    assert elected["silent"].electoral_list.name not in page


def test_the_reminders_log_is_read_only_and_within_the_moderators_regions(
    client, elected, regional
):
    for key in ("silent", "loire"):
        FollowUpReminder.objects.create(
            signature=elected[key],
            kind=FollowUpReminder.Kind.ONE_YEAR,
            email=elected[key].candidate.user.email,
            due_on=MONDAY,
            sent_at=at(MONDAY),
        )
    changelist = reverse("admin:pledges_followupreminder_changelist")
    client.force_login(regional)
    page = client.get(changelist).content.decode()
    assert elected["loire"].candidate.user.email in page
    assert elected["silent"].candidate.user.email not in page
    silent_log = FollowUpReminder.objects.get(signature=elected["silent"])
    url = reverse("admin:pledges_followupreminder_change", args=[silent_log.pk])
    assert client.get(url).status_code == 404  # out of scope: as a missing one
    assert client.get(reverse("admin:pledges_followupreminder_add")).status_code == 403


def test_staff_without_the_permission_are_refused(client, elected):
    client.force_login(make_moderator("sans-droits", group=""))
    assert client.get(VIEW).status_code == 403
