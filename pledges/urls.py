from django.urls import path

from pledges import views

app_name = "pledges"

urlpatterns = [
    path("", views.home, name="home"),
    path("propositions/<int:number>/", views.proposal, name="proposal"),
    path("mentions-legales/", views.legal_notice, name="legal_notice"),
    path("donnees-personnelles/", views.privacy, name="privacy"),
    path("signer/", views.sign, name="sign"),
    path("mon-espace/", views.space, name="space"),
    path(
        "mon-espace/engagements/<int:commitment_id>/ajouter/",
        views.change_commitment,
        {"action": "ajouter"},
        name="add_commitment",
    ),
    path(
        "mon-espace/engagements/<int:commitment_id>/retirer/",
        views.change_commitment,
        {"action": "retirer"},
        name="withdraw_commitment",
    ),
    path("mon-espace/retirer-ma-signature/", views.withdraw, name="withdraw"),
]
