"""The verification page's limit counts each visitor, as the proxy names them."""

import pytest

pytestmark = pytest.mark.django_db

PATH = "/verifier/CRC-0000-0000/"


def test_behind_the_proxy_each_visitor_has_a_limit_of_their_own(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    # Every request comes from nginx (REMOTE_ADDR 127.0.0.1), each visitor in X-Forwarded-For.
    for n in range(40):
        response = client.get(PATH, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        assert response.status_code == 404, n
    for _ in range(30):
        client.get(PATH, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    limited = client.get(PATH, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert limited.status_code == 429
    other = client.get(PATH, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert other.status_code == 404


def test_a_head_request_counts_too(client):
    for _ in range(30):
        client.head(PATH)
    assert client.get(PATH).status_code == 429
