"""The reminders' routes, included in pledges/urls.py (namespace `pledges`)."""

from django.urls import path

from pledges.reminders import views

urlpatterns = [
    path(
        "rappels/desinscription/<str:token>/",
        views.unsubscribe_view,
        name="reminders_unsubscribe",
    ),
]
