from django.urls import path

from pledges import views

app_name = "pledges"

urlpatterns = [
    path("", views.home, name="home"),
    path("propositions/<int:number>/", views.proposal, name="proposal"),
    path("mentions-legales/", views.legal_notice, name="legal_notice"),
    path("donnees-personnelles/", views.privacy, name="privacy"),
]
