"""Regional moderators (issue 16, must-have 3): a moderator limited to Auvergne-Rhône-Alpes
sees, filters, decides and exports only that région's signatures, lists and official lists;
every other région's object is a 404 and every action on it is refused or ignored; the
audit log records the scope; superusers and staff without a scope see everything.

tests/pledges/moderation/test_regional_every_url.py visits every admin URL the same way."""

import csv
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.urls import reverse

from candidates.models import OfficialList
from communes.models import Region
from pledges.models import (
    AuditEntry,
    ListDecline,
    ListInvitation,
    ListMembership,
    ModeratorScope,
    RejectionReason,
    Signature,
)
from pledges.moderation.scope import (
    ALL,
    in_scope,
    is_scoped,
    limit,
    regions_of,
    scope_label,
)
from pledges.roster.invitations import mark_invited
from tests.factories import make_moderator, make_user
from tests.pledges.moderation.conftest import page, rows
from tests.pledges.moderation.exporting import content, download
from tests.pledges.moderation.regional import (
    INSIDE,
    INSIDE_NAME,
    MARK,
    OUTSIDE,
    build_world,
    make_regional_moderator,
)

pytestmark = pytest.mark.django_db

Status = Signature.Status
QUEUE = reverse("admin:pledges_signature_changelist")
EXPORT = reverse("admin:pledges_signature_export")
DASHBOARD = reverse("admin:pledges_signature_dashboard")
LISTS = reverse("admin:pledges_electorallist_changelist")
OFFICIAL = reverse("admin:candidates_officiallist_changelist")


def text(response) -> str:
    """The page with narrow and ordinary no-break spaces read as spaces."""
    return page(response).replace("\u202f", " ").replace("\xa0", " ")


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def superuser_client():
    """A client of its own (the regional moderator's is `client`)."""
    user = make_user("racine@coorace.test", is_superuser=True, is_staff=True)
    other = Client()
    other.force_login(user)
    return other


@pytest.fixture
def regional(client):
    moderator = make_regional_moderator(INSIDE)
    client.force_login(moderator)
    client.user = moderator
    return client


def change(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# ---------------------------------------------------------------- the scope itself


def test_the_scope_is_read_once_per_user_object(django_assert_num_queries):
    moderator = make_regional_moderator(INSIDE, OUTSIDE)
    with django_assert_num_queries(1):
        assert regions_of(moderator) == frozenset({INSIDE, OUTSIDE})
        assert scope_label(moderator) == "Auvergne-Rhône-Alpes, Hauts-de-France"
        assert is_scoped(moderator)
        assert in_scope(moderator, OUTSIDE) and not in_scope(moderator, "53")


def test_superusers_and_staff_without_a_scope_see_every_region():
    superuser = make_user("racine2@coorace.test", is_superuser=True, is_staff=True)
    ModeratorScope.objects.create(user=superuser).regions.add(Region.objects.get(code=INSIDE))
    national = make_moderator("nationale")
    for user in (superuser, national):
        assert regions_of(user) is ALL
        assert scope_label(user) == ""
        assert limit(Region.objects.all(), user, "code").count() == Region.objects.count()


def test_a_scope_with_no_region_sees_nothing():
    moderator = make_moderator("vide")
    ModeratorScope.objects.create(user=moderator)
    assert regions_of(moderator) == frozenset()
    assert scope_label(moderator) == "aucune région"
    assert not limit(Region.objects.all(), moderator, "code").exists()


# ---------------------------------------------------------------- the queue


def test_the_queue_lists_and_filters_only_the_moderators_regions(regional, world):
    response = regional.get(QUEUE)
    assert response.status_code == 200
    assert set(rows(response)) == {world.inside.pending, world.inside.approved}
    assert MARK not in page(response)
    filters = {spec.parameter_name: spec for spec in response.context["cl"].filter_specs if
               hasattr(spec, "parameter_name")}  # fmt: skip
    assert [code for code, _name in filters["region"].lookup_choices] == [INSIDE]
    departements = {code for code, _label in filters["departement"].lookup_choices}
    assert departements == {"01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"}
    # In its région, a filter works as before.
    assert rows(regional.get(QUEUE, {"departement": "69"})) == [world.inside.approved]


@pytest.mark.parametrize(
    "query", [{"region": OUTSIDE}, {"departement": "59"}, {"region": OUTSIDE, "departement": "59"}]
)
def test_a_filter_outside_the_scope_is_refused_and_shows_the_moderators_queue(
    regional, world, query
):
    response = regional.get(QUEUE, query, follow=True)
    assert response.status_code == 200
    assert set(rows(response)) == {world.inside.pending, world.inside.approved}
    assert "Ces filtres ou cette recherche ne sont pas valables" in text(response)
    assert MARK not in page(response)


def test_searching_for_an_outside_signature_finds_nothing(regional, world):
    assert rows(regional.get(QUEUE, {"q": MARK})) == []
    assert rows(regional.get(QUEUE, {"q": "59350"})) == []
    assert set(rows(regional.get(QUEUE, {"q": "Dedanchamp"}))) == {
        world.inside.pending,
        world.inside.approved,
    }


def test_a_signature_outside_the_scope_is_a_404_on_each_of_its_pages(regional, world):
    inside, outside = world.inside.pending, world.outside.pending
    assert regional.get(change(inside)).status_code == 200
    for url in (
        change(outside),
        reverse("admin:pledges_signature_history", args=[outside.pk]),
        reverse("admin:pledges_signature_delete", args=[outside.pk]),
    ):
        response = regional.get(url)
        assert response.status_code == 404, url
        assert MARK not in page(response)
    # An id that does not exist is the same 404: nothing tells the two apart.
    assert regional.get(change(outside).replace(str(outside.pk), "999999")).status_code == 404


@pytest.mark.parametrize(
    ("decision", "data"),
    [
        ("valider", {}),
        ("completer", {"message": "Précisez le nom de la liste."}),
        ("refuser", {"details": "Non."}),
        ("depublier", {"reason": "Retirée."}),
        ("reemettre", {}),
    ],
)
def test_no_decision_reaches_a_signature_outside_the_scope(regional, world, decision, data):
    outside = world.outside.approved if decision in ("depublier", "reemettre") else None
    outside = outside or world.outside.pending
    if decision == "refuser":
        data = {**data, "reason": RejectionReason.objects.filter(is_active=True).first().pk}
    before = (outside.status, AuditEntry.objects.count(), len(mail.outbox))
    url = reverse("admin:pledges_signature_decide", args=[outside.pk, decision])
    response = regional.post(url, data)
    assert response.status_code == 404
    outside.refresh_from_db()
    assert (outside.status, AuditEntry.objects.count(), len(mail.outbox)) == before


def test_a_decision_inside_the_scope_is_taken_and_audited_with_the_scope(regional, world):
    pledge = world.inside.pending
    url = reverse("admin:pledges_signature_decide", args=[pledge.pk, "valider"])
    assert regional.post(url).status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == Status.APPROVED
    entry = AuditEntry.objects.filter(pledge=pledge, action=AuditEntry.Action.APPROVED).get()
    assert entry.scope == INSIDE_NAME
    assert entry.actor == regional.user


def test_the_roster_decisions_refuse_a_signature_outside_the_scope(regional, world):
    outside = world.outside.pending
    url = reverse("admin:pledges_signature_roster", args=[outside.pk])
    for decision in ("introuvable", "recomparer", "confirmer"):
        response = regional.post(
            url, {"decision": decision, "official": world.outside.official_list.pk}
        )
        assert response.status_code == 404
    electoral_list = outside.electoral_list
    electoral_list.refresh_from_db()
    assert electoral_list.roster_checked_at is None
    # Inside, the same decision is taken.
    inside = world.inside.pending
    url = reverse("admin:pledges_signature_roster", args=[inside.pk])
    assert regional.post(url, {"decision": "introuvable"}).status_code == 302
    inside.electoral_list.refresh_from_db()
    assert inside.electoral_list.roster_checked_at is not None


def test_a_bulk_approval_ignores_the_ids_outside_the_scope_and_says_so(regional, world):
    inside, outside = world.inside.pending, world.outside.pending
    response = regional.post(
        QUEUE,
        {"action": "approve_selected", ACTION_CHECKBOX_NAME: [inside.pk, outside.pk]},
        follow=True,
    )
    inside.refresh_from_db()
    outside.refresh_from_db()
    assert inside.status == Status.APPROVED
    assert outside.status == Status.PENDING
    said = " ".join(messages_of(response)).replace("\u202f", " ")
    assert "1 signature validée." in said
    assert "Un élément sélectionné n’est pas dans votre périmètre" in said
    assert MARK not in said


def test_a_bulk_action_with_only_outside_ids_does_nothing(regional, world):
    outside = world.outside.pending
    reason = RejectionReason.objects.filter(is_active=True, requires_free_text=False).first()
    response = regional.post(
        QUEUE,
        {
            "action": "reject_selected",
            ACTION_CHECKBOX_NAME: [outside.pk],
            "confirm": "1",
            "reason": reason.pk,
        },
        follow=True,
    )
    assert response.status_code == 200
    outside.refresh_from_db()
    assert outside.status == Status.PENDING
    assert not AuditEntry.objects.filter(pledge=outside, action="rejected").exists()


def test_select_across_acts_on_the_moderators_regions_only(regional, world):
    reason = RejectionReason.objects.filter(is_active=True, requires_free_text=False).first()
    regional.post(
        QUEUE,
        {
            "action": "reject_selected",
            ACTION_CHECKBOX_NAME: [world.inside.pending.pk],
            "select_across": "1",
            "confirm": "1",
            "reason": reason.pk,
            "status__exact": "pending",
        },
    )
    assert Signature.objects.get(pk=world.inside.pending.pk).status == Status.REJECTED
    assert Signature.objects.get(pk=world.outside.pending.pk).status == Status.PENDING


@pytest.mark.usefixtures("database_tasks")
def test_the_export_holds_only_the_moderators_regions(regional, world):
    regional.user.user_permissions.add(Permission.objects.get(codename="export_pledges"))
    assert MARK not in page(regional.get(EXPORT))  # the confirmation: the count, the filters
    response = download(regional)  # the job, run by the worker
    assert response.status_code == 200
    body = content(response).decode("utf-8-sig")
    exported = list(csv.DictReader(io.StringIO(body), delimiter=";"))
    assert {int(row["id"]) for row in exported} == {
        world.inside.pending.pk,
        world.inside.approved.pk,
    }
    assert {row["region"] for row in exported} == {INSIDE}
    assert MARK not in body
    # With a filter of another région: back to the queue, nothing exported.
    for method in (regional.get, regional.post):
        response = method(f"{EXPORT}?region={OUTSIDE}")
        assert (response.status_code, response["Location"]) == (302, QUEUE)


def test_the_detail_page_of_an_inside_signature_shows_no_outside_data(regional, world):
    content = page(regional.get(change(world.inside.pending)))
    assert "Dedanchamp" in content
    assert MARK not in content


# ---------------------------------------------------------------- the dashboard


def test_the_dashboard_counts_only_the_moderators_regions(regional, world):
    response = regional.get(DASHBOARD)
    assert response.status_code == 200
    content = text(response)
    assert MARK not in content and "Hauts-de-France" not in content
    assert response.context["total"] == 2
    assert [r.code for r in response.context["regions"]] == [INSIDE]
    figures = response.context["figures"]
    assert [row["code"] for row in figures["regions"]] == [INSIDE]
    assert {row["code"] for row in figures["departements"]} == {"42", "69"}
    assert sum(row["submitted"] for row in figures["jours"]) == 2
    assert figures["couverture"][0][1].whole == 1  # Saint-Étienne's official list
    assert {row["commune__insee_code"] for row in response.context["alert_counts"]} == {"42218"}
    assert response.context["alert_pending"] == 0
    assert "Toutes vos régions" in content
    assert f"Périmètre : {INSIDE_NAME}" in content


def test_the_dashboards_csv_hold_only_the_moderators_regions(regional, world):
    for table in ("jours", "engagements", "regions", "departements", "couverture"):
        response = regional.get(DASHBOARD, {"format": "csv", "table": table})
        assert response.status_code == 200
        content = response.content.decode()
        assert "Hauts-de-France" not in content and ",59," not in content, table
    regions = regional.get(DASHBOARD, {"format": "csv", "table": "regions"}).content.decode()
    assert regions.splitlines()[1:] == [f"{INSIDE},{INSIDE_NAME},2,1,1"]
    jours = regional.get(DASHBOARD, {"format": "csv", "table": "jours"}).content.decode()
    assert sum(int(line.split(",")[1]) for line in jours.splitlines()[1:]) == 2


def test_the_dashboard_refuses_a_region_outside_the_scope(regional, world):
    response = regional.get(DASHBOARD, {"region": OUTSIDE})
    assert response.status_code == 200
    assert response.context["region"] is None
    assert "La région « 32 » n’est pas dans votre périmètre" in text(response)
    assert response.context["total"] == 2
    response = regional.get(DASHBOARD, {"region": OUTSIDE, "format": "csv", "table": "regions"})
    assert "Hauts-de-France" not in response.content.decode()


def test_the_relays_on_the_dashboard_and_their_page_are_the_moderators_regions(
    regional, world, superuser_client
):
    relays_page = reverse("admin:pledges_signature_dashboard_relays")
    assert regional.get(DASHBOARD).context["relays"]["count"] == 1
    response = regional.get(relays_page)
    assert response.status_code == 200
    assert [row["pk"] for row in response.context["rows"]] == [world.inside.extra["relay"].pk]
    assert MARK not in text(response) and "Hauts-de-France" not in text(response)
    response = regional.get(relays_page, {"region": OUTSIDE})
    assert "La région « 32 » n’est pas dans votre périmètre" in text(response)
    assert [row["pk"] for row in response.context["rows"]] == [world.inside.extra["relay"].pk]
    everyone = superuser_client.get(relays_page).context["rows"]
    assert {row["pk"] for row in everyone} == {
        world.inside.extra["relay"].pk,
        world.outside.extra["relay"].pk,
    }


def test_superusers_see_every_region_on_the_dashboard(superuser_client, world):
    response = superuser_client.get(DASHBOARD)
    assert {row["code"] for row in response.context["figures"]["regions"]} >= {INSIDE, OUTSIDE}
    assert "Périmètre :" not in text(response)
    response = superuser_client.get(DASHBOARD, {"region": OUTSIDE})
    assert [row["code"] for row in response.context["figures"]["regions"]] == [OUTSIDE]


# ---------------------------------------------------------------- lists, joins, claims


def test_the_lists_admin_shows_and_filters_only_the_moderators_regions(regional, world):
    response = regional.get(LISTS)
    assert set(rows(response)) == {
        world.inside.electoral_list,
        world.inside.approved.electoral_list,
    }
    specs = {s.parameter_name: s for s in response.context["cl"].filter_specs
             if hasattr(s, "parameter_name")}  # fmt: skip
    assert {code for code, _ in specs["commune"].lookup_choices} == {"42218", "69123"}
    assert [code for code, _ in specs["region"].lookup_choices] == [INSIDE]
    assert regional.get(LISTS, {"commune": "59350"}, follow=True).status_code == 200
    assert rows(regional.get(LISTS, {"q": "59350"})) == []
    assert regional.get(change(world.inside.electoral_list)).status_code == 200
    assert regional.get(change(world.outside.electoral_list)).status_code == 404


def test_an_edit_of_an_outside_list_is_a_404_and_changes_nothing(regional, world):
    electoral_list = world.outside.electoral_list
    response = regional.post(change(electoral_list), {"name": "Renommée", "political_label": ""})
    assert response.status_code == 404
    electoral_list.refresh_from_db()
    assert electoral_list.name == f"Liste {MARK}"


def test_joins_and_claims_of_an_outside_list_are_refused(regional, world):
    outside = world.outside
    for decision in ("confirmer", "refuser"):
        url = reverse(
            "admin:pledges_electorallist_join",
            args=[outside.electoral_list.pk, outside.membership.pk, decision],
        )
        assert regional.post(url).status_code == 404
    for decision in ("donner", "clore"):
        url = reverse(
            "admin:pledges_electorallist_claim",
            args=[outside.electoral_list.pk, outside.claim.pk, decision],
        )
        assert regional.post(url, {"note": "Non."}).status_code == 404
    # Nor through an inside list's URL.
    url = reverse(
        "admin:pledges_electorallist_join",
        args=[world.inside.electoral_list.pk, outside.membership.pk, "confirmer"],
    )
    assert regional.post(url).status_code == 404
    outside.membership.refresh_from_db()
    outside.claim.refresh_from_db()
    assert outside.membership.status == ListMembership.Status.REQUESTED
    assert outside.claim.settled_at is None
    # Inside, the decision is taken, and audited with the scope.
    inside = world.inside
    url = reverse(
        "admin:pledges_electorallist_join",
        args=[inside.electoral_list.pk, inside.membership.pk, "confirmer"],
    )
    assert regional.post(url).status_code == 302
    inside.membership.refresh_from_db()
    assert inside.membership.status == ListMembership.Status.CONFIRMED
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.JOIN_DECIDED).latest("pk")
    assert entry.scope == INSIDE_NAME


# ---------------------------------------------------------------- official lists


def test_the_official_lists_are_the_moderators_regions(regional, world):
    response = regional.get(OFFICIAL)
    assert response.status_code == 200
    assert rows(response) == [world.inside.official_list]
    assert MARK not in page(response)
    assert regional.get(change(world.inside.official_list)).status_code == 200
    assert regional.get(change(world.outside.official_list)).status_code == 404
    assert rows(regional.get(OFFICIAL, {"q": MARK})) == []


def test_no_letter_of_an_outside_official_list(regional, world):
    outside = world.outside.official_list
    sent = len(mail.outbox)
    url = reverse("admin:candidates_officiallist_letter", args=[outside.pk])
    assert regional.get(url).status_code == 404
    url = reverse("admin:candidates_officiallist_email_letter", args=[outside.pk])
    response = regional.post(url, {"email": "liste@exemple.test"})
    assert response.status_code == 404
    assert not ListInvitation.objects.filter(official_list=outside).exists()
    assert len(mail.outbox) == sent


def test_the_official_lists_actions_ignore_the_outside_lists(regional, world):
    inside, outside = world.inside.official_list, world.outside.official_list
    response = regional.post(
        OFFICIAL,
        {
            "action": "mark_invited_action",
            ACTION_CHECKBOX_NAME: [inside.pk, outside.pk],
            "apply": "1",
            "at": "2020-02-10",
            "channel": ListInvitation.Channel.LETTER,
        },
        follow=True,
    )
    assert response.status_code == 200
    assert ListInvitation.objects.filter(official_list=inside).count() == 1
    assert not ListInvitation.objects.filter(official_list=outside).exists()
    assert "n’est pas dans votre périmètre" in " ".join(messages_of(response))
    # The invitations' audit entries (written in bulk) carry the scope too.
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.LIST_INVITED).get()
    assert entry.scope == INSIDE_NAME
    # A refusal: one list at a time, never an outside one.
    response = regional.post(
        OFFICIAL,
        {
            "action": "record_decline_action",
            ACTION_CHECKBOX_NAME: [outside.pk],
            "apply": "1",
            "at": "2020-02-11",
        },
        follow=True,
    )
    assert not ListDecline.objects.filter(official_list=outside).exists()


def test_printing_letters_leaves_out_the_outside_lists(regional, world, monkeypatch):
    printed = []

    def fake_render(lists, campaign):
        printed.extend(lists)
        return b"%PDF-1.7"

    monkeypatch.setattr("pledges.roster.admin.render_letters_pdf", fake_render)
    response = regional.post(
        OFFICIAL,
        {
            "action": "print_letters_action",
            ACTION_CHECKBOX_NAME: [world.inside.official_list.pk, world.outside.official_list.pk],
        },
    )
    assert response.status_code == 200
    assert printed == [world.inside.official_list]


# ---------------------------------------------------------------- the other admins


@pytest.mark.parametrize(
    ("name", "inside", "outside"),
    [
        ("candidates_candidate", lambda w: w.inside.pending.candidate,
         lambda w: w.outside.pending.candidate),
        ("candidates_correctionrequest", lambda w: w.inside.correction,
         lambda w: w.outside.correction),
        ("pledges_signaturetrace", lambda w: w.inside.trace, lambda w: w.outside.trace),
    ],
)  # fmt: skip
def test_candidates_corrections_and_traces_are_the_moderators_regions(
    regional, world, name, inside, outside
):
    regional.user.user_permissions.add(Permission.objects.get(codename="view_signaturetrace"))
    response = regional.get(reverse(f"admin:{name}_changelist"))
    assert response.status_code == 200
    shown = rows(response)
    assert inside(world) in shown and outside(world) not in shown
    assert MARK not in page(response)
    assert regional.get(change(inside(world))).status_code == 200
    assert regional.get(change(outside(world))).status_code == 404


def test_a_correction_request_outside_the_scope_cannot_be_marked_handled(regional, world):
    correction = world.outside.correction
    response = regional.post(
        change(correction), {"handled_at_0": "10/02/2020", "handled_at_1": "10:00"}
    )
    assert response.status_code == 404
    correction.refresh_from_db()
    assert correction.handled_at is None


def test_the_official_candidates_are_the_moderators_regions(regional, world):
    regional.user.user_permissions.add(Permission.objects.get(codename="view_officialcandidate"))
    response = regional.get(reverse("admin:candidates_officialcandidate_changelist"))
    assert response.status_code == 200
    assert {c.commune.insee_code for c in rows(response)} == {"42218"}
    outside = world.outside.official_list.candidates.first()
    assert regional.get(change(outside)).status_code == 404


def test_the_audit_log_shows_the_regions_entries_and_the_moderators_own(regional, world):
    response = regional.get(reverse("admin:pledges_auditentry_changelist"))
    assert response.status_code == 200
    shown = rows(response)
    assert shown and all(
        entry.pledge_id in (world.inside.pending.pk, world.inside.approved.pk) for entry in shown
    )
    outside = AuditEntry.objects.filter(pledge=world.outside.approved).first()
    assert regional.get(change(outside)).status_code == 404
    # An entry of their own about no signature (an invitation of a list never signed).
    mark_invited(
        official_lists=OfficialList.objects.filter(pk=world.inside.official_list.pk),
        moderator=regional.user,
        at=world.inside.pending.submitted_at.date(),
        channel=ListInvitation.Channel.LETTER,
        note="",
    )
    own = AuditEntry.objects.get(action=AuditEntry.Action.LIST_INVITED)
    assert own.pledge is None
    assert own in rows(regional.get(reverse("admin:pledges_auditentry_changelist")))
    assert "Auvergne-Rhône-Alpes" in page(regional.get(change(own)))


@pytest.mark.parametrize(
    ("codename", "url"),
    [
        ("view_dbtaskresult", "admin:django_tasks_database_dbtaskresult_changelist"),
        ("view_rosterimport", "admin:candidates_rosterimport_changelist"),
    ],
)
def test_jobs_and_roster_imports_are_never_shown_to_a_regional_moderator(regional, codename, url):
    regional.user.user_permissions.add(Permission.objects.get(codename=codename))
    assert regional.get(reverse(url)).status_code == 403
    national = make_moderator("nationale")
    national.user_permissions.add(Permission.objects.get(codename=codename))
    regional.force_login(national)
    assert regional.get(reverse(url)).status_code == 200


# ---------------------------------------------------------------- audit


def test_every_audit_entry_records_its_actors_scope(world, django_assert_num_queries):
    from pledges.moderation.services import approve_pledge

    moderator = make_regional_moderator(INSIDE, username="auditee")
    regions_of(moderator)  # the request has read it already
    approve_pledge(pledge=world.inside.pending, moderator=moderator)
    entry = AuditEntry.objects.filter(pledge=world.inside.pending).latest("pk")
    assert entry.scope == INSIDE_NAME
    # Superusers and national staff: « », all régions.
    national = make_moderator("nationale")
    approve_pledge(pledge=world.outside.pending, moderator=national)
    assert AuditEntry.objects.filter(pledge=world.outside.pending).latest("pk").scope == ""
    # No query for the scope once the user object holds it.
    entry = AuditEntry(
        at=entry.at, actor=moderator, actor_name="x", action="approved", pledge_pseudonym="p"
    )
    with django_assert_num_queries(1):  # the INSERT alone
        entry.save()
    assert entry.scope == INSIDE_NAME


def test_the_audit_log_shows_the_scope_column(superuser_client, regional, world):
    url = reverse("admin:pledges_signature_decide", args=[world.inside.pending.pk, "valider"])
    regional.post(url)
    content = text(superuser_client.get(reverse("admin:pledges_auditentry_changelist")))
    assert "périmètre" in content.lower()
    assert INSIDE_NAME in content
    assert "toutes les régions" in content


# ---------------------------------------------------------------- giving a scope


def test_superusers_give_a_staff_account_its_regions(superuser_client):
    moderator = make_moderator("future-regionale")
    add = reverse("admin:pledges_moderatorscope_add")
    assert superuser_client.get(add).status_code == 200
    response = superuser_client.post(add, {"user": moderator.pk, "regions": []})
    assert "Cochez au moins une région." in text(response)
    response = superuser_client.post(add, {"user": moderator.pk, "regions": [INSIDE, OUTSIDE]})
    assert response.status_code == 302
    assert regions_of(type(moderator).objects.get(pk=moderator.pk)) == {INSIDE, OUTSIDE}
    listed = text(superuser_client.get(reverse("admin:pledges_moderatorscope_changelist")))
    assert "future-regionale" in listed and "Hauts-de-France" in listed


def test_a_candidate_account_cannot_be_given_a_scope(superuser_client):
    candidate = make_user("candidate@exemple.test")
    response = superuser_client.post(
        reverse("admin:pledges_moderatorscope_add"), {"user": candidate.pk, "regions": [INSIDE]}
    )
    assert response.status_code == 200
    assert not ModeratorScope.objects.filter(user=candidate).exists()


def test_moderators_cannot_change_scopes(regional):
    national = make_moderator("nationale")
    for client_user in (regional.user, national):
        regional.force_login(client_user)
        assert regional.get(reverse("admin:pledges_moderatorscope_changelist")).status_code == 403
        assert regional.get(reverse("admin:pledges_moderatorscope_add")).status_code == 403


def test_the_header_names_the_moderators_scope(regional, superuser_client):
    content = text(regional.get(reverse("admin:index")))
    assert f"Périmètre : {INSIDE_NAME}" in content
    assert "Périmètre :" not in text(superuser_client.get(reverse("admin:index")))
