from django.urls import path, re_path

from communes import views

app_name = "communes"

INSEE_CODE = r"(?P<insee_code>(?:[0-9]{2}|2[ABab])[0-9]{3})"

urlpatterns = [
    path("communes/", views.search, name="search"),
    re_path(rf"^communes/{INSEE_CODE}/$", views.detail, name="detail"),
    re_path(
        rf"^communes/{INSEE_CODE}-(?P<slug>[-\w]+)/$", views.detail_with_slug, name="detail_slug"
    ),
    path("api/communes/", views.api_search, name="api_search"),
    re_path(r"^regions/(?P<code>[0-9]{2,3})/$", views.region, name="region"),
    re_path(r"^departements/(?P<code>[0-9]{2,3}|2[AB])/$", views.departement, name="departement"),
]
