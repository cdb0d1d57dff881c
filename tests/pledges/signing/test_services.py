import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection

from candidates.models import Candidate
from pledges.models import Campaign, Commitment, Signature, SignatureEvent, SignedCommitment
from pledges.signing.services import (
    PUBLICATION_CONSENT,
    add_commitment,
    submit_pledge,
    withdraw_commitment,
    withdraw_pledge,
)
from tests.factories import approve, commitments, make_candidate, make_pledge, make_user
from tests.pledges.signing.test_staff_digest import send_digest_now

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def staff_addresses(settings):
    settings.STAFF_NOTIFICATION_EMAILS = ["moderation@coorace.test", "equipe@coorace.test"]


def active_codes(pledge):
    return sorted(
        s.commitment.code for s in pledge.active_signatures().select_related("commitment__proposal")
    )


def kinds(pledge):
    return [
        (e.kind, e.commitment.code if e.commitment else None, e.is_public)
        for e in pledge.events.all()
    ]


def test_submitting_creates_a_pending_pledge_with_its_consents_and_history():
    candidate = make_candidate(first_name="Léa", last_name="Dupré")
    pledge = submit_pledge(candidate=candidate, commitments=commitments("1.1", "3.2", "9.3"))
    assert pledge.status == Signature.Status.PENDING
    assert active_codes(pledge) == ["1.1", "3.2", "9.3"]
    assert pledge.consent_candidacy_text == (
        "Je certifie être candidat·e aux élections municipales 2020 dans la commune "
        "de Saint-Étienne (42)."
    )
    assert pledge.consent_publication_text == PUBLICATION_CONSENT
    assert pledge.consent_candidacy_at == pledge.consent_publication_at == pledge.submitted_at
    assert kinds(pledge) == [("submitted", None, False)]
    assert not Signature.objects.public().exists()


def test_submitting_sends_a_receipt_and_staff_hear_of_it_in_their_digest():
    candidate = make_candidate(
        first_name="Léa", last_name="Dupré", user=make_user("lea@exemple.test")
    )
    submit_pledge(candidate=candidate, commitments=commitments("1.1", "9.3"))
    (receipt,) = mail.outbox
    assert receipt.to == ["lea@exemple.test"]
    assert (
        receipt.subject
        == "Votre signature est bien reçue\u202f: elle attend la validation de Coorace"
    )
    assert "Bonjour Léa," in receipt.body
    assert "- 9.3 Je m’engage à désigner un-e élu-e en charge de l’ESS." in receipt.body
    assert "L’équipe Coorace vérifie que vous êtes bien candidat·e" in receipt.body
    assert "/mon-espace/" in receipt.body
    html, mimetype = receipt.alternatives[0]
    assert mimetype == "text/html" and "Suivre ma signature" in html
    mail.outbox.clear()
    send_digest_now()
    (staff,) = mail.outbox
    assert staff.to == ["moderation@coorace.test", "equipe@coorace.test"]
    assert staff.subject == "Nouvelle signature à vérifier\u202f: Léa Dupré (Saint-Étienne, 42)"
    assert "Engagements signés\u202f: 2" in staff.body
    assert f"/admin/pledges/signature/{Signature.objects.get().pk}/change/" in staff.body


def test_the_same_submission_twice_creates_one_pledge_and_one_receipt():
    candidate = make_candidate()
    first = submit_pledge(candidate=candidate, commitments=commitments("1.1"))
    second = submit_pledge(candidate=candidate, commitments=commitments("1.1"))
    assert first.pk == second.pk
    assert Signature.objects.count() == 1
    assert SignedCommitment.objects.count() == 1
    assert kinds(first) == [("submitted", None, False)]
    assert len(mail.outbox) == 1


def test_a_pending_pledge_can_be_changed_and_the_history_says_so():
    pledge = make_pledge(codes=("1.1", "2.1"))
    submit_pledge(candidate=pledge.candidate, commitments=commitments("2.1", "5.1"))
    assert active_codes(pledge) == ["2.1", "5.1"]
    assert kinds(pledge) == [("submitted", None, False), ("edited", None, False)]
    assert SignedCommitment.objects.get(
        pledge=pledge, commitment__in=commitments("1.1")
    ).withdrawn_at


def test_no_commitment_is_refused():
    with pytest.raises(ValidationError, match="Cochez au moins un engagement"):
        submit_pledge(candidate=make_candidate(), commitments=[])
    assert not Signature.objects.exists()


def test_a_commitment_of_another_campaign_is_refused():
    other = Campaign.objects.create(
        slug="municipales-2026", name="#Municipales2026", title="Autre", introduction="…",
        election_name="élections municipales 2026", first_round_date="2026-03-15",
    )  # fmt: skip
    proposal = other.proposals.create(number=1, title="Autre", context="…")
    foreign = proposal.commitments.create(position=1, text="Je m’engage à autre chose.")
    with pytest.raises(ValidationError, match="n’appartient pas à cette campagne"):
        submit_pledge(candidate=make_candidate(), commitments=[*commitments("1.1"), foreign])


def test_nothing_can_be_signed_when_signing_is_closed():
    Campaign.objects.update(signing_override="closed")
    with pytest.raises(ValidationError, match="Les signatures sont fermées"):
        submit_pledge(candidate=make_candidate(), commitments=commitments("1.1"))


def test_after_approval_additions_and_withdrawals_are_public_and_dated():
    pledge = approve(make_pledge(codes=("1.1", "2.1")))
    add_commitment(pledge=pledge, commitment=commitments("8.1")[0])
    withdraw_commitment(pledge=pledge, commitment=commitments("1.1")[0])
    assert active_codes(pledge) == ["2.1", "8.1"]
    assert kinds(pledge) == [
        ("submitted", None, False),
        ("approved", None, True),
        ("commitment_added", "8.1", True),
        ("commitment_withdrawn", "1.1", True),
    ]
    withdrawn = SignedCommitment.objects.get(pledge=pledge, commitment__in=commitments("1.1"))
    assert withdrawn.withdrawn_at is not None
    assert Signature.objects.public().get() == pledge


def test_before_approval_changes_stay_private():
    pledge = make_pledge(codes=("1.1", "2.1"))
    add_commitment(pledge=pledge, commitment=commitments("8.1")[0])
    assert kinds(pledge)[-1] == ("commitment_added", "8.1", False)


def test_a_withdrawn_commitment_can_be_signed_again():
    pledge = approve(make_pledge(codes=("1.1", "2.1")))
    withdraw_commitment(pledge=pledge, commitment=commitments("1.1")[0])
    add_commitment(pledge=pledge, commitment=commitments("1.1")[0])
    assert active_codes(pledge) == ["1.1", "2.1"]
    assert SignedCommitment.objects.filter(pledge=pledge).count() == 2


def test_the_last_commitment_is_withdrawn_by_withdrawing_the_signature():
    pledge = approve(make_pledge(codes=("1.1",)))
    with pytest.raises(ValidationError, match="C’est votre dernier engagement"):
        withdraw_commitment(pledge=pledge, commitment=commitments("1.1")[0])


def test_adding_a_commitment_twice_or_withdrawing_one_never_signed_is_refused():
    pledge = approve(make_pledge(codes=("1.1", "2.1")))
    with pytest.raises(ValidationError, match="déjà signé"):
        add_commitment(pledge=pledge, commitment=commitments("1.1")[0])
    with pytest.raises(ValidationError, match="ne fait pas partie"):
        withdraw_commitment(pledge=pledge, commitment=commitments("5.1")[0])


def test_withdrawing_the_whole_signature_keeps_a_dated_public_record():
    pledge = approve(make_pledge())
    withdraw_pledge(pledge=pledge)
    pledge.refresh_from_db()
    assert pledge.status == Signature.Status.WITHDRAWN
    assert pledge.withdrawn_at is not None
    assert kinds(pledge)[-1] == ("withdrawn", None, True)
    assert Signature.objects.public().get() == pledge  # « signature retirée le … »
    with pytest.raises(ValidationError, match="déjà retirée"):
        withdraw_pledge(pledge=pledge)
    with pytest.raises(ValidationError, match="n’est plus active"):
        withdraw_commitment(pledge=pledge, commitment=commitments("1.1")[0])


def test_a_pledge_withdrawn_before_approval_is_not_public_and_can_be_signed_again():
    pledge = make_pledge()
    withdraw_pledge(pledge=pledge)
    assert not Signature.objects.public().exists()
    again = submit_pledge(candidate=pledge.candidate, commitments=commitments("4.1"))
    assert again.pk == pledge.pk and again.status == Signature.Status.PENDING
    assert active_codes(again) == ["4.1"]


def test_an_approved_pledge_is_not_resubmitted_from_the_signing_form():
    pledge = approve(make_pledge())
    with pytest.raises(ValidationError, match="déjà validée"):
        submit_pledge(candidate=pledge.candidate, commitments=commitments("1.1"))


def test_a_pledge_withdrawn_after_approval_is_not_signed_again():
    pledge = approve(make_pledge())
    withdraw_pledge(pledge=pledge)
    with pytest.raises(ValidationError) as error:
        submit_pledge(candidate=pledge.candidate, commitments=commitments("1.1"))
    assert error.value.messages == [
        "Votre signature a été retirée : écrivez à l’équipe Coorace pour la reprendre."
    ]


def test_signing_follows_the_table_of_transitions(monkeypatch):
    """Take « validée » → « retirée » out of Signature.TRANSITIONS: withdrawing is refused."""
    pledge = approve(make_pledge())
    table = {**Signature.TRANSITIONS, Signature.Status.APPROVED: frozenset()}
    monkeypatch.setattr(Signature, "TRANSITIONS", table)
    with pytest.raises(ValidationError) as error:
        withdraw_pledge(pledge=pledge)
    assert error.value.messages == ["Cette signature n’est pas publiée : il n’y a rien à retirer."]
    pledge.refresh_from_db()
    assert pledge.status == Signature.Status.APPROVED


def test_a_refused_withdrawal_names_the_rule():
    pledge = make_pledge(status=Signature.Status.REJECTED)
    with pytest.raises(ValidationError) as error:
        withdraw_pledge(pledge=pledge)
    assert error.value.messages == ["Cette signature n’est pas publiée : il n’y a rien à retirer."]


def test_a_rejected_pledge_is_not_public_and_cannot_be_resubmitted():
    pledge = make_pledge(status=Signature.Status.REJECTED)
    assert not Signature.objects.public().exists()
    with pytest.raises(ValidationError, match="écrivez à l’équipe Coorace"):
        submit_pledge(candidate=pledge.candidate, commitments=commitments("1.1"))


def test_a_signed_commitment_keeps_its_wording():
    commitment = commitments("1.1")[0]
    commitment.text = commitment.text + " Et plus encore."
    commitment.save()  # nobody has signed it yet: staff may still edit
    make_pledge(codes=("1.1",))
    commitment.text = "Je m’engage à autre chose."
    with pytest.raises(ValidationError, match="déjà été signé"):
        commitment.save()
    assert Commitment.objects.get(pk=commitment.pk).text.endswith("Et plus encore.")


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_create_one_pledge(reference_data):
    candidate = make_candidate()
    chosen = commitments("1.1", "2.1")
    barrier = threading.Barrier(2)
    results, errors = [], []

    def submit():
        try:
            barrier.wait()
            results.append(submit_pledge(candidate=candidate, commitments=chosen).pk)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(results)) == 1
    assert Signature.objects.filter(candidate=candidate).count() == 1
    assert SignatureEvent.objects.filter(pledge__candidate=candidate).count() == 1
    assert Candidate.objects.count() == 1
