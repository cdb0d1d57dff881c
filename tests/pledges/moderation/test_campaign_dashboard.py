"""The campaign's figures on the staff dashboard (pledges/moderation/campaign_stats.py,
pledges/moderation/admin/dashboard.py): hand-counted data, the région filter, the CSV
tables, the SVG charts with their tables, the number of queries, who may read them."""

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communes.models import Commune
from pledges.models import Signature
from tests.factories import make_moderator, make_official_list, make_user
from tests.pledges.directory.lists_data import make_list
from tests.pledges.moderation.conftest import page, pledge_in

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("admin:pledges_signature_dashboard")
Status = Signature.Status
DAY1 = datetime(2020, 2, 3, 10, tzinfo=UTC)
DAY2 = datetime(2020, 2, 5, 10, tzinfo=UTC)


def dated(pledge, *, submitted, approved=None):
    Signature.objects.filter(pk=pledge.pk).update(submitted_at=submitted, approved_at=approved)
    return pledge


def signatures():
    """Auvergne-Rhône-Alpes (84): Saint-Étienne 2 (one approved), Lyon 1 approved;
    Île-de-France (11): Paris 1 approved. Submitted on DAY1 (3) and DAY2 (1); approved
    on DAY2 (2) and DAY1 (1)."""
    a = dated(pledge_in("42218", status=Status.APPROVED), submitted=DAY1, approved=DAY2)
    dated(pledge_in("42218"), submitted=DAY1)
    b = pledge_in("69123", status=Status.APPROVED)
    dated(b, submitted=DAY1, approved=DAY2)
    c = pledge_in("75056", status=Status.APPROVED)
    dated(c, submitted=DAY2, approved=DAY2 - timedelta(days=1))
    return a, b, c


def figures(response):
    return response.context["figures"]


def read_csv(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_signatures_per_day_count_submitted_and_approved_days(moderator_client):
    signatures()
    days = figures(moderator_client.get(DASHBOARD))["jours"]
    by_day = {row["day"].isoformat(): (row["submitted"], row["approved"]) for row in days}
    assert by_day == {"2020-02-03": (3, 0), "2020-02-04": (0, 1), "2020-02-05": (1, 2)}


def test_signatures_per_commitment_count_public_signatures(moderator_client):
    pledge_in("42218", status=Status.APPROVED)  # 1.1 and 2.1
    pledge_in("42218")  # pending: not counted
    make_list(codes=("1.1", "3.2"))
    counts = {
        row["code"]: row["n"] for row in figures(moderator_client.get(DASHBOARD))["engagements"]
    }
    assert len(counts) == 20
    assert counts["1.1"] == 2 and counts["2.1"] == 1 and counts["3.2"] == 1
    assert sum(counts.values()) == 4


def test_signatures_per_region_and_departement(moderator_client):
    signatures()
    response = moderator_client.get(DASHBOARD)
    regions = {
        r["code"]: (r["submitted"], r["approved"], r["pending"])
        for r in figures(response)["regions"]
    }
    assert regions == {"11": (1, 1, 0), "84": (3, 2, 1)}
    deps = {r["code"]: (r["submitted"], r["approved"]) for r in figures(response)["departements"]}
    assert deps == {"42": (2, 1), "69": (1, 1), "75": (1, 1)}


def test_coverage_counts_official_lists_and_communes_of_3500_inhabitants(moderator_client):
    Commune.objects.update(population=None)
    Commune.objects.filter(insee_code__in=["42218", "42187", "69123", "75056"]).update(
        population=50_000
    )
    Commune.objects.filter(insee_code="01001").update(population=900)
    saint_etienne = Commune.objects.get(insee_code="42218")
    official = [make_official_list(saint_etienne, panel_number=n) for n in (1, 2, 3)]
    site_list = make_list()
    site_list.official_list = official[0]
    site_list.save(update_fields=["official_list"])
    make_list(commune="69123")  # a site list of Lyon, not on the roster
    make_list(commune="42187", status=Status.PENDING)  # Roanne: not yet public
    make_list(commune="75056")  # Paris, another région

    response = moderator_client.get(DASHBOARD)
    shares = dict(figures(response)["couverture"])
    lists, communes = shares.values()
    assert (lists.part, lists.whole, lists.percent) == (1, 3, 33.3)
    assert (communes.part, communes.whole) == (3, 4)  # Saint-Étienne, Lyon, Paris
    regional = dict(figures(moderator_client.get(DASHBOARD, {"region": "84"}))["couverture"])
    assert [(s.part, s.whole) for s in regional.values()] == [(1, 3), (2, 3)]
    assert "33,3" in page(response) or "33.3" in page(response)


def test_the_region_filter_narrows_every_figure(moderator_client):
    signatures()
    response = moderator_client.get(DASHBOARD, {"region": "11"})
    assert response.context["region"].code == "11"
    data = figures(response)
    assert [r["code"] for r in data["regions"]] == ["11"]
    assert [r["code"] for r in data["departements"]] == ["75"]
    assert sum(r["submitted"] for r in data["jours"]) == 1
    assert sum(r["n"] for r in data["engagements"]) == 2  # Paris signed 1.1 and 2.1


def test_an_unknown_region_is_said_in_french_and_ignored(moderator_client):
    signatures()
    response = moderator_client.get(DASHBOARD, {"region": "<b>99"}, follow=True)
    assert response.status_code == 200
    assert response.context["region"] is None
    assert "Aucune région n’a le code" in page(response)
    assert "<b>99" not in page(response)


@pytest.mark.parametrize(
    ("table", "header"),
    [
        ("jours", ["jour", "envoyees", "validees"]),
        ("engagements", ["engagement", "texte", "signatures_publiques"]),
        ("regions", ["code_region", "region", "envoyees", "publiques", "en_attente"]),
        (
            "departements",
            ["code_departement", "departement", "envoyees", "publiques", "en_attente"],
        ),
        ("couverture", ["mesure", "signe", "total", "pourcentage"]),
    ],
)
def test_each_table_downloads_as_csv(moderator_client, table, header):
    signatures()
    response = moderator_client.get(DASHBOARD, {"format": "csv", "table": table, "region": "84"})
    assert response.status_code == 200
    assert "-84.csv" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == header
    if table == "jours":
        assert rows[1:] == [["2020-02-03", "3", "0"], ["2020-02-05", "0", "2"]]
    if table == "departements":
        assert [row[0] for row in rows[1:]] == ["42", "69"]
        assert rows[1][2:] == ["2", "1", "1"]
    if table == "engagements":
        assert len(rows) == 21 and {r[0]: r[2] for r in rows[1:]}["1.1"] == "2"


def test_the_csv_defuses_formulas(moderator_client):
    from pledges.models import Commitment

    commitment = Commitment.objects.order_by("proposal__number", "position").first()
    Commitment.objects.filter(pk=commitment.pk).update(text='=HYPERLINK("http://x")')
    rows = read_csv(moderator_client.get(DASHBOARD, {"format": "csv", "table": "engagements"}))
    assert rows[1][1] == '\'=HYPERLINK("http://x")'


def test_an_unknown_table_is_said_in_french(moderator_client):
    response = moderator_client.get(DASHBOARD, {"format": "csv", "table": "secret"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Ce tableau n’existe pas" in page(response)


def test_the_charts_are_well_formed_svg_beside_their_tables(moderator_client):
    signatures()
    html = page(moderator_client.get(DASHBOARD))
    svgs = re.findall(r'<svg [^>]*class="dashboard-chart".*?</svg>', html, re.S)
    assert len(svgs) == 3
    for svg in svgs:
        root = ET.fromstring(svg)
        ns = "{http://www.w3.org/2000/svg}"
        assert root.tag == f"{ns}svg" and root.get("role") == "img"
        assert root.find(f"{ns}title") is not None
        assert root.findall(f"{ns}rect")
    days = ET.fromstring(svgs[0])
    heights = [float(r.get("height")) for r in days.iter("{http://www.w3.org/2000/svg}rect")]
    assert heights == [0.0, 80.0, 160.0]  # approved on 3, 4, 5 February: 0, 1, 2
    assert "Signatures envoyées et validées, par jour" in html
    assert "<script" not in html.split('id="campagne"')[1]


def _queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(DASHBOARD).status_code == 200
    return len(queries)


def test_the_queries_are_few_and_do_not_grow_with_signatures(
    moderator_client, django_assert_max_num_queries
):
    signatures()
    with django_assert_max_num_queries(30):
        moderator_client.get(DASHBOARD)
    small = _queries(moderator_client)
    for code in ("42218", "69123", "75056", "13055", "01001"):
        pledge_in(code, status=Status.APPROVED)
        make_list(commune=code if code != "01001" else "42187")
    assert _queries(moderator_client) == small


def test_anonymous_visitors_are_sent_to_log_in(client):
    for query in ({}, {"format": "csv", "table": "regions"}):
        response = client.get(DASHBOARD, query)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_non_staff_user_is_sent_to_log_in(client):
    client.force_login(make_user())
    response = client.get(DASHBOARD, {"format": "csv", "table": "regions"})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_staff_without_the_view_permission_are_refused(client):
    client.force_login(make_moderator(group=""))
    assert client.get(DASHBOARD).status_code == 403
    assert client.get(DASHBOARD, {"format": "csv", "table": "regions"}).status_code == 403
