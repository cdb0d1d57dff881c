"""The follow-up's routes, included in pledges/urls.py (namespace `pledges`)."""

from django.urls import path

from pledges.follow_up import views

urlpatterns = [
    path("mon-espace/suivi/", views.mine, name="follow_up_mine"),
    path("suivi/signatures/<int:pk>/", views.signature_follow_up, name="follow_up_signature"),
    path("suivi/signatures/<int:pk>/proposer/", views.propose, name="follow_up_propose"),
    path("suivi/documents/<int:pk>/", views.document, name="follow_up_document"),
]
