"""allauth's account forms in the site's words, and a sign-up that takes as long for an
address that has an account as for one that has none.

With `ACCOUNT_PREVENT_ENUMERATION`, allauth answers both the same way (« vérifiez vos
courriels ») and, for a known address, only queues an « account already exists » e-mail.
That path skipped the password hash (PBKDF2, about 0.3 s by design), so the response
time alone told whether an address is registered. Hashing the submitted password there
too, and throwing the hash away, leaves a difference of a few milliseconds.

allauth's French names the address « adresse e-mail » (label, placeholder, and Django's
« Saisissez une adresse e-mail valide »); the site says « adresse électronique » (README
« Vocabulary »): `FrenchEmailLabel` renames it in every form that asks for one.
"""

from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest
from django.utils.translation import gettext_lazy


class FrenchEmailLabel:
    email_field = "email"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields[self.email_field]
        field.label = gettext_lazy("Adresse électronique")
        field.widget.attrs["placeholder"] = gettext_lazy("Adresse électronique")
        field.error_messages["invalid"] = gettext_lazy("Saisissez une adresse électronique valide.")


class SignupForm(FrenchEmailLabel, AllauthSignupForm):
    def try_save(self, request: HttpRequest):
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)


class LoginForm(FrenchEmailLabel, AllauthLoginForm):
    email_field = "login"


class ResetPasswordForm(FrenchEmailLabel, AllauthResetPasswordForm):
    pass


class AddEmailForm(FrenchEmailLabel, AllauthAddEmailForm):
    pass
