from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

urlpatterns = [
    path("", include("pledges.urls")),
    path("", include("communes.urls")),
    path(
        "mentions-legales/",
        TemplateView.as_view(template_name="pages/legal_notice.html"),
        name="legal_notice",
    ),
    path(
        "donnees-personnelles/",
        TemplateView.as_view(template_name="pages/privacy.html"),
        name="privacy",
    ),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "Coorace #Municipales2020 — administration"
admin.site.site_title = "Coorace #Municipales2020"
admin.site.index_title = "Modération et données"
