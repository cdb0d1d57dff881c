"""The Atom feed of a commune: the same events as its alerts (pledges.alerts.events)."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from communes.grammar import french_date
from communes.models import Commune
from config.site import absolute_url
from config.typography import french_text
from pledges.alerts.events import FEED_LIMIT, commune_events


class CommuneFeed(Feed):
    feed_type = Atom1Feed
    author_name = "Coorace"

    def get_object(self, request, insee_code):
        return get_object_or_404(
            Commune.objects.select_related("departement"), insee_code=insee_code.upper()
        )

    def title(self, commune):
        return french_text(
            _("%(name)s (%(code)s) : les engagements des listes")
            % {"name": commune.name, "code": commune.departement_id}
        )

    def subtitle(self, commune):
        return french_text(
            _(
                "Quand une liste ou un·e candidat·e %(place)s signe les engagements de Coorace, "
                "en ajoute ou en retire un."
            )
            % {"place": commune.phrase_dans}
        )

    def link(self, commune):
        return absolute_url(commune.get_absolute_url())

    def feed_url(self, commune):
        return absolute_url(reverse("pledges:commune_feed", args=[commune.insee_code]))

    def feed_guid(self, commune):
        return absolute_url(commune.get_absolute_url())

    def items(self, commune):
        return commune_events(commune, until=timezone.now(), limit=FEED_LIMIT)

    def item_title(self, event):
        return french_text(event.title)

    def item_description(self, event):
        return french_text(
            _("%(title)s, le %(date)s.")
            % {"title": event.title, "date": french_date(timezone.localdate(event.at))}
        )

    def item_link(self, event):
        return absolute_url(event.path)

    def item_guid(self, event):
        return absolute_url(f"{event.path}#{event.key}")

    item_guid_is_permalink = False

    def item_pubdate(self, event):
        return event.at

    def item_updateddate(self, event):
        return event.at
