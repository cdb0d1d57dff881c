"""Migration 0010: the signatures recorded with a free-text list name become lists.

The rules are tested on pledges/lists/migration.py with today's models (the migration
hands it its historical ones); one test runs the migration itself, from 0009.
"""

from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from candidates.models import Candidate
from communes.models import Commune
from pledges.lists.migration import (
    FLAG_NO_HEAD,
    FLAG_SECTEUR,
    migrate_list_names,
    name_key,
)
from pledges.models import (
    Certificate,
    ElectoralList,
    ListClaim,
    ListMembership,
    RejectionReason,
    Signature,
    SignedCommitment,
)
from pledges.models.lists import list_name_key
from pledges.moderation.services import reject_pledge
from pledges.signing.services import PUBLICATION_CONSENT, withdraw_pledge
from tests.factories import a_moderator, approve, commitments, current_campaign, make_candidate

pytestmark = pytest.mark.django_db

Status = Signature.Status
HEAD, COLISTIER = Candidate.Role.HEAD_OF_LIST, Candidate.Role.CANDIDATE
NAME = "Ensemble pour Saint-Étienne"


def legacy_signature(candidate, status=Status.APPROVED, *, days_ago=30) -> Signature:
    """A signature as the site recorded it before lists were records: no list attached."""
    at = timezone.now() - timedelta(days=days_ago)
    signature = Signature.objects.create(
        campaign=current_campaign(),
        candidate=candidate,
        submitted_at=at,
        consent_candidacy_text="Je certifie être candidat·e.",
        consent_candidacy_at=at,
        consent_publication_text=PUBLICATION_CONSENT,
        consent_publication_at=at + timedelta(seconds=1),
    )
    for commitment in commitments("1.1", "2.1"):
        SignedCommitment.objects.create(pledge=signature, commitment=commitment, signed_at=at)
    if status in (Status.APPROVED, Status.WITHDRAWN + "-after-approval"):
        signature = approve(signature)
    if status in (Status.WITHDRAWN, Status.WITHDRAWN + "-after-approval"):
        signature = withdraw_pledge(pledge=signature)
    elif status == Status.REJECTED:
        reason = RejectionReason.objects.filter(is_active=True).order_by("position", "pk")[0]
        signature = reject_pledge(
            pledge=signature, moderator=a_moderator(), reason=reason, details="Non."
        )
    signature.refresh_from_db()
    return signature


def signed(role=HEAD, list_name=NAME, status=Status.APPROVED, *, days_ago=30, **fields):
    candidate = make_candidate(role=role, list_name=list_name, **fields)
    return legacy_signature(candidate, status, days_ago=days_ago)


def migrate(**options):
    return migrate_list_names(apps, **options)


def test_the_key_is_the_models_list_name_key():
    for name in (NAME, "L’Œuvre commune !", "  ST-DENIS  d’abord ", "42 citoyens", "—"):
        assert name_key(name) == list_name_key(name)


def test_one_name_whatever_its_case_accents_and_punctuation_is_one_list():
    head = signed(HEAD, NAME, days_ago=40)
    signed(COLISTIER, "ENSEMBLE POUR SAINT ETIENNE")
    signed(COLISTIER, "ensemble pour saint-etienne !", Status.PENDING)
    elsewhere = signed(HEAD, NAME, commune=Commune.objects.get(insee_code="42095"))

    report = migrate()

    assert ElectoralList.objects.count() == 2
    electoral_list = ElectoralList.objects.get(commune=head.candidate.commune)
    assert electoral_list.name == NAME  # the head's spelling
    assert electoral_list.memberships.count() == 2
    assert ElectoralList.objects.get(commune__insee_code="42095").head == elsewhere.candidate
    assert report.created == 2 and report.new_members() == 2
    (outcome,) = [o for o in report.lists if o.list_pk == electoral_list.pk]
    assert len(outcome.spellings) == 3


def test_the_head_heads_the_list_and_their_signature_is_the_lists():
    head = signed(HEAD, political_label="Divers gauche", website="https://ensemble.example.org")

    migrate()

    electoral_list = ElectoralList.objects.get()
    assert electoral_list.head == head.candidate
    head.refresh_from_db()
    assert head.electoral_list == electoral_list
    assert electoral_list.signature == head
    assert electoral_list.review_note == ""  # nothing for staff to check
    assert (electoral_list.political_label, electoral_list.website) == (
        "Divers gauche",
        "https://ensemble.example.org",
    )
    assert electoral_list.secteur is None and electoral_list.campaign == current_campaign()
    assert list(ElectoralList.objects.public()) == [electoral_list]


def test_two_heads_the_first_approved_heads_and_the_other_claims_flagged():
    earlier_but_pending = signed(HEAD, NAME, Status.PENDING, days_ago=50)
    approved = signed(HEAD, NAME.upper(), Status.APPROVED, days_ago=20)

    report = migrate()

    electoral_list = ElectoralList.objects.get()
    assert electoral_list.head == approved.candidate
    assert electoral_list.name == NAME.upper()
    earlier_but_pending.refresh_from_db()
    assert earlier_but_pending.electoral_list is None  # still their own signature
    assert earlier_but_pending.status == Status.PENDING
    claim = ListClaim.objects.get()
    assert (claim.electoral_list, claim.candidate) == (
        electoral_list,
        earlier_but_pending.candidate,
    )
    assert claim.at == earlier_but_pending.submitted_at and claim.settled_at is None
    assert "Plusieurs têtes de liste" in electoral_list.review_note
    assert f"candidat·e #{earlier_but_pending.candidate_id}" in electoral_list.review_note
    assert report.flagged[0].claims[0].claim == claim.pk


def test_with_no_approved_head_the_first_submitted_heads():
    first = signed(HEAD, NAME, Status.PENDING, days_ago=50)
    signed(HEAD, NAME, Status.PENDING, days_ago=10)

    migrate()

    assert ElectoralList.objects.get().head == first.candidate


def test_a_list_with_no_head_is_created_headless_and_flagged():
    colistier = signed(COLISTIER, NAME)

    report = migrate()

    electoral_list = ElectoralList.objects.get()
    assert electoral_list.head is None
    assert electoral_list.name == NAME
    assert FLAG_NO_HEAD in electoral_list.review_note
    assert not Signature.objects.filter(electoral_list=electoral_list).exists()
    assert electoral_list.memberships.get().candidate == colistier.candidate
    assert report.flagged[0].list_pk == electoral_list.pk


def test_colistiers_join_with_the_consent_they_signed():
    signed(HEAD, NAME)
    approved = signed(COLISTIER, NAME, Status.APPROVED)
    pending = signed(COLISTIER, NAME, Status.PENDING)
    withdrawn = signed(COLISTIER, NAME, Status.WITHDRAWN + "-after-approval")

    migrate()

    memberships = {m.candidate_id: m for m in ListMembership.objects.all()}
    confirmed = memberships[approved.candidate_id]
    assert confirmed.status == ListMembership.Status.CONFIRMED
    assert confirmed.decided_at == approved.approved_at
    assert confirmed.consent_publication_text == approved.consent_publication_text
    assert confirmed.consent_publication_at == approved.consent_publication_at
    assert confirmed.requested_at == approved.submitted_at
    assert memberships[pending.candidate_id].status == ListMembership.Status.REQUESTED
    assert memberships[pending.candidate_id].decided_at is None
    left = memberships[withdrawn.candidate_id]
    assert (left.status, left.ended_at) == (ListMembership.Status.LEFT, withdrawn.withdrawn_at)
    # Their signatures stay their own.
    assert not Signature.objects.filter(
        pk__in=[approved.pk, pending.pk, withdrawn.pk], electoral_list__isnull=False
    ).exists()


def test_refused_and_withdrawn_signatures_join_nothing_and_are_reported():
    rejected_head = signed(HEAD, NAME, Status.REJECTED)
    withdrawn = signed(COLISTIER, "Saint-Étienne demain", Status.WITHDRAWN)
    nameless = signed(COLISTIER, "« — »", Status.PENDING)

    report = migrate()

    assert not ElectoralList.objects.exists()
    assert not ListMembership.objects.exists()
    reasons = {item.signature: item.reason for item in report.left_out}
    assert reasons == {
        rejected_head.pk: "signature refusée",
        withdrawn.pk: "signature retirée avant validation",
        nameless.pk: "nom de liste vide une fois normalisé",
    }


def test_in_paris_a_list_without_secteur_is_flagged_secteur_to_be_given():
    paris = Commune.objects.get(insee_code="75056")
    head = signed(HEAD, "Paris en commun", commune=paris)
    signed(COLISTIER, "PARIS EN COMMUN", commune=paris)

    migrate()

    electoral_list = ElectoralList.objects.get()
    assert electoral_list.commune == paris and electoral_list.secteur is None
    assert electoral_list.review_note == FLAG_SECTEUR
    assert electoral_list.head == head.candidate
    assert electoral_list.memberships.count() == 1


def test_a_candidate_with_a_secteur_gets_a_list_in_that_secteur_unflagged():
    marseille = Commune.objects.get(insee_code="13055")
    secteur = marseille.secteurs.get(number=1)
    signed(HEAD, "Marseille d’abord", commune=marseille, secteur=secteur)
    signed(HEAD, "Marseille d’abord", commune=marseille)  # no secteur: another list

    migrate()

    in_secteur = ElectoralList.objects.get(secteur=secteur)
    assert in_secteur.review_note == ""
    assert ElectoralList.objects.get(secteur__isnull=True).review_note == FLAG_SECTEUR


def test_certificates_already_issued_stay_valid_and_verifiable(client):
    head = signed(HEAD, NAME)
    colistier = signed(COLISTIER, NAME)
    before = {c.pk: (c.reference, c.fingerprint, c.content, c.superseded_at)
              for c in Certificate.objects.all()}  # fmt: skip
    assert len(before) == 2

    migrate()

    after = {c.pk: (c.reference, c.fingerprint, c.content, c.superseded_at)
             for c in Certificate.objects.all()}  # fmt: skip
    assert after == before
    for signature in (head, colistier):
        certificate = signature.certificates.get()
        response = client.get(reverse("pledges:verify", args=[certificate.reference]))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Attestation valide et à jour" in page
        assert certificate.fingerprint in page


def test_a_dry_run_writes_nothing_and_running_again_adds_nothing():
    signed(HEAD, NAME)
    signed(HEAD, NAME, Status.PENDING)
    signed(COLISTIER, NAME)
    signed(COLISTIER, "Agir pour Saint-Étienne")

    planned = migrate(dry_run=True)
    assert not ElectoralList.objects.exists() and not ListClaim.objects.exists()
    assert planned.created == 2 and planned.new_members() == 2 and planned.new_claims() == 1

    done = migrate()
    assert (done.created, done.new_members(), done.new_claims()) == (2, 2, 1)
    rows = [list(model.objects.values()) for model in (ElectoralList, ListMembership, ListClaim)]

    again = migrate()
    assert (again.created, again.new_members(), again.new_claims()) == (0, 0, 0)
    assert len(again.lists) == 2 and len(again.flagged) == 2
    assert [list(m.objects.values()) for m in (ElectoralList, ListMembership, ListClaim)] == rows


def test_a_list_the_site_created_since_is_matched_not_duplicated():
    head = signed(HEAD, NAME)
    migrate()
    colistier = signed(COLISTIER, NAME.lower(), Status.PENDING)

    report = migrate()

    assert ElectoralList.objects.count() == 1
    assert ElectoralList.objects.get().memberships.get().candidate == colistier.candidate
    assert report.created == 0 and report.new_members() == 1
    assert ElectoralList.objects.get().head == head.candidate


def test_the_command_says_what_it_would_do_then_what_was_done_with_ids():
    head = signed(HEAD, NAME)
    colistier = signed(COLISTIER, NAME)
    other = signed(HEAD, NAME, Status.PENDING)
    rejected = signed(COLISTIER, NAME, Status.REJECTED)

    out = StringIO()
    call_command("report_list_migration", stdout=out)
    planned = out.getvalue()
    assert "à créer" in planned and "Rien n’a été écrit" in planned
    assert not ElectoralList.objects.exists()

    out = StringIO()
    call_command("report_list_migration", "--apply", stdout=out)
    electoral_list = ElectoralList.objects.get()
    membership = ListMembership.objects.get()
    claim = ListClaim.objects.get()
    done = out.getvalue()
    assert f"Liste #{electoral_list.pk} « {NAME} », Saint-Étienne : créée" in done
    assert f"candidat·e #{head.candidate_id}), signature de la liste #{head.pk}" in done
    assert f"adhésion #{membership.pk}" in done and f"#{colistier.candidate_id}" in done
    assert f"revendication #{claim.pk}" in done and f"signature #{other.pk}" in done
    assert f"signature #{rejected.pk}" in done and "signature refusée" in done
    assert "1 listes (1 créées)" in done

    out = StringIO()
    call_command("report_list_migration", "--flagged-only", stdout=out)
    assert f"Liste #{electoral_list.pk}" in out.getvalue()
    assert "déjà là" in out.getvalue() and "à vérifier" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_migration_itself_turns_list_names_into_lists(reference_data, capsys):
    # The state before 0010, candidates included: their later migrations (the roster's
    # columns) would otherwise stay applied under a historical model that lacks them.
    before = [("pledges", "0009_lists"), ("candidates", "0004_secteur_ballot_note_individual_role")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    try:
        campaign = old.get_model("pledges", "Campaign").objects.get(is_current=True)
        commune = old.get_model("communes", "Commune").objects.get(insee_code="42218")
        User = old.get_model("auth", "User")
        Candidate_ = old.get_model("candidates", "Candidate")
        Signature_ = old.get_model("pledges", "Signature")
        at = timezone.now() - timedelta(days=5)
        signatures = []
        for number, (role, list_name) in enumerate(
            [(HEAD, "Agir pour Saint-Étienne"), (COLISTIER, "agir pour saint etienne")]
        ):
            user = User.objects.create(username=f"ancien{number}", email=f"a{number}@x.test")
            candidate = Candidate_.objects.create(
                user=user, first_name="Ancien", last_name=f"Nom{number}", commune=commune,
                role=role, list_name=list_name, search_key="",
            )  # fmt: skip
            signatures.append(
                Signature_.objects.create(
                    campaign=campaign,
                    candidate=candidate,
                    status="pending",
                    submitted_at=at,
                    consent_candidacy_text="…",
                    consent_candidacy_at=at,
                    consent_publication_text=PUBLICATION_CONSENT,
                    consent_publication_at=at,
                )
            )
        capsys.readouterr()

        executor = MigrationExecutor(connection)
        executor.migrate([("pledges", "0010_lists_from_list_names")])
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert "1 listes (1 créées), 1 colistier·es (1 rattaché·es)" in capsys.readouterr().out
    electoral_list = ElectoralList.objects.get()
    assert electoral_list.name == "Agir pour Saint-Étienne"
    assert electoral_list.head_id == signatures[0].candidate_id
    assert Signature.objects.get(pk=signatures[0].pk).electoral_list == electoral_list
    membership = ListMembership.objects.get()
    assert (membership.candidate_id, membership.status) == (signatures[1].candidate_id, "requested")


def test_a_head_who_signs_for_another_list_heads_and_claims_nothing_more():
    from tests.factories import make_pledge

    signed_for_a_list = make_pledge()  # through the services: the head's own list
    own_list = signed_for_a_list.electoral_list
    Candidate.objects.filter(pk=signed_for_a_list.candidate_id).update(list_name=NAME)
    signed(COLISTIER, NAME)

    migrate()

    signed_for_a_list.refresh_from_db()
    assert signed_for_a_list.electoral_list == own_list
    new_list = ElectoralList.objects.exclude(pk=own_list.pk).get()
    assert new_list.head is None and FLAG_NO_HEAD in new_list.review_note
    assert not ListClaim.objects.exists()


def test_each_new_list_costs_three_queries_whatever_the_number_of_lists(
    django_assert_max_num_queries,
):
    # A head-only list: created, its head's signature attached, its head and note saved.
    # The lookups are read once for the whole run (at 50,000 signatures, one query per
    # lookup and row took over a quarter of an hour).
    for number in range(12):
        signed(list_name=f"{NAME} {number}", status=Status.PENDING)
    with django_assert_max_num_queries(3 * 12 + 8):
        report = migrate()
    assert report.created == 12
    assert Signature.objects.filter(electoral_list__isnull=False).count() == 12
