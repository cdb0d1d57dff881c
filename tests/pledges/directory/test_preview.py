"""Who may preview a signatory page that is not public (pledges/directory/views.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from pledges.models import Signature
from tests.bulk import make_signatory
from tests.factories import make_moderator

pytestmark = pytest.mark.django_db


def staff(*permissions: str):
    """A staff account outside every group, with only the permissions named."""
    user = get_user_model().objects.create_user(
        username="personnel", email="personnel@coorace.test", password="!", is_staff=True
    )
    user.user_permissions.set(Permission.objects.filter(codename__in=permissions))
    return user


def preview(client, user, pledge):
    client.force_login(user)
    return client.get(f"/signataires/{pledge.pk}/")


def test_a_staff_account_without_the_moderation_permission_gets_a_404(client):
    pledge = make_signatory(status=Signature.Status.PENDING)
    response = preview(client, staff("view_signature", "change_candidate"), pledge)
    assert response.status_code == 404


def test_a_staff_account_with_the_moderation_permission_sees_the_preview(client):
    pledge = make_signatory(status=Signature.Status.PENDING, last_name="Enattente")
    response = preview(client, staff("moderate_pledge"), pledge)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Camille Enattente" in content
    assert "vous faites partie de l’équipe Coorace" in content


def test_the_moderation_group_and_superusers_see_the_preview(client):
    pledge = make_signatory(status=Signature.Status.PENDING)
    assert preview(client, make_moderator(), pledge).status_code == 200
    superuser = get_user_model().objects.create_superuser("racine", "racine@coorace.test", "!")
    assert preview(client, superuser, pledge).status_code == 200


def test_the_owner_still_previews_their_own_page(client):
    pledge = make_signatory(status=Signature.Status.PENDING)
    response = preview(client, pledge.candidate.user, pledge)
    assert response.status_code == 200
    assert "Vous la voyez parce que c’est la vôtre" in response.content.decode()


def test_another_candidate_gets_a_404(client):
    pledge = make_signatory(status=Signature.Status.PENDING)
    other = make_signatory(status=Signature.Status.PENDING)
    assert preview(client, other.candidate.user, pledge).status_code == 404
