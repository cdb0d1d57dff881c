from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "pledges"
    verbose_name = _("Charte et engagements")

    def ready(self):
        from django.db.models.signals import pre_delete

        from candidates.models import Candidate
        from candidates.official.signals import elected_imported, roster_imported
        from pledges.mailings.receivers import forget_deliveries
        from pledges.outcomes.receivers import match_after_elected_import, match_after_roster_import
        from pledges.roster.receivers import match_after_import

        roster_imported.connect(match_after_import, dispatch_uid="pledges.roster.match")
        # After the roster's own matching (connected first): the elected of those communes.
        roster_imported.connect(match_after_roster_import, dispatch_uid="pledges.outcomes.roster")
        elected_imported.connect(match_after_elected_import, dispatch_uid="pledges.outcomes.match")
        pre_delete.connect(forget_deliveries, sender=Candidate, dispatch_uid="pledges.mailings")
