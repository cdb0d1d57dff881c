"""pledges.follow_up.services: who may report, the update, its moderation, the document."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import FileSystemStorage

from candidates.models import ListOutcome, RosterMatch
from pledges.follow_up import services
from pledges.follow_up.services import (
    approve_update,
    author_role,
    check_document,
    is_elected,
    list_side_signatures,
    reject_update,
)
from pledges.models import (
    AuditEntry,
    FollowUpStatus,
    FollowUpUpdate,
    ModeratorScope,
    Signature,
    SignedCommitment,
)
from pledges.outcomes.queries import elected_signatures
from tests.factories import make_moderator, make_pledge, make_user
from tests.pledges.follow_up.data import (
    EXPLANATION,
    PDF,
    elected_individual,
    elected_list,
    member_of,
    member_structure,
    png_bytes,
    post,
    signed,
    upload,
)
from tests.pledges.outcomes.factories import make_elected_list

pytestmark = pytest.mark.django_db
Role = FollowUpUpdate.AuthorRole
State = FollowUpUpdate.State


# ------------------------------------------------------------------ who may post


def test_the_head_and_confirmed_colistiers_post_as_the_list():
    signature = elected_list()
    member = member_of(signature)
    assert author_role(signature.candidate.user, signature) == Role.LIST
    assert author_role(member.candidate.user, signature) == Role.LIST
    assert list(list_side_signatures(member.candidate.user)) == [signature]


def test_a_colistier_not_confirmed_or_refused_may_not_post():
    signature = elected_list()
    waiting = member_of(signature, confirm=None)
    refused = member_of(signature, confirm=False)
    for membership in (waiting, refused):
        assert author_role(membership.candidate.user, signature) is None
        with pytest.raises(PermissionDenied):
            post(signature, author=membership.candidate.user)


def test_an_elected_individual_candidate_posts_for_their_own_signature_only():
    signature = elected_individual()
    other = elected_individual()
    assert author_role(signature.candidate.user, signature) == Role.LIST
    assert author_role(signature.candidate.user, other) is None


def test_staff_post_as_staff_within_their_regions_only():
    signature = elected_list()  # in Corse-du-Sud (région 94)
    everywhere = make_moderator()
    elsewhere = make_moderator()
    scope = ModeratorScope.objects.create(user=elsewhere)
    scope.regions.add("84")
    assert author_role(everywhere, signature) == Role.STAFF
    assert author_role(elsewhere, signature) is None


def test_a_member_structure_posts_as_a_member_and_a_plain_account_may_not():
    signature = elected_list()
    assert author_role(member_structure(), signature) == Role.MEMBER
    stranger = make_user()
    assert author_role(stranger, signature) is None
    with pytest.raises(PermissionDenied):
        post(signature, author=stranger)


@pytest.mark.parametrize("outcome", [ListOutcome.NOT_ELECTED, ListOutcome.UNKNOWN])
def test_nobody_posts_on_a_signature_that_is_not_elected(outcome):
    signature = make_elected_list(codes=("3.1",), outcome=outcome or ListOutcome.NOT_ELECTED)
    if outcome == ListOutcome.UNKNOWN:
        signature.electoral_list.outcome = ""
        signature.electoral_list.save(update_fields=["outcome"])
    for user in (signature.candidate.user, make_moderator(), member_structure()):
        assert author_role(user, signature) is None
        with pytest.raises(PermissionDenied):
            post(signature, author=user)


def test_is_elected_agrees_with_the_query_of_the_elected():
    cases = [
        elected_list(),
        make_elected_list(outcome=ListOutcome.OPPOSITION),
        make_elected_list(outcome=ListOutcome.NOT_ELECTED),
        make_elected_list(status=Signature.Status.PENDING),
        elected_individual(),
        make_pledge(status=Signature.Status.APPROVED),
    ]
    doubtful = elected_individual()
    doubtful.candidate.elected_match = RosterMatch.AMBIGUOUS
    doubtful.candidate.save(update_fields=["elected_match"])
    cases.append(doubtful)
    elected = set(elected_signatures().values_list("pk", flat=True))
    loaded = Signature.objects.select_related("candidate", "electoral_list")
    assert {s.pk for s in loaded.filter(pk__in=[c.pk for c in cases]) if is_elected(s)} == (
        elected & {c.pk for c in cases}
    )
    assert len(elected & {c.pk for c in cases}) == 3


# ------------------------------------------------------------------ the update


def test_an_update_is_pending_keeps_its_author_and_changes_no_status():
    signature = elected_list()
    update = post(signature, status=FollowUpStatus.DONE, link="https://exemple.test/deliberation")
    assert update.state == State.PENDING
    assert update.author == signature.candidate.user
    assert update.author_name == signature.candidate.full_name
    assert update.author_role == Role.LIST
    assert update.created_at is not None
    commitment = SignedCommitment.objects.get(pk=update.signed_commitment_id)
    assert commitment.follow_up_status == FollowUpStatus.NOT_STARTED
    assert commitment.follow_up_at is None


def test_an_update_says_why():
    signature = elected_list()
    with pytest.raises(ValidationError, match="ne change jamais sans explication"):
        post(signature, text="   ")
    assert not FollowUpUpdate.objects.exists()


def test_a_withdrawn_commitment_takes_no_update():
    signature = elected_list()
    withdrawn = signed(signature, "3.1")
    SignedCommitment.objects.filter(pk=withdrawn.pk).update(withdrawn_at=signature.approved_at)
    with pytest.raises(ValidationError, match="retiré"):
        post(signature)


@pytest.mark.parametrize("link", ["javascript:alert(1)", "ftp://exemple.test/cr.pdf"])
def test_a_link_must_be_a_web_address(link):
    signature = elected_list()
    with pytest.raises(ValidationError, match="liens web"):
        post(signature, link=link)
    assert not FollowUpUpdate.objects.exists()


# ------------------------------------------------------------------ moderation


def test_approving_publishes_the_status_audits_and_tells_the_author(mailoutbox):
    signature = elected_list()
    moderator = make_moderator()
    update = post(signature, status=FollowUpStatus.DONE)
    mailoutbox.clear()
    approved = approve_update(update, moderator, ip_address="192.0.2.7")
    assert approved.state == State.APPROVED
    assert approved.decided_by == moderator and approved.decided_at is not None
    commitment = SignedCommitment.objects.get(pk=update.signed_commitment_id)
    assert commitment.follow_up_status == FollowUpStatus.DONE
    assert commitment.follow_up_at == approved.decided_at
    entry = AuditEntry.objects.get(action=AuditEntry.Action.FOLLOW_UP_DECIDED)
    assert entry.pledge == signature and entry.actor == moderator
    assert entry.ip_address == "192.0.2.7"
    assert entry.changes == {
        "state": ["pending", "approved"],
        "follow_up_status": ["not_started", "done"],
    }
    (message,) = mailoutbox
    assert message.to == [signature.candidate.user.email]
    assert "publiée" in message.subject
    assert "3.1" in message.body and "réalisé" in message.body
    assert f"/suivi/signatures/{signature.pk}/" in message.body


def test_rejecting_needs_a_note_changes_nothing_public_and_tells_the_author(mailoutbox):
    signature = elected_list()
    moderator = make_moderator()
    update = post(signature, status=FollowUpStatus.DONE)
    mailoutbox.clear()
    with pytest.raises(ValidationError, match="pourquoi"):
        reject_update(update, moderator, note="  ")
    assert FollowUpUpdate.objects.get(pk=update.pk).state == State.PENDING
    rejected = reject_update(update, moderator, note="La délibération citée n’existe pas.")
    assert rejected.state == State.REJECTED
    assert rejected.decision_note == "La délibération citée n’existe pas."
    assert signed(signature, "3.1").follow_up_status == FollowUpStatus.NOT_STARTED
    entry = AuditEntry.objects.get(action=AuditEntry.Action.FOLLOW_UP_DECIDED)
    assert entry.note == "La délibération citée n’existe pas."
    (message,) = mailoutbox
    assert "n’a pas été publiée" in message.subject
    assert "La délibération citée n’existe pas." in message.body


def test_an_update_is_decided_once():
    signature = elected_list()
    moderator = make_moderator()
    update = post(signature)
    approve_update(update, moderator)
    with pytest.raises(ValidationError, match="déjà"):
        approve_update(update, moderator)
    with pytest.raises(ValidationError, match="déjà"):
        reject_update(update, moderator, note="Trop tard.")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.FOLLOW_UP_DECIDED).count() == 1


def test_the_status_is_the_latest_approved_report_even_when_an_older_one_is_approved_late():
    signature = elected_list()
    moderator = make_moderator()
    older = post(signature, status=FollowUpStatus.IN_PROGRESS)
    newer = post(signature, status=FollowUpStatus.DONE)
    approve_update(newer, moderator)
    approve_update(older, moderator)
    commitment = signed(signature, "3.1")
    assert commitment.follow_up_status == FollowUpStatus.DONE
    assert FollowUpUpdate.objects.public().count() == 2


def test_staff_updates_are_moderated_like_the_others():
    signature = elected_list()
    moderator = make_moderator()
    update = post(signature, author=moderator, status=FollowUpStatus.ABANDONED)
    assert update.author_role == Role.STAFF and update.state == State.PENDING
    assert signed(signature, "3.1").follow_up_status == FollowUpStatus.NOT_STARTED
    approve_update(update, make_moderator())
    assert signed(signature, "3.1").follow_up_status == FollowUpStatus.ABANDONED


# ------------------------------------------------------------------ the document


def test_a_pdf_and_an_image_are_stored_under_a_name_of_ours():
    signature = elected_list()
    pdf = post(signature, document=upload("délibération <script>.pdf", PDF))
    image = post(signature, document=upload("photo.jpg", png_bytes()))
    assert pdf.document.name.startswith("suivi/") and pdf.document.name.endswith(".pdf")
    assert "script" not in pdf.document.name
    # Its bytes say PNG: it is kept as one, whatever its name said.
    assert image.document.name.endswith(".png")
    with pdf.document.open("rb") as handle:
        assert handle.read() == PDF


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.pdf", b"<html><script>alert(1)</script></html>"),
        ("image.png", b"\x89PNG\r\n\x1a\n" + b"pas une image"),
        ("vide.pdf", b""),
    ],
)
def test_a_file_that_is_not_what_it_says_is_refused(name, content):
    with pytest.raises(ValidationError, match="ni un PDF ni une image"):
        check_document(upload(name, content))


def test_a_document_over_5_mo_is_refused():
    big = PDF + b"0" * (5 * 1024 * 1024)
    with pytest.raises(ValidationError, match="5 Mo"):
        check_document(upload("gros.pdf", big))


def test_a_storage_failure_is_said_in_french_and_writes_nothing(monkeypatch):
    signature = elected_list()

    def fail(*args, **kwargs):
        raise OSError("disque plein")

    monkeypatch.setattr(FileSystemStorage, "save", fail)
    with pytest.raises(ValidationError, match="n’a pas pu être enregistré"):
        post(signature, document=upload("deliberation.pdf", PDF))
    assert not FollowUpUpdate.objects.exists()


def test_the_explanation_is_kept_as_written():
    signature = elected_list()
    update = post(signature, text=f"  {EXPLANATION}\n", source=" Conseil municipal ")
    assert update.text == EXPLANATION
    assert update.source == "Conseil municipal"
    assert services.MAX_DOCUMENT_BYTES == 5 * 1024 * 1024
