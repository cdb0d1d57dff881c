"""The candidate's side of lists, included in the pledges URLconf (pledges/urls.py)."""

from django.urls import path, re_path

from pledges.lists import views

urlpatterns = [
    path("mon-espace/liste/invitation/", views.invite, name="list_invite"),
    path("mon-espace/liste/quitter/", views.leave, name="list_leave"),
    path(
        "mon-espace/liste/adhesions/<int:pk>/confirmer/",
        views.decide,
        {"action": "confirmer"},
        name="list_confirm",
    ),
    path(
        "mon-espace/liste/adhesions/<int:pk>/refuser/",
        views.decide,
        {"action": "refuser"},
        name="list_refuse",
    ),
    path(
        "mon-espace/liste/adhesions/<int:pk>/retirer/",
        views.decide,
        {"action": "retirer"},
        name="list_remove",
    ),
    path("listes/rejoindre/", views.join, name="list_join"),
    # Invitation tokens are URL-safe base 64 (secrets.token_urlsafe).
    re_path(
        r"^listes/rejoindre/(?P<token>[-\w]{8,64})/$", views.invitation, name="list_invitation"
    ),
    path("listes/<int:pk>/rejoindre/", views.join_request, name="list_join_request"),
]
