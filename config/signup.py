"""allauth's sign-up form, taking as long for an address that has an account as for one
that has none.

With `ACCOUNT_PREVENT_ENUMERATION`, allauth answers both the same way (« vérifiez vos
e-mails ») and, for a known address, only queues an « account already exists » e-mail.
That path skipped the password hash (PBKDF2, about 0.3 s by design), so the response
time alone told whether an address is registered. Hashing the submitted password there
too, and throwing the hash away, leaves a difference of a few milliseconds.
"""

from allauth.account.forms import SignupForm as AllauthSignupForm
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest


class SignupForm(AllauthSignupForm):
    def try_save(self, request: HttpRequest):
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)
