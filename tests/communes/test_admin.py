import pytest

pytestmark = pytest.mark.django_db


def test_the_admin_is_in_french(superuser_client):
    content = superuser_client.get("/admin/").content.decode()
    assert "Communes et territoires" in content
    assert "Charte et engagements" in content
    assert "Déconnexion" in content


@pytest.mark.parametrize(
    ("query", "code"), [("Saint-Étienne", "42218"), ("42218", "42218"), ("42100", "42218")]
)
def test_communes_are_searchable_by_name_code_and_postal_code(superuser_client, query, code):
    response = superuser_client.get("/admin/communes/commune/", {"q": query})
    assert response.status_code == 200
    assert "/admin/communes/commune/" in response.content.decode()
    assert any(commune.insee_code == code for commune in response.context["cl"].result_list)


def test_imported_data_is_read_only_in_the_admin(superuser_client):
    from communes.models import Commune

    paris = Commune.objects.get(insee_code="75056")
    response = superuser_client.get(f"/admin/communes/commune/{paris.pk}/change/")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="name"' not in content  # shown, not editable
    assert "Paris 15e Arrondissement" in content
    assert superuser_client.get("/admin/communes/commune/add/").status_code == 403
    response = superuser_client.post(
        f"/admin/communes/commune/{paris.pk}/change/", {"name": "Lutèce"}
    )
    assert response.status_code == 403
    assert Commune.objects.get(pk=paris.pk).name == "Paris"


@pytest.mark.parametrize("model", ["region", "departement"])
def test_regions_and_departements_are_listed(superuser_client, model):
    response = superuser_client.get(f"/admin/communes/{model}/")
    assert response.status_code == 200
