"""Small factory functions for test data (the JSON fixtures are for the site)."""

import itertools

from communes.models import Commune, Departement
from communes.search import normalize_name

_codes = itertools.count(1)


def make_commune(**fields) -> Commune:
    """A commune in a département of the imported reference data, with a fresh code."""
    number = next(_codes)
    name = fields.pop("name", f"Commune d’essai {number}")
    fields.setdefault("departement", Departement.objects.get(code="2A"))
    fields.setdefault("insee_code", f"2A{900 + number % 100:03d}")
    fields.setdefault("population", 500)
    return Commune.objects.create(
        name=name, slug=name.lower(), search_key=normalize_name(name), **fields
    )
