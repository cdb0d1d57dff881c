"""Personal pages are kept by no cache: `Cache-Control: private, no-store` (config.http.personal).

The signing pages (pledges/signing/views.py), the list pages (pledges/lists/views.py; the
invitation link, which takes a token, is checked in tests/pledges/lists/test_views.py), the
correction request (candidates/views.py) and the certificate downloaded from « Mon espace »
(pledges/certificates/views.py): one list, so that a personal page added later has one
obvious place to be checked.
"""

import pytest
from django.urls import reverse
from django.utils.cache import get_max_age

from tests.factories import approve, make_candidate, make_pledge

pytestmark = pytest.mark.django_db

# Each answers 200 to a candidate whose pledge awaits moderation.
PERSONAL_PAGES = [
    "pledges:space",
    "pledges:profile",
    "pledges:sign",
    "pledges:export_data",
    "pledges:withdraw",
    "pledges:delete_account",
    "pledges:list_invite",
    "pledges:list_join",
    "candidates:correction",
]


def cache_directives(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


def assert_kept_by_no_cache(response):
    directives = cache_directives(response)
    assert {"private", "no-store"} <= directives, response["Cache-Control"]
    assert "public" not in directives
    assert get_max_age(response) in (None, 0)


@pytest.mark.parametrize("name", PERSONAL_PAGES)
def test_a_personal_page_is_stored_by_no_cache(client, name):
    pledge = make_pledge(make_candidate(phone="06 12 34 56 78"))
    client.force_login(pledge.candidate.user)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert_kept_by_no_cache(response)


def test_ma_candidature_with_the_phone_is_stored_by_no_cache(client):
    candidate = make_candidate(phone="06 12 34 56 78")
    client.force_login(candidate.user)
    response = client.get(reverse("pledges:profile"))
    assert "06 12 34 56 78" in response.content.decode()
    assert_kept_by_no_cache(response)


def test_a_refused_form_is_stored_by_no_cache_either(client):
    candidate = make_candidate()
    client.force_login(candidate.user)
    response = client.post(reverse("pledges:profile"), {"first_name": ""})
    assert response.status_code == 200
    assert_kept_by_no_cache(response)


def test_the_certificate_from_mon_espace_is_stored_by_no_cache(client):
    pledge = approve(make_pledge())
    client.force_login(pledge.candidate.user)
    response = client.get(reverse("pledges:my_certificate"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert_kept_by_no_cache(response)
