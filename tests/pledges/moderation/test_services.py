"""Staff decisions through the moderation services."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from candidates.models import Candidate
from pledges.models import AuditEntry, RejectionReason, Signature, SignatureEvent
from pledges.moderation.services import (
    approve_pledge,
    bulk_approve,
    bulk_reject,
    edit_candidate_identity,
    reject_pledge,
    request_changes,
    unpublish_pledge,
)
from pledges.signing.services import submit_pledge, withdraw_pledge
from tests.factories import commitments, make_candidate, make_moderator, make_pledge, make_user

pytestmark = pytest.mark.django_db

Status = Signature.Status


@pytest.fixture
def moderator(db):
    return make_moderator(first_name="Nadia", last_name="Benali")


def reason(code):
    return RejectionReason.objects.get(code=code)


def signature_in(status, moderator):
    """A signature brought to `status` through the services, as a candidate and staff would."""
    pledge = make_pledge()
    if status in (Status.APPROVED, Status.UNPUBLISHED):
        approve_pledge(pledge=pledge, moderator=moderator)
    if status == Status.UNPUBLISHED:
        unpublish_pledge(pledge=pledge, moderator=moderator, reason="Hors charte.")
    if status == Status.CHANGES_REQUESTED:
        request_changes(pledge=pledge, moderator=moderator, message="Précisez votre liste.")
    if status == Status.REJECTED:
        reject_pledge(pledge=pledge, moderator=moderator, reason=reason("doublon"))
    if status == Status.WITHDRAWN:
        withdraw_pledge(pledge=pledge)
    pledge.refresh_from_db()
    assert pledge.status == status
    return pledge


def test_the_five_reasons_are_seeded():
    assert list(RejectionReason.objects.values_list("label", flat=True)) == [
        "Candidature introuvable sur les listes officielles",
        "Doublon",
        "Informations incomplètes ou erronées",
        "Contenu inapproprié",
        "Autre",
    ]
    assert RejectionReason.objects.get(code="autre").requires_free_text


def test_approval_publishes_records_and_emails(moderator, mailoutbox):
    pledge = make_pledge(
        candidate=make_candidate(user=make_user("lea@exemple.test"), first_name="Léa")
    )
    mailoutbox.clear()
    approve_pledge(pledge=pledge, moderator=moderator, ip_address="203.0.113.7")
    pledge.refresh_from_db()
    assert pledge.status == Status.APPROVED and pledge.approved_at is not None
    assert Signature.objects.public().get() == pledge
    event = pledge.events.last()
    assert (event.kind, event.is_public) == ("approved", True)
    entry = AuditEntry.objects.get()
    assert entry.action == "approved"
    assert entry.actor == moderator and entry.actor_name == "Nadia Benali"
    assert entry.ip_address == "203.0.113.7"
    assert entry.changes == {"status": ["pending", "approved"]}
    (email,) = mailoutbox
    assert email.to == ["lea@exemple.test"]
    assert email.subject == "Votre signature est validée et publiée"
    assert f"/signataires/{pledge.pk}/" in email.body
    assert "Voir ma signature publique" in email.alternatives[0][0]


def test_a_request_for_changes_sends_the_staff_message(moderator, mailoutbox):
    pledge = make_pledge()
    mailoutbox.clear()
    with pytest.raises(ValidationError, match="Écrivez à la personne candidate"):
        request_changes(pledge=pledge, moderator=moderator, message="  ")
    request_changes(pledge=pledge, moderator=moderator, message="Précisez le nom de votre liste.")
    pledge.refresh_from_db()
    assert pledge.status == Status.CHANGES_REQUESTED
    assert not Signature.objects.public().exists()
    (email,) = mailoutbox
    assert email.subject == "Votre signature est à compléter"
    assert "Précisez le nom de votre liste." in email.body


def test_the_candidate_resubmits_after_a_request_for_changes(moderator):
    pledge = make_pledge(codes=("1.1",))
    request_changes(pledge=pledge, moderator=moderator, message="Ajoutez votre liste.")
    submit_pledge(candidate=pledge.candidate, commitments=commitments("1.1", "2.1"))
    pledge.refresh_from_db()
    assert pledge.status == Status.PENDING
    assert pledge.events.last().kind == SignatureEvent.Kind.RESUBMITTED
    approve_pledge(pledge=pledge, moderator=moderator)


def test_a_rejection_needs_a_reason_and_sends_its_text(moderator, mailoutbox):
    pledge = make_pledge()
    mailoutbox.clear()
    reject_pledge(pledge=pledge, moderator=moderator, reason=reason("introuvable"))
    pledge.refresh_from_db()
    assert pledge.status == Status.REJECTED
    assert pledge.events.last().reason == reason("introuvable")
    assert AuditEntry.objects.get().note == "Candidature introuvable sur les listes officielles"
    (email,) = mailoutbox
    assert email.subject == "Votre signature n’a pas été validée"
    assert "Nous n’avons pas trouvé votre candidature sur les listes officielles" in email.body


def test_the_reason_other_requires_a_free_text(moderator):
    pledge = make_pledge()
    with pytest.raises(ValidationError, match="Le motif « Autre » demande une précision écrite"):
        reject_pledge(pledge=pledge, moderator=moderator, reason=reason("autre"))
    reject_pledge(
        pledge=pledge, moderator=moderator, reason=reason("autre"), details="Liste fictive."
    )
    assert pledge.events.last().note == "Liste fictive."


def test_an_inactive_reason_cannot_be_used(moderator):
    RejectionReason.objects.filter(code="doublon").update(is_active=False)
    with pytest.raises(ValidationError, match="n’est plus proposé"):
        reject_pledge(pledge=make_pledge(), moderator=moderator, reason=reason("doublon"))


def test_unpublishing_an_approved_pledge_removes_it_from_public_view(moderator, mailoutbox):
    pledge = make_pledge()
    approve_pledge(pledge=pledge, moderator=moderator)
    mailoutbox.clear()
    with pytest.raises(ValidationError, match="Indiquez pourquoi"):
        unpublish_pledge(pledge=pledge, moderator=moderator, reason="")
    unpublish_pledge(
        pledge=pledge, moderator=moderator, reason="Candidature retirée en préfecture."
    )
    pledge.refresh_from_db()
    assert pledge.status == Status.UNPUBLISHED
    assert not Signature.objects.public().exists()
    assert mailoutbox[0].subject == "Votre signature a été dépubliée"
    assert "Candidature retirée en préfecture." in mailoutbox[0].body


@pytest.mark.parametrize(
    ("status", "decision"),
    [
        (Status.APPROVED, "approve"),
        (Status.APPROVED, "changes"),
        (Status.APPROVED, "reject"),
        (Status.REJECTED, "approve"),
        (Status.REJECTED, "unpublish"),
        (Status.CHANGES_REQUESTED, "approve"),
        (Status.PENDING, "unpublish"),
        (Status.UNPUBLISHED, "approve"),
        (Status.WITHDRAWN, "approve"),
        (Status.WITHDRAWN, "reject"),
    ],
)
def test_illegal_transitions_are_refused_with_a_clear_message(moderator, status, decision):
    pledge = signature_in(status, moderator)
    entries = AuditEntry.objects.count()
    decide = {
        "approve": lambda: approve_pledge(pledge=pledge, moderator=moderator),
        "changes": lambda: request_changes(pledge=pledge, moderator=moderator, message="…"),
        "reject": lambda: reject_pledge(
            pledge=pledge, moderator=moderator, reason=reason("doublon")
        ),
        "unpublish": lambda: unpublish_pledge(pledge=pledge, moderator=moderator, reason="…"),
    }[decision]
    with pytest.raises(ValidationError) as error:
        decide()
    label = Signature.Status(status).label
    new = {"approve": "validée", "changes": "à compléter", "reject": "refusée"}.get(
        decision, "dépubliée"
    )
    assert error.value.messages == [
        f"Cette signature est « {label} » : elle ne peut pas devenir « {new} ». "
        "Elle a peut-être été traitée entre-temps par quelqu’un d’autre."
    ]
    pledge.refresh_from_db()
    assert pledge.status == status
    assert AuditEntry.objects.count() == entries


def test_a_changes_requested_pledge_can_still_be_rejected(moderator):
    pledge = signature_in(Status.CHANGES_REQUESTED, moderator)
    reject_pledge(pledge=pledge, moderator=moderator, reason=reason("incomplet"))
    pledge.refresh_from_db()
    assert pledge.status == Status.REJECTED


def test_the_candidate_may_withdraw_at_any_active_stage(moderator):
    for status in (Status.PENDING, Status.CHANGES_REQUESTED, Status.APPROVED):
        pledge = signature_in(status, moderator)
        withdraw_pledge(pledge=pledge)
        pledge.refresh_from_db()
        assert pledge.status == Status.WITHDRAWN


def test_bulk_approval_reports_done_and_skipped(moderator):
    pending = [make_pledge() for _ in range(3)]
    rejected = signature_in(Status.REJECTED, moderator)
    result = bulk_approve(pledges=[*pending, rejected], moderator=moderator)
    assert len(result.done) == 3
    ((skipped, why),) = result.skipped
    assert skipped == rejected
    assert "« refusée »" in why
    assert AuditEntry.objects.filter(action="approved").count() == 3


def test_bulk_rejection_uses_one_reason(moderator, mailoutbox):
    pledges = [make_pledge() for _ in range(2)]
    mailoutbox.clear()
    result = bulk_reject(pledges=pledges, moderator=moderator, reason=reason("doublon"))
    assert len(result.done) == 2 and not result.skipped
    assert {e.reason.code for e in SignatureEvent.objects.filter(kind="rejected")} == {"doublon"}
    assert len(mailoutbox) == 2


def test_a_staff_identity_edit_is_audited_with_before_and_after(moderator):
    pledge = make_pledge(candidate=make_candidate(last_name="Dupond", list_name="Ensemble"))
    edit_candidate_identity(
        candidate=pledge.candidate,
        moderator=moderator,
        changes={"last_name": "Dupont", "list_name": "Ensemble"},
        ip_address="198.51.100.4",
    )
    entry = AuditEntry.objects.get(action=AuditEntry.Action.IDENTITY_EDITED)
    assert entry.changes == {"last_name": ["Dupond", "Dupont"]}
    assert entry.ip_address == "198.51.100.4"
    assert Candidate.objects.get().last_name == "Dupont"


def test_the_audit_trail_survives_the_candidate_erasing_their_account(moderator):
    from pledges.signing.account import delete_account

    pledge = make_pledge()
    approve_pledge(pledge=pledge, moderator=moderator)
    delete_account(user=pledge.candidate.user)
    entry = AuditEntry.objects.get()
    assert entry.pledge is None
    assert entry.pledge_pseudonym  # the trail remains, pseudonymous
    assert entry.actor_name == "Nadia Benali"


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_moderators_deciding_at_once_record_one_decision(reference_data):
    first, second = make_moderator("premier"), make_moderator("seconde")
    pledge = make_pledge()
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(moderator, action):
        try:
            barrier.wait()
            action(moderator)
            outcomes.append("decided")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=decide, args=(first, lambda m: approve_pledge(pledge=pledge, moderator=m))
        ),
        threading.Thread(
            target=decide,
            args=(
                second,
                lambda m: reject_pledge(pledge=pledge, moderator=m, reason=reason("doublon")),
            ),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=len)[0] == "decided"
    assert "Elle a peut-être été traitée entre-temps par quelqu’un d’autre." in max(
        outcomes, key=len
    )
    assert AuditEntry.objects.filter(pledge=pledge).count() == 1
    pledge.refresh_from_db()
    assert pledge.status in (Status.APPROVED, Status.REJECTED)
