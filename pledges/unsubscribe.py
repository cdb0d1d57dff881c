"""Unsubscribe links that carry no address: a signed account id, one salt per kind of link.

django.core.signing signs, it does not encrypt: whatever a token holds can be read back from
the URL, which lands in the access logs and the browser's history. So the token holds the
account's id only (`{"u": 12}`, signed with the caller's salt), and the address is read from
the account when the link is used: the current address of that account is the one
unsubscribed. An erased account's link no longer leads anywhere (`address_of_token` is
None), like a tampered-with one. The campaign mailings (pledges.mailings) and the reminders
(pledges.reminders) each pass their own salt, so neither link can pass for the other.
"""

from django.contrib.auth import get_user_model
from django.core import signing


def make_token(user_pk: int, *, salt: str) -> str:
    return signing.dumps({"u": user_pk}, salt=salt)


def address_of_token(token: str, *, salt: str) -> str | None:
    """The current address of the account the token was made for; None if the token was not
    made by this site with `salt`, or the account is gone or has no address."""
    try:
        payload = signing.loads(token, salt=salt)
    except signing.BadSignature:
        return None
    user_pk = payload.get("u") if isinstance(payload, dict) else None
    if type(user_pk) is not int:
        return None
    email = get_user_model().objects.filter(pk=user_pk).values_list("email", flat=True).first()
    return email or None
