"""Candidates seeded with known e-mails and phone numbers: no public response shows them."""

import re

import pytest

from pledges.models import Signature
from tests.bulk import SECRET_EMAIL_DOMAIN, SECRET_PHONE, make_signatory
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
