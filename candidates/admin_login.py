"""The admin's login, rate-limited as allauth limits its own.

Django's admin login counts nothing: every guess at a staff password would be free. This
form sends the admin's credentials through allauth's adapter, which counts the failed
attempts in the default cache (ACCOUNT_RATE_LIMITS["login_failed"]: 10 a minute per IP
address, 5 in 5 minutes per login), shared by the app servers when CACHE_URL is Redis.
Past the limit the form says so in French whatever the password, the right one included,
until the window passes; and it says the same whether the account exists or not.
"""

from allauth.account.adapter import get_adapter
from django.contrib.admin.forms import AdminAuthenticationForm


class AdminLoginForm(AdminAuthenticationForm):
    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            # Raises « Trop de tentatives de connexion échouées… » past the limit; a
            # successful attempt gives back the one it took.
            self.user_cache = get_adapter(self.request).authenticate(
                self.request, username=username, password=password
            )
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            # Not staff: the same message as a wrong password.
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
