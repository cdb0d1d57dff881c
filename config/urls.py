from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from candidates.admin_login import AdminLoginForm
from config.http import public_cache
from config.typography import FrenchJavaScriptCatalog

urlpatterns = [
    path("", include("pledges.urls")),
    path("", include("communes.urls")),
    path("", include("candidates.urls")),
    path("compte/", include("config.accounts_urls")),
    path("admin/", admin.site.urls),
    # The French catalogue's djangojs domain (static/js/commune-autocomplete.js), the
    # project's own strings only: gettext, ngettext with the French plural rule, interpolate;
    # in French typography, as config.typography sets the pages'.
    path(
        "jsi18n/",
        public_cache(FrenchJavaScriptCatalog.as_view(packages=["config"])),
        name="javascript-catalog",
    ),
]

admin.site.site_header = _("Coorace #Municipales2020 — administration")
admin.site.site_title = _("Coorace #Municipales2020")
admin.site.index_title = _("Charte, communes et modération")
# Failed admin logins are counted and limited as allauth limits its own.
admin.site.login_form = AdminLoginForm
