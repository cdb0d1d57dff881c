from django.urls import path

from communes import views

app_name = "communes"

INSEE_CODE = r"(?P<insee_code>(?:[0-9]{2}|2[ABab])[0-9]{3})"

urlpatterns = [
    path("communes/", views.search, name="search"),
    path("api/communes/", views.api_search, name="api_search"),
]
