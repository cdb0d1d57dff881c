"""sitemap.xml is an index of sections (Django's sitemaps) that list the public pages only."""

import xml.etree.ElementTree as ET

import pytest

from pledges.directory import sitemaps
from pledges.models import Campaign, Signature
from tests.bulk import make_signatories, make_signatory

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
SITE = "http://127.0.0.1:8000"
SECTIONS = [
    "pages", "propositions", "regions", "departements", "communes", "listes", "signataires",
    "bilans",
]  # fmt: skip


def locations(client, path: str, element: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"] == "application/xml"
    assert response["Cache-Control"] == "public, max-age=60"
    root = ET.fromstring(response.content)
    return [loc.text for loc in root.findall(f"s:{element}/s:loc", NS)]


def index(client) -> list[str]:
    """The index's sections, as paths (Django names them on the request's host)."""
    return [
        url.split("://", 1)[1].split("/", 1)[1]
        for url in locations(client, "/sitemap.xml", "sitemap")
    ]


def every_url(client) -> list[str]:
    return [url for section in index(client) for url in locations(client, "/" + section, "url")]


def test_the_sitemap_is_an_index_of_sections(client):
    make_signatory()
    assert index(client) == [f"sitemap-{section}.xml" for section in SECTIONS]


def test_the_sections_list_public_pages_only(client):
    public = make_signatory(commune="42218")
    withdrawn = make_signatory(
        commune="42187", status=Signature.Status.WITHDRAWN, was_approved=True
    )
    pending = make_signatory(commune="69123", status=Signature.Status.PENDING)
    urls = every_url(client)
    for path in ["/", "/recherche/", "/donnees/", "/propositions/1/", "/propositions/10/",
                 "/regions/84/", "/departements/42/", "/departements/988/",
                 "/communes/42218/", "/communes/42187/",
                 public.get_absolute_url(), withdrawn.get_absolute_url()]:  # fmt: skip
        assert SITE + path in urls
    assert SITE + pending.get_absolute_url() not in urls
    assert SITE + "/communes/69123/" not in urls
    assert len(urls) == len(set(urls))
    signatories = locations(client, "/sitemap-signataires.xml", "url")
    assert signatories == [
        SITE + p.get_absolute_url() for p in sorted([public, withdrawn], key=lambda p: p.pk)
    ]


def test_a_long_section_is_split_into_pages_listed_by_the_index(client, monkeypatch):
    monkeypatch.setattr(sitemaps.SignatoriesSitemap, "limit", 2)
    pledges = make_signatories(5)
    sections = index(client)
    assert [s for s in sections if s.startswith("sitemap-signataires")] == [
        "sitemap-signataires.xml",
        "sitemap-signataires.xml?p=2",
        "sitemap-signataires.xml?p=3",
    ]
    pages = [locations(client, "/sitemap-signataires.xml", "url")]
    pages += [locations(client, f"/sitemap-signataires.xml?p={n}", "url") for n in (2, 3)]
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [url for page in pages for url in page] == [
        SITE + p.get_absolute_url() for p in sorted(pledges, key=lambda p: p.pk)
    ]
    assert client.get("/sitemap-signataires.xml?p=4").status_code == 404
    assert client.get("/sitemap-inconnue.xml").status_code == 404


def test_without_a_current_campaign_the_sitemap_lists_no_page(client):
    make_signatory()
    Campaign.objects.update(is_current=False)
    assert every_url(client) == []


@pytest.mark.parametrize("count", [1, 20])
def test_the_sitemap_runs_a_fixed_number_of_queries(client, django_assert_num_queries, count):
    make_signatories(count)
    # Each of the eight sections reads the campaign; the six read from the database count;
    # the bilans' asks whether results are imported (two, none yet), then lists only /bilans/.
    with django_assert_num_queries(16):
        index(client)
    with django_assert_num_queries(3):  # the campaign, the count, the page
        assert len(locations(client, "/sitemap-signataires.xml", "url")) == count
