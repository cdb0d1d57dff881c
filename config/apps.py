"""The site's wiring as an app, for what must happen at `migrate` (config/cache.py)."""

from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def create_rate_limit_table(*, using, verbosity=1, **kwargs) -> None:
    """`manage.py createcachetable` after every `migrate`: the rate limits' table
    (CACHES["default"]) then exists wherever the site's database does. It does nothing
    when the table is there already."""
    call_command("createcachetable", database=using, verbosity=max(verbosity - 1, 0))


class SiteConfig(AppConfig):
    name = "config"
    verbose_name = "Coorace #Municipales2020"

    def ready(self) -> None:
        from config import checks  # noqa: F401 (registers the legal identity's check)

        post_migrate.connect(create_rate_limit_table, dispatch_uid="config.rate_limit_table")
