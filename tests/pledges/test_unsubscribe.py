"""pledges.unsubscribe: the unsubscribe token holds a signed account id, never an address;
`assert_no_address` is what the mailings' and the reminders' tests check their links with."""

import base64
import zlib

import pytest
from django.core import signing

from pledges.unsubscribe import address_of_token, make_token
from tests.factories import make_user

pytestmark = pytest.mark.django_db
SALT = "pledges.tests.unsubscribe"


def assert_no_address(link: str, email: str) -> None:
    """Neither the address nor its base64 (whatever the alignment) can be read in `link`,
    and its token's payload, decoded, holds no address."""
    assert email.lower() not in link.lower() and "@" not in link
    for prefix in (b"", b"x", b"xx", b'"'):
        encoded = base64.urlsafe_b64encode(prefix + email.encode()).decode().rstrip("=")
        assert encoded[4:-4] not in link
    token = link.rstrip("/").rsplit("/", 1)[-1]
    payload = token.split(":", 1)[0]
    decoded = signing.b64_decode(payload.lstrip(".").encode())
    if payload.startswith("."):
        decoded = zlib.decompress(decoded)
    assert b"@" not in decoded and email.lower().encode() not in decoded.lower()


@pytest.mark.parametrize(
    "token",
    [
        signing.dumps("alice@exemple.test", salt=SALT),
        signing.dumps("alice@exemple.test", salt=SALT, compress=True),
        signing.dumps({"e": "alice@exemple.test"}, salt=SALT),
    ],
)
def test_the_check_catches_a_token_holding_the_address(token):
    with pytest.raises(AssertionError):
        assert_no_address(f"https://exemple.test/desinscription/{token}/", "alice@exemple.test")


def test_the_token_reads_back_the_account_s_current_address():
    user = make_user("alice@exemple.test")
    token = make_token(user.pk, salt=SALT)
    assert_no_address(f"https://exemple.test/desinscription/{token}/", user.email)
    assert len(token) < 80  # compact: the id, a timestamp, the signature
    assert address_of_token(token, salt=SALT) == "alice@exemple.test"
    user.email = "alice.durand@exemple.test"
    user.save()
    assert address_of_token(token, salt=SALT) == "alice.durand@exemple.test"


def test_another_salt_an_erased_account_or_a_forged_payload_reads_nothing():
    user = make_user("alice@exemple.test")
    token = make_token(user.pk, salt=SALT)
    assert address_of_token(token, salt="pledges.mailings.unsubscribe") is None
    assert address_of_token(token[:-2] + "xx", salt=SALT) is None
    for payload in ({"u": str(user.pk)}, {"u": True}, [user.pk], user.pk, "alice@exemple.test"):
        assert address_of_token(signing.dumps(payload, salt=SALT), salt=SALT) is None
    user.email = ""
    user.save()
    assert address_of_token(token, salt=SALT) is None
    user.delete()
    assert address_of_token(token, salt=SALT) is None
