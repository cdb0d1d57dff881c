"""The moderation queue in the admin, through the test client."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from pledges.lists.services import ListAlreadyHeaded
from pledges.models import AuditEntry, RejectionReason, Signature
from tests.factories import make_candidate, make_moderator, make_pledge, make_user
from tests.pledges.moderation.conftest import decide_url, page, pledge_in, rows
from tests.pledges.moderation.exporting import download, read_csv

pytestmark = pytest.mark.django_db

Status = Signature.Status
CHANGELIST = reverse("admin:pledges_signature_changelist")
EXPORT = reverse("admin:pledges_signature_export")


@pytest.fixture
def staff_client(client):
    """Staff, but not in the « Modération » group: may look at nothing here."""
    client.force_login(make_moderator("stagiaire", group=""))
    return client


def test_the_queue_puts_pending_first_oldest_first(moderator_client):
    approved = pledge_in("42218", days_ago=10, status=Status.APPROVED)
    recent = pledge_in("42218", days_ago=1, list_name="Liste B")
    oldest = pledge_in("69123", days_ago=5)
    response = moderator_client.get(CHANGELIST)
    assert response.status_code == 200
    assert rows(response) == [oldest, recent, approved]


def test_the_queue_marks_overdue_pledges_and_shows_the_columns(moderator_client):
    pledge_in(
        "42218",
        days_ago=4,
        first_name="Léa",
        last_name="Dupré",
        list_name="Saint-Étienne solidaire",
    )
    content = page(moderator_client.get(CHANGELIST))
    assert "Léa Dupré" in content
    assert "Saint-Étienne solidaire" in content
    assert "Saint-Étienne (42)" in content
    assert "4 jours" in content and "en retard" in content


def test_the_queue_filters_by_status_region_departement_role_and_waiting(moderator_client):
    loire = pledge_in("42218", days_ago=5)
    lyon = pledge_in("69123", days_ago=0, role="individual", list_name="")
    paris = pledge_in("75056", days_ago=2, status=Status.APPROVED)
    assert rows(moderator_client.get(CHANGELIST, {"status__exact": "approved"})) == [paris]
    assert rows(moderator_client.get(CHANGELIST, {"region": "84"})) == [loire, lyon]
    assert rows(moderator_client.get(CHANGELIST, {"departement": "69"})) == [lyon]
    assert rows(moderator_client.get(CHANGELIST, {"candidate__role__exact": "individual"})) == [
        lyon
    ]
    assert rows(moderator_client.get(CHANGELIST, {"attente": "retard"})) == [loire]
    assert rows(moderator_client.get(CHANGELIST, {"attente": "1"})) == [lyon]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("Dupré", "lea"), ("solidaire", "lea"), ("Saint-Étienne", "lea"), ("42218", "lea"),
     ("lea@exemple.test", "lea"), ("Lyon", "other")],
)  # fmt: skip
def test_the_queue_searches_names_lists_communes_codes_and_emails(
    moderator_client, query, expected
):
    lea = make_pledge(
        make_candidate(
            user=make_user("lea@exemple.test"), last_name="Dupré", list_name="Solidaires"
        )
    )
    other = pledge_in("69123", list_name="Lyon en commun")
    found = rows(moderator_client.get(CHANGELIST, {"q": query}))
    assert found == [{"lea": lea, "other": other}[expected]]


def test_possible_duplicates_are_flagged_and_named(moderator_client):
    first = pledge_in("42218", first_name="Léa", last_name="Dupont")
    second = pledge_in("42218", first_name="léa", last_name="DUPONT")
    head = pledge_in("42218", first_name="Paul", last_name="Morel", list_name="Ensemble")
    rival = make_candidate(first_name="Zoé", last_name="Roux", list_name="ENSEMBLE")
    with pytest.raises(ListAlreadyHeaded):
        make_pledge(rival)
    alone = pledge_in("69123", list_name="Ensemble")  # same list name, other commune
    found = {
        p: (p.same_person, p.list_claimed_twice) for p in rows(moderator_client.get(CHANGELIST))
    }
    assert found == {
        first: (True, False),
        second: (True, False),
        head: (False, True),
        alone: (False, False),
    }
    content = page(moderator_client.get(CHANGELIST))
    assert content.count("même personne deux fois") == 2 + 1  # two rows, and the filter
    # The column, what the row needs, and the filter.
    assert content.count("même liste revendiquée deux fois") == 1 + 1 + 1
    assert (
        "même liste revendiquée deux fois\u202f: 1 revendication à trancher d’abord (fiche de la "
        "liste)" in content
    )
    content = page(moderator_client.get(reverse("admin:pledges_signature_change", args=[first.pk])))
    assert "Même personne deux fois" in content and "léa DUPONT" in content
    assert "Même liste revendiquée deux fois" not in content
    content = page(moderator_client.get(reverse("admin:pledges_signature_change", args=[head.pk])))
    assert "Même liste revendiquée deux fois" in content
    assert "Zoé Roux a revendiqué la tête de la liste «\u202fEnsemble\u202f»" in content
    assert "Même personne deux fois" not in content


def test_the_detail_page_shows_data_commitments_history_and_decisions(moderator_client):
    pledge = pledge_in("42218", phone="06 11 22 33 44")
    content = page(
        moderator_client.get(reverse("admin:pledges_signature_change", args=[pledge.pk]))
    )
    assert "06 11 22 33 44" in content
    assert "Je m’engage à généraliser" in content or "1.1" in content
    assert "Signature envoyée" in content or "signature envoyée" in content
    for label in ("Valider", "Demander des compléments", "Refuser"):
        assert label in content
    assert "Dépublier" not in content  # not for a pending pledge


def test_a_moderator_approves_from_the_detail_page(moderator_client, mailoutbox):
    pledge = pledge_in("42218")
    mailoutbox.clear()
    url = decide_url(pledge, "valider")
    response = moderator_client.post(url, follow=True, REMOTE_ADDR="192.0.2.9")
    assert ("Signature validée\u202f: la personne candidate est prévenue par courriel.") in page(
        response
    )
    pledge.refresh_from_db()
    assert pledge.status == Status.APPROVED
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.ip_address) == (moderator_client.user, "192.0.2.9")
    assert len(mailoutbox) == 1
    # The audit entry is shown on the detail page.
    assert "Journal des décisions" in page(response) and "192.0.2.9" in page(response)
    # Deciding twice is refused with a clear message.
    response = moderator_client.post(url, follow=True)
    assert (
        "Cette signature est «\u202fvalidée\u202f»\u202f: "
        "elle ne peut pas devenir «\u202fvalidée\u202f». "
        "Elle a peut-être été traitée entre-temps par quelqu’un d’autre." in page(response)
    )
    assert AuditEntry.objects.count() == 1


def test_approve_and_go_to_the_next_pending(moderator_client):
    first = pledge_in("42218", days_ago=3)
    second = pledge_in("69123", days_ago=2)
    response = moderator_client.post(decide_url(first, "valider"), {"next": "1"})
    assert response["Location"] == reverse("admin:pledges_signature_change", args=[second.pk])


def test_a_rejection_without_a_reason_is_refused(moderator_client):
    pledge = pledge_in("42218")
    url = decide_url(pledge, "refuser")
    response = moderator_client.post(url, follow=True)
    assert "Choisissez un motif de refus." in page(response)
    doublon = RejectionReason.objects.get(code="doublon")
    moderator_client.post(url, {"reason": doublon.pk})
    pledge.refresh_from_db()
    assert pledge.status == Status.REJECTED


def test_bulk_approve_reports_counts_and_skips(moderator_client):
    pending = [pledge_in("42218"), pledge_in("69123")]
    rejected = pledge_in("75056", status=Status.REJECTED, first_name="Zoé", last_name="Roux")
    response = moderator_client.post(
        CHANGELIST,
        {"action": "approve_selected", ACTION_CHECKBOX_NAME: [p.pk for p in [*pending, rejected]]},
        follow=True,
    )
    content = page(response)
    assert "2 signatures validées." in content
    assert "Ignorée\u202f: Zoé Roux (Paris)" in content
    assert Signature.objects.filter(status=Status.APPROVED).count() == 2


def test_bulk_reject_goes_through_a_confirmation_page(moderator_client, mailoutbox):
    pledges = [pledge_in("42218"), pledge_in("69123")]
    selected = {ACTION_CHECKBOX_NAME: [p.pk for p in pledges], "action": "reject_selected"}
    response = moderator_client.post(CHANGELIST, selected)
    assert response.status_code == 200
    assert "Refuser 2 signature(s)" in page(response)
    assert Signature.objects.filter(status=Status.PENDING).count() == 2
    mailoutbox.clear()
    doublon = RejectionReason.objects.get(code="doublon")
    response = moderator_client.post(
        CHANGELIST, {**selected, "confirm": "1", "reason": doublon.pk}, follow=True
    )
    assert "2 signatures refusées." in page(response)
    assert Signature.objects.filter(status=Status.REJECTED).count() == 2
    assert len(mailoutbox) == 2


def test_plain_staff_see_no_queue_and_cannot_decide(staff_client):
    pledge = pledge_in("42218")
    assert staff_client.get(CHANGELIST).status_code == 403
    assert staff_client.post(decide_url(pledge, "valider")).status_code == 403
    assert staff_client.get(EXPORT).status_code == 403
    pledge.refresh_from_db()
    assert pledge.status == Status.PENDING


def test_a_moderator_sees_only_the_actions_they_may_take(moderator_client):
    response = moderator_client.get(CHANGELIST)
    actions = [choice[0] for choice in response.context["action_form"].fields["action"].choices]
    assert actions == ["", "approve_selected", "reject_selected"]
    assert "Exporter ces signataires (CSV)" in page(response)
    # Reasons and the charter are for superusers only.
    assert moderator_client.get(reverse("admin:pledges_rejectionreason_add")).status_code == 403
    assert moderator_client.get(reverse("admin:pledges_campaign_changelist")).status_code == 200
    content = page(moderator_client.get(reverse("admin:pledges_campaign_changelist")))
    assert 'value="force_signing_closed"' not in content  # read-only for moderators


def test_a_viewer_without_moderation_rights_sees_no_decision_panel(client):
    viewer = make_moderator("lecteur", group="")
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_signature"))
    client.force_login(viewer)
    pledge = pledge_in("42218")
    content = page(client.get(reverse("admin:pledges_signature_change", args=[pledge.pk])))
    assert "Valider et passer à la suivante" not in content
    response = client.get(CHANGELIST)
    assert response.context["action_form"] is None  # no bulk action offered at all
    assert "Exporter ces signataires (CSV)" not in page(response)


def test_the_audit_log_cannot_be_edited_or_deleted(moderator_client, client):
    pledge = pledge_in("42218")
    moderator_client.post(decide_url(pledge, "valider"))
    entry = AuditEntry.objects.get()
    superuser = make_user("root@coorace.test", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    assert client.get(reverse("admin:pledges_auditentry_changelist")).status_code == 200
    change = reverse("admin:pledges_auditentry_change", args=[entry.pk])
    assert 'name="note"' not in page(client.get(change))
    assert (
        client.get(reverse("admin:pledges_auditentry_delete", args=[entry.pk])).status_code == 403
    )
    assert client.post(change, {"note": "effacé"}).status_code == 403
    assert AuditEntry.objects.get().note == entry.note


def test_a_used_reason_cannot_be_deleted(client, moderator_client):
    pledge = pledge_in("42218")
    doublon = RejectionReason.objects.get(code="doublon")
    moderator_client.post(decide_url(pledge, "refuser"), {"reason": doublon.pk})
    client.force_login(make_user("root@coorace.test", is_staff=True, is_superuser=True))
    assert (
        client.get(reverse("admin:pledges_rejectionreason_delete", args=[doublon.pk])).status_code
        == 403
    )
    unused = RejectionReason.objects.get(code="inapproprie")
    assert (
        client.get(reverse("admin:pledges_rejectionreason_delete", args=[unused.pk])).status_code
        == 200
    )


def test_the_export_honours_the_filters_and_includes_private_contacts(moderator_client):
    pledge_in("42218", first_name="Léa", phone="06 11 22 33 44")
    pledge_in("69123", first_name="Paul")
    # With the immediate backend (TASKS_BACKEND=immediate) the POST gives the file at once.
    response = download(moderator_client, {"departement": "42"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="signataires-coorace-')
    header, *data = read_csv(response)
    assert header[:6] == ["id", "statut", "prenom", "nom", "email", "telephone"]
    assert len(data) == 1
    row = dict(zip(header, data[0], strict=True))
    assert row["prenom"] == "Léa" and row["telephone"] == "06 11 22 33 44"
    assert row["code_insee"] == "42218" and row["engagements"] == "1.1 2.1"


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x")', "+33 6 00", "-2+3", "@SUM(A1)"])
def test_the_export_neutralises_formulas(moderator_client, value):
    pledge_in("42218", list_name=value)
    header, row = read_csv(download(moderator_client))
    assert dict(zip(header, row, strict=True))["liste"] == "'" + value


def test_the_dashboard_counts_statuses_and_pending_per_departement(moderator_client):
    pledge_in("42218", days_ago=6)
    pledge_in("42218", days_ago=1)
    pledge_in("69123", status=Status.APPROVED)
    response = moderator_client.get(reverse("admin:pledges_signature_dashboard"))
    assert response.status_code == 200
    statuses = {label: count for label, count, _ in response.context["statuses"]}
    assert statuses["en attente de validation"] == 2
    assert statuses["validée"] == 1
    per_dep = list(response.context["per_departement"])
    assert per_dep[0]["candidate__commune__departement_id"] == "42" and per_dep[0]["n"] == 2
    assert response.context["overdue"] == 1
    assert response.context["days"][-1][1][0] == 1  # one approval today
    assert "Tableau de bord de la modération" in page(response)


def test_a_superuser_identity_edit_in_the_admin_is_audited(client):
    superuser = make_user("root@coorace.test", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    pledge = pledge_in("42218", last_name="Dupond")
    candidate = pledge.candidate
    url = reverse("admin:candidates_candidate_change", args=[candidate.pk])
    data = {
        "first_name": candidate.first_name,
        "last_name": "Dupont",
        "commune": candidate.commune.pk,
        "role": candidate.role,
        "list_name": candidate.list_name,
        "political_label": "",
        "website": "",
        "statement": "",
        "phone": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302, page(response)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.IDENTITY_EDITED)
    assert entry.changes == {"last_name": ["Dupond", "Dupont"]}
    assert entry.actor == superuser
