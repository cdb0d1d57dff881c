"""A sign-up with a known address does what a new one does, bar the account (config/signup.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import MD5PasswordHasher
from django.urls import reverse

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def hashed(monkeypatch) -> list[str]:
    """The passwords hashed during the test (the suite's hasher is MD5)."""
    passwords = []
    encode = MD5PasswordHasher.encode

    def counting(self, password, salt):
        passwords.append(password)
        return encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting)
    return passwords


def sign_up(client, email):
    password = "Un autre mot de passe 2020"
    data = {"email": email, "password1": password, "password2": password}
    return client.post(reverse("account_signup"), data)


@pytest.mark.parametrize("known", [False, True], ids=["new", "known"])
def test_a_sign_up_hashes_the_password_whether_or_not_the_address_is_known(
    client, hashed, mailoutbox, known
):
    if known:
        make_user("lea@exemple.test")
    hashed.clear()
    response = sign_up(client, "lea@exemple.test")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert hashed == ["Un autre mot de passe 2020"]
    (email,) = mailoutbox
    assert email.to == ["lea@exemple.test"]


def test_a_known_address_gets_no_second_account_and_keeps_its_password(client, hashed):
    user = make_user("lea@exemple.test")
    sign_up(client, "lea@exemple.test")
    assert get_user_model().objects.filter(email="lea@exemple.test").count() == 1
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
