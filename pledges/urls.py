from django.urls import path, re_path

from communes.urls import INSEE_CODE
from pledges import directory, verification, views

app_name = "pledges"

urlpatterns = [
    path("", directory.home, name="home"),
    path("propositions/<int:number>/", directory.proposal, name="proposal"),
    path("mentions-legales/", views.legal_notice, name="legal_notice"),
    path("donnees-personnelles/", views.privacy, name="privacy"),
    path("accessibilite/", views.accessibility, name="accessibility"),
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
    path("signataires/<int:pk>/", directory.signatory, name="signatory"),
    # The public directory (pledges/directory.py).
    path("recherche/", directory.search, name="search"),
    path("donnees/", directory.open_data_page, name="open_data"),
    path("donnees/signataires.csv", directory.open_data_csv, name="open_data_csv"),
    path("donnees/signataires.json", directory.open_data_json, name="open_data_json"),
    re_path(
        rf"^api/communes/{INSEE_CODE}/signataires/$",
        directory.commune_signatories_api,
        name="api_commune_signatories",
    ),
    path("sitemap.xml", directory.sitemap, name="sitemap"),
    path("verifier/", verification.verify_form, name="verify_form"),
    path("verifier/<str:reference>/", verification.verify_page, name="verify"),
    path(
        "signataires/<int:pk>/attestation.pdf",
        verification.public_download,
        name="certificate_download",
    ),
    path("mon-espace/attestation.pdf", verification.my_download, name="my_certificate"),
]
