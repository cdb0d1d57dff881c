"""allauth's account pages under French paths, with allauth's URL names.

Included at `/compte/` by config/urls.py instead of `allauth.urls`: `{% url 'account_login' %}`
and allauth's own redirects keep working, and the site shows `/compte/connexion/` rather than
`/compte/login/`. Only the views the site's settings use are routed (e-mail and password; no
social accounts, no login or reset by code, no phone; a code by e-mail only to confirm that
it is you, which allauth offers beside the password).

The English paths that allauth served until then (links already sent by e-mail, bookmarks)
answer with a permanent redirect to the French ones, query string kept.
"""

from allauth.account import views
from django.urls import path, re_path
from django.views.generic.base import RedirectView

urlpatterns = [
    path("connexion/", views.login, name="account_login"),
    path("deconnexion/", views.logout, name="account_logout"),
    path("inactif/", views.account_inactive, name="account_inactive"),
    path("inscription/", views.signup, name="account_signup"),
    path("reauthentification/", views.reauthenticate, name="account_reauthenticate"),
    # allauth offers the code by e-mail beside the password (ACCOUNT_REAUTHENTICATION_METHODS).
    path(
        "reauthentification/code/",
        views.request_reauthentication_code,
        name="account_request_reauthentication_code",
    ),
    path(
        "reauthentification/code/confirmer/",
        views.confirm_reauthentication_code,
        name="account_confirm_reauthentication_code",
    ),
    path("adresses/", views.email, name="account_email"),
    path(
        "confirmer-email/",
        views.email_verification_sent,
        name="account_email_verification_sent",
    ),
    re_path(
        r"^confirmer-email/(?P<key>[-:\w]+)/$",
        views.confirm_email,
        name="account_confirm_email",
    ),
    path("mot-de-passe/modifier/", views.password_change, name="account_change_password"),
    path("mot-de-passe/definir/", views.password_set, name="account_set_password"),
    path("mot-de-passe/oubli/", views.password_reset, name="account_reset_password"),
    path(
        "mot-de-passe/oubli/envoye/",
        views.password_reset_done,
        name="account_reset_password_done",
    ),
    path(
        "mot-de-passe/oubli/termine/",
        views.password_reset_from_key_done,
        name="account_reset_password_from_key_done",
    ),
    re_path(
        r"^mot-de-passe/oubli/cle/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        views.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
]


def _moved(old: str, name: str, *, regex: bool = False):
    """A permanent redirect from allauth's English path to the page named `name`."""
    view = RedirectView.as_view(pattern_name=name, permanent=True, query_string=True)
    return re_path(old, view) if regex else path(old, view)


# allauth's paths (allauth/account/urls.py, 65.x) → the same page under its French path.
legacy_urlpatterns = [
    _moved("login/", "account_login"),
    _moved("logout/", "account_logout"),
    _moved("inactive/", "account_inactive"),
    _moved("signup/", "account_signup"),
    _moved("reauthenticate/", "account_reauthenticate"),
    _moved("reauthenticate/code/", "account_request_reauthentication_code"),
    _moved("reauthenticate/code/confirm/", "account_confirm_reauthentication_code"),
    _moved("email/", "account_email"),
    _moved("confirm-email/", "account_email_verification_sent"),
    _moved(r"^confirm-email/(?P<key>[-:\w]+)/$", "account_confirm_email", regex=True),
    _moved("password/change/", "account_change_password"),
    _moved("password/set/", "account_set_password"),
    _moved("password/reset/", "account_reset_password"),
    _moved("password/reset/done/", "account_reset_password_done"),
    _moved("password/reset/key/done/", "account_reset_password_from_key_done"),
    _moved(
        r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        "account_reset_password_from_key",
        regex=True,
    ),
]

urlpatterns += legacy_urlpatterns
