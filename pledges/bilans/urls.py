"""The bilans (pledges/bilans/): included in the pledges URLconf (pledges/urls.py).

Each page has its A4 PDF at the same address plus « bilan.pdf ».
"""

from django.urls import path, re_path

from communes.urls import INSEE_CODE
from pledges.bilans import views
from pledges.bilans.open_data import follow_up_csv

PDF = {"pdf": True}
REGION = r"(?P<code>[0-9]{2,3})"
DEPARTEMENT = r"(?P<code>[0-9]{2,3}|2[AB])"
COMMITMENT = r"(?P<number>[0-9]{1,3})\.(?P<position>[0-9]{1,3})"

urlpatterns = [
    path("bilans/", views.national, name="bilans"),
    path("bilans/bilan.pdf", views.national, PDF, name="bilans_pdf"),
    re_path(rf"^bilans/regions/{REGION}/$", views.region, name="bilan_region"),
    re_path(rf"^bilans/regions/{REGION}/bilan\.pdf$", views.region, PDF, name="bilan_region_pdf"),
    re_path(rf"^bilans/departements/{DEPARTEMENT}/$", views.departement, name="bilan_departement"),
    re_path(
        rf"^bilans/departements/{DEPARTEMENT}/bilan\.pdf$",
        views.departement,
        PDF,
        name="bilan_departement_pdf",
    ),
    re_path(rf"^bilans/communes/{INSEE_CODE}/$", views.commune, name="bilan_commune"),
    re_path(
        rf"^bilans/communes/{INSEE_CODE}/bilan\.pdf$", views.commune, PDF, name="bilan_commune_pdf"
    ),
    re_path(rf"^bilans/engagements/{COMMITMENT}/$", views.commitment, name="bilan_commitment"),
    re_path(
        rf"^bilans/engagements/{COMMITMENT}/bilan\.pdf$",
        views.commitment,
        PDF,
        name="bilan_commitment_pdf",
    ),
    path("donnees/suivi.csv", follow_up_csv, name="open_data_follow_up_csv"),
]
