"""What the moderation tests share: a moderator's client, signatures placed in a commune."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from communes.models import Commune
from pledges.models import Signature
from tests.factories import make_candidate, make_moderator, make_pledge

CHANGELIST = reverse("admin:pledges_signature_changelist")


@pytest.fixture
def moderator_client(client):
    moderator = make_moderator(first_name="Nadia", last_name="Benali")
    client.force_login(moderator)
    client.user = moderator
    return client


def pledge_in(code, *, days_ago=0, status=None, **fields):
    commune = Commune.objects.get(insee_code=code)
    pledge = make_pledge(make_candidate(commune=commune, **fields), status=status)
    Signature.objects.filter(pk=pledge.pk).update(
        submitted_at=timezone.now() - timedelta(days=days_ago)
    )
    pledge.refresh_from_db()
    return pledge


def decide_url(pledge, decision, **filters):
    url = reverse("admin:pledges_signature_decide", args=[pledge.pk, decision])
    return f"{url}?{urlencode({'_changelist_filters': urlencode(filters)})}" if filters else url


def rows(response):
    return list(response.context["cl"].result_list)


def page(response):
    return response.content.decode()
