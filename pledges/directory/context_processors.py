"""Who publishes the site, for the legal, privacy and accessibility pages.

Read from settings at each request, not when the URLs load, so that the pages follow
SITE_PUBLISHER and the rest (and tests that override them). An empty value stays empty:
the pages say « non renseigné », never a variable's name (config.checks warns staff).
"""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

# Template name → setting, one line each.
IDENTITY_SETTINGS = {
    "publisher": "SITE_PUBLISHER",
    "legal_form": "SITE_PUBLISHER_LEGAL_FORM",
    "address": "SITE_PUBLISHER_ADDRESS",
    "phone": "SITE_PUBLISHER_PHONE",
    "contact_email": "SITE_CONTACT_EMAIL",
    "privacy_email": "SITE_PRIVACY_EMAIL",
    "publication_director": "SITE_PUBLICATION_DIRECTOR",
    "hosting_provider": "SITE_HOSTING_PROVIDER",
    "hosting_address": "SITE_HOSTING_ADDRESS",
    "hosting_phone": "SITE_HOSTING_PHONE",
    "email_provider": "SITE_EMAIL_PROVIDER",
}


def site_identity(request) -> dict:
    identity = {
        name: getattr(settings, setting, "").strip() for name, setting in IDENTITY_SETTINGS.items()
    }
    identity["privacy_email"] = identity["privacy_email"] or identity["contact_email"]
    return {"site_identity": identity}


def signing_rounds(request) -> dict:
    """Where the campaign stands, for the line under every page's header (base.html); read
    only by the pages that show it (never by the admin's)."""
    from pledges.models.charter import request_campaign
    from pledges.signing.rounds import campaign_stands

    def stands():
        campaign = request_campaign()
        return campaign_stands(campaign) if campaign is not None else None

    return {"signing_stands": SimpleLazyObject(stands)}
