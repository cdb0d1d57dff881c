from django.urls import path

from candidates import views

app_name = "candidates"

urlpatterns = [
    path("mon-espace/demander-une-correction/", views.correction, name="correction"),
]
