"""Who publishes the site, for the legal, privacy and accessibility pages.

Read from settings at each request, not when the URLs load, so that the pages follow
SITE_PUBLISHER and the rest (and tests that override them).
"""

from django.conf import settings


def site_identity(request) -> dict:
    return {
        "site_identity": {
            "publisher": settings.SITE_PUBLISHER,
            "contact_email": settings.SITE_CONTACT_EMAIL,
            "publication_director": settings.SITE_PUBLICATION_DIRECTOR,
            "hosting_provider": settings.SITE_HOSTING_PROVIDER,
        }
    }
