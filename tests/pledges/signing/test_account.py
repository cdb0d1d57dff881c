"""pledges.signing.account through « Mon espace »: the data export, and the account's erasure."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import transaction
from django.urls import reverse

from candidates.models import Candidate, CorrectionRequest
from pledges.certificates.services import delete_orphan_files, pdf_name
from pledges.lists.services import ListAlreadyHeaded, decide_join, request_join
from pledges.models import (
    AuditEntry,
    Certificate,
    ElectoralList,
    ListClaim,
    RejectionReason,
    Signature,
    SignatureTrace,
)
from pledges.moderation.services import (
    edit_candidate_identity,
    reissue_certificate,
    reject_pledge,
    request_changes,
    settle_list_claim,
    unpublish_pledge,
)
from pledges.signing.account import delete_account, pseudonym_for
from pledges.signing.services import submit_pledge
from tests.factories import (
    CHANGES_MESSAGE,
    PASSWORD,
    REJECTION_DETAILS,
    a_moderator,
    approve,
    commitments,
    make_candidate,
    make_moderator,
    make_pledge,
)

pytestmark = pytest.mark.django_db


def content(response):
    return response.content.decode()


def test_the_data_export_holds_everything_about_the_account(user_client):
    candidate = make_candidate(user=user_client.user, phone="07 00 00 00 01")
    make_pledge(candidate, codes=("1.1", "9.3"))
    response = user_client.get(reverse("pledges:export_data"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="mes-donnees-coorace-')
    data = response.json()
    assert data["compte"]["email"] == "camille@exemple.test"
    assert data["candidature"]["telephone"] == "07 00 00 00 01"
    (signature,) = data["signatures"]
    assert signature["statut"] == "en attente de validation"
    assert [e["code"] for e in signature["engagements"]] == ["1.1", "9.3"]
    assert signature["consentements"][1]["texte"].startswith("J’accepte que mon nom")


def test_deleting_the_account_needs_the_password_then_erases_everything(user_client):
    candidate = make_candidate(user=user_client.user)
    approve(make_pledge(candidate))
    url = reverse("pledges:delete_account")
    response = user_client.post(url, {"password": "pas le bon"})
    assert "Ce mot de passe n’est pas le bon." in content(response)
    assert Candidate.objects.exists()
    response = user_client.post(url, {"password": PASSWORD}, follow=True)
    assert "Votre compte est supprimé" in content(response)
    assert not Candidate.objects.exists()
    assert not Signature.objects.exists()
    assert user_client.get(reverse("pledges:space")).status_code == 302  # logged out


# ---------------------------------------------------------------- the export, item by item


def export(user_client) -> dict:
    response = user_client.get(reverse("pledges:export_data"))
    assert response.status_code == 200
    return response.json()


def test_the_export_holds_every_message_and_reason_staff_sent(user_client):
    candidate = make_candidate(user=user_client.user)
    pledge = make_pledge(candidate)
    moderator = make_moderator(first_name="Inès", last_name="Modératrice")
    request_changes(
        pledge=pledge, moderator=moderator, message=CHANGES_MESSAGE, ip_address="203.0.113.7"
    )
    submit_pledge(candidate=candidate, commitments=commitments("1.1", "2.1"))  # completed
    reason = RejectionReason.objects.filter(is_active=True).order_by("position", "pk")[0]
    reject_pledge(pledge=pledge, moderator=a_moderator(), reason=reason, details=REJECTION_DETAILS)
    CorrectionRequest.objects.create(candidate=candidate, message="Mon nom s’écrit Lévy.")
    data = export(user_client)
    history = data["signatures"][0]["historique"]
    asked = next(e for e in history if e["evenement"] == "compléments demandés")
    assert asked["message_de_l_equipe"] == CHANGES_MESSAGE
    refused = next(e for e in history if e["evenement"] == "signature refusée")
    assert refused["message_de_l_equipe"] == REJECTION_DETAILS
    assert refused["motif"] == {"libelle": reason.label, "texte_envoye": reason.candidate_text}
    (correction,) = data["demandes_de_correction"]
    assert correction["message"] == "Mon nom s’écrit Lévy." and correction["traitee_le"] is None
    # The audit log's entries about the signature, without the staff member's name or address.
    actions = [entry["action"] for entry in data["journal_des_decisions"]]
    assert actions == ["demande de compléments", "refus"]
    assert data["journal_des_decisions"][1]["message_ou_motif"].endswith(REJECTION_DETAILS)
    assert {entry["par"] for entry in data["journal_des_decisions"]} == {"équipe Coorace"}
    assert "203.0.113.7" not in json.dumps(data) and "Inès" not in json.dumps(data)


def test_the_export_holds_every_certificate_version_with_its_fingerprint_and_links(user_client):
    candidate = make_candidate(user=user_client.user)
    pledge = approve(make_pledge(candidate))
    reissue_certificate(pledge=pledge, moderator=a_moderator())
    first, second = Certificate.objects.filter(pledge=pledge).order_by("version")
    data = export(user_client)
    assert [c["reference"] for c in data["attestations"]] == [first.reference, second.reference]
    old, current = data["attestations"]
    assert (old["version"], old["empreinte_sha256"]) == (1, first.fingerprint)
    assert old["remplacee_le"] is not None and old["pdf"] is None
    assert old["verification"] == f"{settings.SITE_URL}/verifier/{first.reference}/"
    assert current["pdf"].endswith(reverse("pledges:my_certificate"))
    assert current["contenu_certifie"] == second.content
    # …and the audit entries about them: the approval and the re-issue.
    assert [e["action"] for e in data["journal_des_decisions"]] == [
        "validation",
        "réémission de l’attestation",
    ]
    assert data["journal_des_decisions"][1]["valeurs_avant_apres"] == {"version": [1, 2]}


def test_the_export_holds_every_email_address_of_the_account(user_client):
    EmailAddress.objects.create(
        user=user_client.user, email="camille.nouvelle@exemple.test", verified=False
    )
    data = export(user_client)
    assert data["compte"]["adresses_email"] == [
        {"adresse": "camille@exemple.test", "principale": True, "verifiee": True},
        {"adresse": "camille.nouvelle@exemple.test", "principale": False, "verifiee": False},
    ]


def test_the_export_holds_the_lists_headed_joined_and_claimed(user_client):
    head_pledge = approve(make_pledge(make_candidate(list_name="Marseille en commun")))
    mine = make_candidate(user=user_client.user, list_name="Marseille en commun")
    with pytest.raises(ListAlreadyHeaded):
        make_pledge(mine)
    data = export(user_client)
    (claim,) = data["listes"]["revendications_de_tete_de_liste"]
    assert claim["liste"] == "Marseille en commun" and claim["traitee_le"] is None
    # Then the claim is closed, they become a colistier of that list, and head another one.
    settle_list_claim(
        claim=ListClaim.objects.get(candidate=mine),
        moderator=a_moderator(),
        give_list=False,
        note="La tête de liste est confirmée.",
    )
    Candidate.objects.filter(pk=mine.pk).update(role=Candidate.Role.CANDIDATE, list_name="")
    mine.refresh_from_db()
    membership = request_join(
        candidate=mine, electoral_list=head_pledge.electoral_list, consent=True
    )
    decide_join(membership=membership, user=head_pledge.candidate.user, accept=True)
    ElectoralList.objects.filter(pk=head_pledge.electoral_list_id).update(head=mine)
    data = export(user_client)
    lists = data["listes"]
    assert lists["revendications_de_tete_de_liste"][0]["decision"] == (
        "La tête de liste est confirmée."
    )
    (joined,) = lists["adhesions_a_une_liste"]
    assert (joined["liste"], joined["statut"]) == ("Marseille en commun", "membre")
    assert joined["consentement"]["texte"] == membership.consent_publication_text
    assert [h["nom"] for h in lists["listes_conduites"]] == ["Marseille en commun"]
    # Heading a list signed by someone else: its certificate names them, so it is theirs too.
    assert [c["reference"] for c in data["attestations"]] == [
        head_pledge.certificates.get().reference
    ]
    assert data["attestations"][0]["pdf"].endswith(reverse("pledges:my_list_certificate"))


# ---------------------------------------------------------------- the erasure


def store(name: str) -> str:
    default_storage.save(name, ContentFile(b"%PDF-1.7\n%%EOF\n"))
    return name


def certificate_files(pledge) -> list[str]:
    """Every version's PDF in storage: the first rendered and recorded, the second written
    at its name by a render that has not recorded it yet."""
    reissue_certificate(pledge=pledge, moderator=a_moderator())
    first, second = Certificate.objects.filter(pledge=pledge).order_by("version")
    first.pdf.name = store(pdf_name(first))
    first.save(update_fields=["pdf"])
    names = [first.pdf.name, store(pdf_name(second))]
    assert all(default_storage.exists(name) for name in names)
    return names


def test_deleting_the_account_deletes_every_certificate_file_from_storage():
    pledge = approve(make_pledge())
    names = certificate_files(pledge)
    other = approve(make_pledge())
    (kept,) = certificate_files(other)[:1]
    delete_account(user=pledge.candidate.user)
    assert not any(default_storage.exists(name) for name in names)
    assert not Certificate.objects.filter(pledge_id=pledge.pk).exists()
    assert default_storage.exists(kept)  # someone else's


def test_a_storage_failure_does_not_undo_the_erasure_and_the_files_go_later(monkeypatch, caplog):
    pledge = approve(make_pledge())
    names = certificate_files(pledge)
    user = pledge.candidate.user

    def broken(self, name):
        raise PermissionError(f"read-only storage: {name}")

    monkeypatch.setattr(FileSystemStorage, "delete", broken)
    delete_account(user=user)
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert not Signature.objects.exists() and not Certificate.objects.exists()
    assert all(default_storage.exists(name) for name in names)
    assert "could not be deleted" in caplog.text
    # Should the job's retries give up too, the files belong to no certificate any more:
    # the orphan files' clean-up deletes them.
    monkeypatch.undo()
    assert sorted(delete_orphan_files()) == sorted(names)
    assert not any(default_storage.exists(name) for name in names)


def test_nothing_is_deleted_from_storage_when_the_erasure_rolls_back(monkeypatch):
    pledge = approve(make_pledge())
    names = certificate_files(pledge)

    class Stop(Exception):
        pass

    with pytest.raises(Stop), transaction.atomic():
        delete_account(user=pledge.candidate.user)
        raise Stop
    assert all(default_storage.exists(name) for name in names)
    assert Certificate.objects.filter(pledge=pledge).count() == 2


def all_audit_text() -> str:
    return json.dumps(
        [[entry.changes, entry.note] for entry in AuditEntry.objects.all()], ensure_ascii=False
    )


def test_deleting_the_account_removes_names_from_the_audit_log_and_keeps_the_decisions():
    candidate = make_candidate(first_name="Aurélie", last_name="Durand", list_name="Vivre à Lévis")
    pledge = approve(make_pledge(candidate))
    edit_candidate_identity(
        candidate=candidate, moderator=a_moderator(), changes={"last_name": "Lévy-Durand"}
    )
    unpublish_pledge(
        pledge=pledge, moderator=a_moderator(), reason="Aurélie Lévy-Durand l’a demandé."
    )
    pseudonym = pseudonym_for(pledge)
    assert "Durand" in all_audit_text()
    delete_account(user=candidate.user)
    text = all_audit_text()
    for personal in ("Aurélie", "Durand", "Lévy", "Vivre à Lévis"):
        assert personal not in text
    entries = AuditEntry.objects.order_by("at", "pk")
    assert [e.action for e in entries] == ["approved", "identity_edited", "unpublished"]
    assert {e.pledge_pseudonym for e in entries} == {pseudonym}
    assert all(e.pledge_id is None and e.actor_name for e in entries)
    approved, edited, unpublished = entries
    assert approved.changes == {"status": ["pending", "approved"]}
    assert edited.changes == {"last_name": ["(effacé)", "(effacé)"]}
    assert (unpublished.changes, unpublished.note) == ({"status": ["approved", "unpublished"]}, "")
    trace = SignatureTrace.objects.get(pseudonym=pseudonym)
    assert trace.last_status == "unpublished"


def test_a_refusal_keeps_its_reason_not_the_words_addressed_to_the_person():
    pledge = make_pledge(status=Signature.Status.REJECTED)
    reason = pledge.events.get(kind="rejected").reason
    assert REJECTION_DETAILS in AuditEntry.objects.get().note
    delete_account(user=pledge.candidate.user)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.note) == ("rejected", reason.label)
    assert entry.changes == {"status": ["pending", "rejected"]}


def test_a_claimants_erasure_removes_the_staff_note_on_their_claim():
    approve(make_pledge(make_candidate(list_name="Marseille en commun")))
    rival = make_candidate(first_name="Zoé", last_name="Rivière", list_name="Marseille en commun")
    with pytest.raises(ListAlreadyHeaded):
        make_pledge(rival)
    settle_list_claim(
        claim=ListClaim.objects.get(),
        moderator=a_moderator(),
        give_list=False,
        note="Zoé Rivière n’est pas tête de liste.",
    )
    delete_account(user=rival.user)
    entry = AuditEntry.objects.get(action="claim_settled")
    assert entry.note == "" and entry.changes["claim"][1] == "closed"
    assert "Rivière" not in all_audit_text()


def test_the_deletion_page_says_what_is_kept_and_why(user_client):
    make_candidate(user=user_client.user)
    text = content(user_client.get(reverse("pledges:delete_account")))
    assert "Ce qui est gardé, et pourquoi" in text
    assert "sans nom" in text
