"""The mailings' routes, included in pledges/urls.py (namespace `pledges`)."""

from django.urls import path

from pledges.mailings import views

urlpatterns = [
    path("desinscription/<str:token>/", views.unsubscribe_view, name="mailing_unsubscribe"),
]
