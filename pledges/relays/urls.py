"""The relays' pages, included in the pledges URLconf (pledges/urls.py)."""

from django.urls import path, re_path

from pledges.relays import views

urlpatterns = [
    path("relais/", views.space, name="relay_space"),
    path("relais/invitations/", views.invited, name="relay_invited"),
    path("relais/listes/<int:pk>/", views.list_detail, name="relay_list"),
    path("relais/listes/<int:pk>/lettre.pdf", views.letter, name="relay_letter"),
    re_path(
        r"^relais/invitation/(?P<token>[-\w]{1,60})/$", views.invitation, name="relay_invitation"
    ),
    # A relay's personal link to one list; any short word, as /l/<code>/.
    re_path(r"^r/(?P<code>[-\w]{1,40})/$", views.relay_link, name="relay_link"),
]
