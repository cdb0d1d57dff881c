"""sitemap.xml lists the public pages, and only them."""

import xml.etree.ElementTree as ET

import pytest

from pledges.models import Signature
from tests.bulk import make_signatory

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
SITE = "http://127.0.0.1:8000"


def sitemap(client) -> list[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    root = ET.fromstring(response.content)
    return [loc.text for loc in root.findall("s:url/s:loc", NS)]


def test_the_sitemap_lists_public_pages_only(client):
    public = make_signatory(commune="42218")
    withdrawn = make_signatory(
        commune="42187", status=Signature.Status.WITHDRAWN, was_approved=True
    )
    pending = make_signatory(commune="69123", status=Signature.Status.PENDING)
    urls = sitemap(client)
    for path in ["/", "/recherche/", "/donnees/", "/propositions/1/", "/propositions/10/",
                 "/regions/84/", "/departements/42/", "/departements/988/",
                 "/communes/42218/", "/communes/42187/",
                 public.get_absolute_url(), withdrawn.get_absolute_url()]:  # fmt: skip
        assert SITE + path in urls
    assert SITE + pending.get_absolute_url() not in urls
    assert SITE + "/communes/69123/" not in urls
    assert len(urls) == len(set(urls))


@pytest.mark.parametrize("count", [1, 20])
def test_the_sitemap_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    for _ in range(count):
        make_signatory()
    with django_assert_num_queries(6):
        sitemap(client)
