from django.urls import path

from candidates import views

app_name = "candidates"

urlpatterns = [
    path("ma-candidature/", views.profile, name="profile"),
    path("mon-espace/demander-une-correction/", views.correction, name="correction"),
    path("mon-espace/mes-donnees.json", views.export_data, name="export"),
    path("mon-espace/supprimer-mon-compte/", views.delete, name="delete"),
]
