"""What the relays' tests share: a relay and its account, lists in and out of its territory."""

import pytest
from django.utils import timezone

from communes.models import Commune, Departement, Region
from pledges.models import Relay
from tests.factories import make_official_list, make_user


def make_relay(*, name="Coorace Loire", communes=(), departements=(), regions=(), **fields):
    fields.setdefault("contact_name", "Martine Roux")
    fields.setdefault("contact_email", "contact@relais-loire.test")
    fields.setdefault("contact_phone", "04 77 00 00 00")
    relay = Relay.objects.create(name=name, created_at=timezone.now(), **fields)
    relay.communes.set(Commune.objects.filter(insee_code__in=communes))
    relay.departements.set(Departement.objects.filter(code__in=departements))
    relay.regions.set(Region.objects.filter(code__in=regions))
    return relay


def relay_account(relay, email=None):
    user = make_user(email or f"compte-{relay.pk}@relais.test")
    relay.accounts.add(user)
    return user


def official_list_in(code, **fields):
    return make_official_list(Commune.objects.get(insee_code=code), **fields)


def plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def page(response) -> str:
    return plain(response.content.decode())


@pytest.fixture
def relay():
    """A relay for the Loire (42): Saint-Étienne and every commune of the département."""
    return make_relay(departements=["42"])


@pytest.fixture
def relay_client(client, relay):
    user = relay_account(relay)
    client.force_login(user)
    client.user = user
    return client
