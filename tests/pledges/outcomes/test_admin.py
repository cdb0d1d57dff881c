"""The imports of the elected and the councillors in the admin: read only, searched,
filtered, and limited to a regional moderator's régions."""

import pytest
from django.urls import reverse

from candidates.models import ElectedCouncillor, ElectedImport
from communes.models import Region
from pledges.models import ModeratorScope
from tests.candidates.official.elected_files import elu
from tests.factories import make_moderator
from tests.pledges.outcomes.test_matching import ambérieu, import_elus

pytestmark = pytest.mark.django_db
COUNCILLORS = reverse("admin:candidates_electedcouncillor_changelist")
IMPORTS = reverse("admin:candidates_electedimport_changelist")


@pytest.fixture
def imported(tmp_path):
    import_elus(
        tmp_path,
        [
            elu("004", "01", "DUPRÉ", "Hélène", function="Maire"),
            elu("004", "01", "LEFÈVRE", "François", sex="M"),
            elu("004", "2A", "SIMEONI", "Laurent", sex="M", function="Maire"),
            elu("999", "01", "NULLEPART", "Personne"),
        ],
    )
    return ElectedImport.objects.get()


def names(response) -> list[str]:
    return sorted(c.last_name for c in response.context["cl"].result_list)


def test_moderators_read_search_and_filter_the_councillors(client, imported):
    client.force_login(make_moderator())
    assert names(client.get(COUNCILLORS)) == ["DUPRÉ", "LEFÈVRE", "SIMEONI"]
    assert names(client.get(COUNCILLORS, {"q": "helene dupre"})) == ["DUPRÉ"]
    assert names(client.get(COUNCILLORS, {"q": "2A004"})) == ["SIMEONI"]
    assert names(client.get(COUNCILLORS, {"is_mayor__exact": "1"})) == ["DUPRÉ", "SIMEONI"]
    councillor = ElectedCouncillor.objects.get(last_name="DUPRÉ")
    page = client.get(reverse("admin:candidates_electedcouncillor_change", args=[councillor.pk]))
    assert page.status_code == 200
    assert b'name="last_name"' not in page.content  # read only
    assert client.post(reverse("admin:candidates_electedcouncillor_add")).status_code == 403


def test_superusers_read_the_imports_and_their_report(admin_client, imported):
    page = admin_client.get(reverse("admin:candidates_electedimport_change", args=[imported.pk]))
    content = page.content.decode()
    assert "ligne 5 : commune inconnue 01999" in content
    assert "tabulation" in content
    assert admin_client.get(IMPORTS).status_code == 200


def test_a_regional_moderator_reads_only_their_regions(client, imported):
    moderator = make_moderator("regionale")
    scope = ModeratorScope.objects.create(user=moderator)
    scope.regions.set(Region.objects.filter(code=ambérieu().departement.region_id))
    client.force_login(moderator)
    assert names(client.get(COUNCILLORS)) == ["DUPRÉ", "LEFÈVRE"]
    corsican = ElectedCouncillor.objects.get(last_name="SIMEONI")
    response = client.get(reverse("admin:candidates_electedcouncillor_change", args=[corsican.pk]))
    assert response.status_code == 404
    assert client.get(IMPORTS).status_code == 403  # the report covers every région
