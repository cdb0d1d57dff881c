"""A list's certificate: « La liste X, conduite par Y, à Z », re-issued when its name or its
head changes, downloaded by its head and its confirmed colistiers."""

import pytest
from django.urls import reverse

from candidates.models import Candidate
from pledges.certificates.pdf import render_certificate_pdf
from pledges.certificates.services import fingerprint_of, verify
from pledges.lists.services import ListAlreadyHeaded, decide_join, request_join
from pledges.models import AuditEntry, Certificate, ListClaim
from pledges.moderation.services import edit_candidate_identity, edit_list, settle_list_claim
from tests.factories import approve, make_candidate, make_moderator, make_pledge, make_user
from tests.pledges.certificates.test_services import pdf_text

pytestmark = pytest.mark.django_db

MY_LIST_CERTIFICATE = reverse("pledges:my_list_certificate")


def list_signed(name="Saint-Étienne solidaire", **fields):
    fields.setdefault("first_name", "Léa")
    fields.setdefault("last_name", "Dupré")
    return approve(make_pledge(make_candidate(list_name=name, **fields)))


def colistier_of(pledge, *, confirmed=True, **fields):
    candidate = make_candidate(role=Candidate.Role.CANDIDATE, list_name="", **fields)
    membership = request_join(
        candidate=candidate, electoral_list=pledge.electoral_list, consent=True
    )
    if confirmed:
        decide_join(membership=membership, user=pledge.candidate.user, accept=True)
    return candidate


def current(pledge) -> Certificate:
    return pledge.certificates.current().get()


def downloaded(client, user, url=MY_LIST_CERTIFICATE):
    client.force_login(user)
    return client.get(url)


def test_a_confirmed_colistier_downloads_their_lists_certificate(client, tmp_path):
    pledge = list_signed()
    member = colistier_of(pledge, first_name="Paul", last_name="Morel")
    response = downloaded(client, member.user)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    reference = current(pledge).reference
    assert response["Content-Disposition"] == (
        f'attachment; filename="attestation-coorace-saint-etienne-solidaire-{reference}.pdf"'
    )
    text = pdf_text(b"".join(response.streaming_content), tmp_path)
    assert "Coorace atteste que la liste « Saint-Étienne solidaire »" in text
    assert "conduite par Léa Dupré, à Saint-Étienne" in text
    assert reference in text


def test_the_head_downloads_it_from_mon_espace_and_others_get_nothing(client):
    pledge = list_signed()
    assert (
        downloaded(client, pledge.candidate.user, reverse("pledges:my_certificate")).status_code
        == 200
    )
    assert downloaded(client, pledge.candidate.user).status_code == 200
    asking = colistier_of(pledge, confirmed=False)
    assert downloaded(client, asking.user).status_code == 404  # not confirmed yet
    assert downloaded(client, make_user()).status_code == 404
    refused = colistier_of(list_signed("Une autre liste"), confirmed=False)
    assert downloaded(client, refused.user).status_code == 404


def test_a_member_of_a_list_not_yet_approved_gets_no_certificate(client):
    head = make_candidate(list_name="Pas encore validée")
    pledge = make_pledge(head)
    member = colistier_of(pledge)
    assert downloaded(client, member.user).status_code == 404
    approve(pledge)
    assert downloaded(client, member.user).status_code == 200


def test_a_new_name_reissues_the_certificate_and_the_old_one_stays_as_issued():
    pledge = list_signed()
    first = current(pledge)
    moderator = make_moderator()
    edit_list(
        electoral_list=pledge.electoral_list,
        moderator=moderator,
        changes={"name": "Saint-Étienne solidaire et écologique"},
    )
    second = current(pledge)
    assert second.version == 2
    assert second.content["liste"]["nom"] == "Saint-Étienne solidaire et écologique"
    first.refresh_from_db()
    assert first.content["liste"]["nom"] == "Saint-Étienne solidaire"
    assert first.fingerprint == fingerprint_of(
        reference=first.reference,
        version=first.version,
        issued_at=first.issued_at,
        content=first.content,
    )
    verification = verify(first.reference)
    assert verification.state == "superseded" and verification.latest == second
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LIST_EDITED)
    assert entry.changes == {
        "name": ["Saint-Étienne solidaire", "Saint-Étienne solidaire et écologique"]
    }
    assert entry.pledge == pledge
    # Nothing certified changed: no new version.
    edit_list(electoral_list=pledge.electoral_list, moderator=moderator, changes={"website": ""})
    edit_list(
        electoral_list=pledge.electoral_list,
        moderator=moderator,
        changes={"joins_need_staff": True},
    )
    assert pledge.certificates.count() == 2


def test_a_new_head_reissues_the_certificate_and_so_does_an_edit_of_their_name():
    pledge = list_signed()
    rival = make_candidate(first_name="Zoé", last_name="Roux", list_name="SAINT-ÉTIENNE SOLIDAIRE")
    with pytest.raises(ListAlreadyHeaded):
        make_pledge(rival)
    moderator = make_moderator()
    settle_list_claim(
        claim=ListClaim.objects.get(candidate=rival), moderator=moderator, give_list=True
    )
    assert current(pledge).content["liste"]["tete"] == {"prenom": "Zoé", "nom": "Roux"}
    assert pledge.certificates.count() == 2
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CLAIM_SETTLED)
    assert entry.changes["head"] == [pledge.candidate.pk, rival.pk]
    # The head's name corrected by staff: the list's certificate names them anew.
    edit_candidate_identity(candidate=rival, moderator=moderator, changes={"last_name": "Rousse"})
    assert current(pledge).content["liste"]["tete"] == {"prenom": "Zoé", "nom": "Rousse"}
    assert pledge.certificates.count() == 3


def test_a_certificate_issued_before_lists_were_records_still_renders_and_verifies(tmp_path):
    pledge = list_signed()
    certificate = current(pledge)
    # As versions issued before this change were frozen: no « liste ».
    content = {key: value for key, value in certificate.content.items() if key != "liste"}
    fingerprint = fingerprint_of(
        reference=certificate.reference,
        version=certificate.version,
        issued_at=certificate.issued_at,
        content=content,
    )
    Certificate.objects.filter(pk=certificate.pk).update(content=content, fingerprint=fingerprint)
    certificate.refresh_from_db()
    assert verify(certificate.reference).state == "valid"
    text = pdf_text(render_certificate_pdf(certificate), tmp_path)
    assert "Coorace atteste que Léa Dupré" in text
    assert "Tête de liste de « Saint-Étienne solidaire »" in text
    assert fingerprint in text.replace(" ", "")


def test_the_verification_page_shows_the_list(client):
    pledge = list_signed()
    certificate = current(pledge)
    content = client.get(certificate.get_absolute_url()).content.decode()
    assert "Attestation valide et à jour" in content
    assert "«\u202fSaint-Étienne solidaire\u202f»" in content
    assert "Conduite par" in content and "Léa Dupré" in content
    assert f'href="/listes/{pledge.electoral_list_id}/"' in content
