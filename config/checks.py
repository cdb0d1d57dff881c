"""System checks of the site's own settings, run by `manage.py check --deploy`.

The legal notice (LCEN, article 6) must name the publisher (legal form, address, phone),
the publication director and the host (name, address, phone); « Données personnelles »
names the e-mail provider among the processors. The pages show « non renseigné » for an
empty value; this check makes sure production never gets there unnoticed.
"""

from django.conf import settings
from django.core.checks import Warning, register

# Each setting of the legal identity that production must set, and what it is.
LEGAL_IDENTITY = {
    "SITE_PUBLISHER": "the publisher's name",
    "SITE_PUBLISHER_LEGAL_FORM": "the publisher's legal form",
    "SITE_PUBLISHER_ADDRESS": "the publisher's address",
    "SITE_PUBLISHER_PHONE": "the publisher's phone number",
    "SITE_CONTACT_EMAIL": "the contact address",
    "SITE_PUBLICATION_DIRECTOR": "the publication director",
    "SITE_HOSTING_PROVIDER": "the host's name",
    "SITE_HOSTING_ADDRESS": "the host's address",
    "SITE_HOSTING_PHONE": "the host's phone number",
    "SITE_EMAIL_PROVIDER": "the e-mail provider",
}


@register("legal", deploy=True)
def legal_identity(app_configs, **kwargs) -> list[Warning]:
    """One warning per empty setting of the legal identity, outside debug."""
    if settings.DEBUG:
        return []
    return [
        Warning(
            f"{name} is empty: « Mentions légales » or « Données personnelles » "
            f"shows « non renseigné » for {meaning}.",
            hint=f"Set the {name} environment variable.",
            obj="settings",
            id="coorace.W001",
        )
        for name, meaning in LEGAL_IDENTITY.items()
        if not str(getattr(settings, name, "")).strip()
    ]
