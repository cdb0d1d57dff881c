"""config/site.py: the one reading of the client's address and of the site's address."""

from django.test import RequestFactory

from config.site import absolute_url, client_ip


def test_the_client_address_is_the_one_the_trusted_proxy_appended(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.4"
    )
    assert client_ip(request) == "198.51.100.4"


def test_without_a_trusted_proxy_the_client_address_is_the_connections(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(request) == "192.0.2.1"


def test_an_address_that_cannot_be_read_is_none(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get("/", REMOTE_ADDR="", HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert client_ip(request) is None


def test_absolute_urls_start_with_the_sites_address(settings):
    settings.SITE_URL = "https://engagements.example.org/"
    assert absolute_url("/communes/42218/") == "https://engagements.example.org/communes/42218/"
