from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "pledges"
    verbose_name = _("Charte et engagements")

    def ready(self):
        from candidates.official.signals import roster_imported
        from pledges.roster.receivers import match_after_import

        roster_imported.connect(match_after_import, dispatch_uid="pledges.roster.match")
