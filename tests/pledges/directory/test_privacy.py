"""Candidates seeded with known e-mails and phone numbers: no public response shows them."""

import re

import pytest

from pledges.models import Signature
from pledges.moderation.services import approve_pledge, request_changes
from pledges.signing.services import submit_pledge
from tests.bulk import SECRET_EMAIL_DOMAIN, SECRET_PHONE, make_signatory
from tests.factories import commitments, make_candidate, make_moderator, make_pledge
from tests.pages import pages_about, pages_about_list
from tests.pledges.directory.lists_data import add_member, make_list, sign_personally

pytestmark = pytest.mark.django_db

Status = Signature.Status
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.\w+")


def test_no_public_response_contains_an_email_or_a_phone_number(client):
    approved = make_signatory(list_name="Liste publique", codes=("1.1", "2.1"))
    withdrawn = make_signatory(status=Status.WITHDRAWN, was_approved=True)
    hidden = [
        make_signatory(status=status, was_approved=status == Status.UNPUBLISHED)
        for status in (Status.PENDING, Status.REJECTED, Status.UNPUBLISHED)
    ]
    assert approved.candidate.user.email.endswith(SECRET_EMAIL_DOMAIN)
    assert approved.candidate.phone == SECRET_PHONE
    paths = [
        *pages_about(approved, "camille", "liste publique"),
        withdrawn.get_absolute_url(),
    ]
    phone_digits = SECRET_PHONE.replace(" ", "")
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        content = response.getvalue().decode()  # the exports are streamed
        assert SECRET_EMAIL_DOMAIN not in content, path
        assert not EMAIL.search(content), path
        assert SECRET_PHONE not in content and phone_digits not in content, path
        assert "99 88 77 66" not in content and "0699887766" not in content, path
        assert "Je certifie" not in content and "Note privée" not in content, path
    for pledge in hidden:
        assert client.get(pledge.get_absolute_url()).status_code == 404


def test_staff_notes_to_a_candidate_never_reach_the_public_pages(client):
    """A signatory asked for changes, who sent them and was approved: the history is public
    from the approval on, and what staff wrote to the candidate stays between them."""
    moderator = make_moderator()
    pledge = make_pledge(make_candidate(last_name="Corrigée"), codes=("1.1",))
    request_changes(pledge=pledge, moderator=moderator, message="Note privée : liste à préciser")
    submit_pledge(candidate=pledge.candidate, commitments=commitments("1.1", "2.1"))
    approve_pledge(pledge=pledge, moderator=moderator)
    assert pledge.events.filter(note__startswith="Note privée").exists()
    for path in pages_about(pledge, "corrigee"):
        content = client.get(path).getvalue().decode()
        assert "Note privée" not in content and "liste à préciser" not in content, path


def test_nothing_private_about_a_list_or_its_members_reaches_the_public(client):
    """Members' contacts, requests waiting or refused, consents, the invitation token, the
    ballot note and staff's review note: on no public page, file or API."""
    the_list = make_list("Liste publique", codes=("1.1", "2.1"))
    head = the_list.head
    head.phone, head.ballot_note = "06 11 22 33 44", "Note de scrutin confidentielle"
    head.save()
    confirmed = add_member(the_list, last_name="Confirmée")
    confirmed.candidate.phone = "06 55 66 77 88"
    confirmed.candidate.save()
    sign_personally(confirmed, "5.1")
    waiting = add_member(the_list, last_name="Enattente", confirm=None)
    refused = add_member(the_list, last_name="Refusée", confirm=False)
    # Staff flagged the list for review (the moderation admin writes this note).
    the_list.review_note = "Note de revue interne"
    the_list.save(update_fields=["review_note"])
    secrets = [
        head.user.email,
        confirmed.candidate.user.email,
        waiting.candidate.user.email,
        "06 11 22 33 44",
        "0611223344",
        "06 55 66 77 88",
        "Note de scrutin confidentielle",
        "Note de revue interne",
        the_list.invitation_token,
        "Enattente",
        "Refusée",
        "J’accepte que mon nom",  # the consent texts
        "Je certifie",
    ]
    paths = pages_about_list(the_list, "liste publique", "enattente", "refusee")
    assert f"/signataires/{confirmed.candidate.signatures.get().pk}/" in paths
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        content = response.getvalue().decode()  # the exports are streamed
        for secret in secrets:
            assert secret not in content, (path, secret)
        assert not EMAIL.search(content), path
    assert "Camille Confirmée" in client.get(the_list.get_absolute_url()).content.decode()
    assert refused.status == "refused"
