"""The invitation letter's short link, included in the pledges URLconf (pledges/urls.py)."""

from django.urls import re_path

from pledges.roster import views

urlpatterns = [
    # Any short word: a code mistyped from a letter gets the French « lien inconnu » page.
    re_path(r"^l/(?P<code>[-\w]{1,40})/$", views.invitation, name="roster_invitation"),
]
