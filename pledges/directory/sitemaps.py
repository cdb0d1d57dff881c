"""The sitemaps of the public pages, one section per kind of page, under a sitemap index.

Django's sitemap views serve them (pledges/urls.py): /sitemap.xml is the index, each
section is /sitemap-<section>.xml, split into pages of at most `limit` addresses (?p=2…),
so the directory may grow past the protocol's 50,000 addresses a file. Only public
pages: signatories and communes come from `public_pledges()`, lists from `public_lists()`
(none without a current campaign). The sections' addresses are built on SITE_URL, like
every absolute address of the site; Django's index names the sections on the request's
host, the same one behind the documented nginx.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils.functional import cached_property

from communes.models import Commune, Departement, Region
from pledges.bilans.queries import communes_with_elected, results_known
from pledges.directory.lists import public_lists
from pledges.directory.queries import public_pledges
from pledges.models import Campaign, Commitment, Proposal

# Small pages: each section's file stays well under the site's 250 kB bound for a page.
LIMIT = 1000


class PublicSitemap(Sitemap):
    """A section of the site's sitemap, with addresses on SITE_URL rather than the request."""

    limit = LIMIT

    @cached_property
    def campaign(self) -> Campaign | None:
        """Without a current campaign the directory's pages are 404s: nothing to list."""
        return Campaign.objects.current()

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class PagesSitemap(PublicSitemap):
    def items(self):
        return ["pledges:home", "pledges:search", "pledges:open_data"] if self.campaign else []

    def location(self, item):
        return reverse(item)


class ProposalsSitemap(PublicSitemap):
    def items(self):
        return Proposal.objects.filter(campaign=self.campaign).order_by("number")


class RegionsSitemap(PublicSitemap):
    def items(self):
        regions = Region.objects.all() if self.campaign else Region.objects.none()
        return regions.order_by("code").values_list("code", flat=True)

    def location(self, code):
        return reverse("pledges:region", kwargs={"code": code})


class DepartementsSitemap(PublicSitemap):
    def items(self):
        departements = Departement.objects.all() if self.campaign else Departement.objects.none()
        return departements.order_by("code").values_list("code", flat=True)

    def location(self, code):
        return reverse("pledges:departement", kwargs={"code": code})


class CommunesSitemap(PublicSitemap):
    """The communes with a public signatory (the others' pages say only « aucun »)."""

    def items(self):
        public = public_pledges(self.campaign)
        return (
            Commune.objects.filter(candidates__signatures__in=public.values("pk"))
            .order_by("insee_code")
            .values_list("insee_code", flat=True)
            .distinct()
        )

    def location(self, insee_code):
        return reverse("pledges:commune", kwargs={"insee_code": insee_code})


class ListsSitemap(PublicSitemap):
    """The public lists' pages."""

    def items(self):
        return public_lists(self.campaign).order_by("pk").values_list("pk", flat=True)

    def location(self, pk):
        return reverse("pledges:list", kwargs={"pk": pk})


class SignatoriesSitemap(PublicSitemap):
    def items(self):
        return public_pledges(self.campaign).order_by("pk").values_list("pk", flat=True)

    def location(self, pk):
        return reverse("pledges:signatory", kwargs={"pk": pk})


class BilansSitemap(PublicSitemap):
    """The bilans of the elected (pledges/bilans/): the national one and, once results are
    imported, each commitment's, each région's and département's, and each commune's with
    an elected signatory."""

    def items(self):
        if self.campaign is None:
            return []
        items = [("pledges:bilans", {})]
        if not results_known():
            return items
        items += [
            ("pledges:bilan_commitment", {"number": number, "position": position})
            for number, position in Commitment.objects.filter(proposal__campaign=self.campaign)
            .order_by("proposal__number", "position")
            .values_list("proposal__number", "position")
        ]
        items += [
            ("pledges:bilan_region", {"code": code})
            for code in Region.objects.order_by("code").values_list("code", flat=True)
        ]
        items += [
            ("pledges:bilan_departement", {"code": code})
            for code in Departement.objects.order_by("code").values_list("code", flat=True)
        ]
        items += [
            ("pledges:bilan_commune", {"insee_code": code})
            for code in communes_with_elected(self.campaign)
            .order_by("insee_code")
            .values_list("insee_code", flat=True)
        ]
        return items

    def location(self, item):
        name, kwargs = item
        return reverse(name, kwargs=kwargs)


# Section name (in the address) → sitemap; classes, so each request reads the data anew.
SITEMAPS = {
    "pages": PagesSitemap,
    "propositions": ProposalsSitemap,
    "regions": RegionsSitemap,
    "departements": DepartementsSitemap,
    "communes": CommunesSitemap,
    "listes": ListsSitemap,
    "signataires": SignatoriesSitemap,
    "bilans": BilansSitemap,
}
