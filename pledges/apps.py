from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "pledges"
    verbose_name = _("Charte et engagements")
