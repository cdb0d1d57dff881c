"""The alerts' routes, included in pledges/urls.py (namespace `pledges`)."""

from django.urls import path, re_path

from communes.urls import INSEE_CODE
from config.http import public_cache
from pledges.alerts import views
from pledges.alerts.feeds import CommuneFeed

urlpatterns = [
    re_path(rf"^communes/{INSEE_CODE}/alertes/$", views.subscribe_view, name="alerts_subscribe"),
    re_path(
        rf"^communes/{INSEE_CODE}/flux\.atom$", public_cache(CommuneFeed()), name="commune_feed"
    ),
    path("alertes/confirmer/<str:token>/", views.confirm_view, name="alerts_confirm"),
    path("alertes/desinscription/<str:token>/", views.unsubscribe_view, name="alerts_unsubscribe"),
]
