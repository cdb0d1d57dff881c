"""Candidates seeded with known e-mails and phone numbers: no public response shows them."""

import re

import pytest

from pledges.models import Signature
from pledges.moderation.services import approve_pledge, request_changes
from pledges.signing.services import submit_pledge
from tests.bulk import SECRET_EMAIL_DOMAIN, SECRET_PHONE, make_signatory
from tests.factories import commitments, make_candidate, make_moderator, make_pledge
from tests.pages import pages_about

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
