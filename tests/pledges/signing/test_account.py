"""pledges.signing.account through « Mon espace »: the data export, and the account's erasure."""

import pytest
from django.urls import reverse

from candidates.models import Candidate
from pledges.models import Signature
from tests.factories import PASSWORD, approve, make_candidate, make_pledge

pytestmark = pytest.mark.django_db


def content(response):
    return response.content.decode()


def test_the_data_export_holds_everything_about_the_account(user_client):
    candidate = make_candidate(user=user_client.user, phone="07 00 00 00 01")
    make_pledge(candidate, codes=("1.1", "9.3"))
    response = user_client.get(reverse("pledges:export_data"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="mes-donnees-coorace-')
    data = response.json()
    assert data["compte"]["email"] == "camille@exemple.test"
    assert data["candidature"]["telephone"] == "07 00 00 00 01"
    (signature,) = data["signatures"]
    assert signature["statut"] == "en attente de validation"
    assert [e["code"] for e in signature["engagements"]] == ["1.1", "9.3"]
    assert signature["consentements"][1]["texte"].startswith("J’accepte que mon nom")


def test_deleting_the_account_needs_the_password_then_erases_everything(user_client):
    candidate = make_candidate(user=user_client.user)
    approve(make_pledge(candidate))
    url = reverse("pledges:delete_account")
    response = user_client.post(url, {"password": "pas le bon"})
    assert "Ce mot de passe n’est pas le bon." in content(response)
    assert Candidate.objects.exists()
    response = user_client.post(url, {"password": PASSWORD}, follow=True)
    assert "Votre compte est supprimé" in content(response)
    assert not Candidate.objects.exists()
    assert not Signature.objects.exists()
    assert user_client.get(reverse("pledges:space")).status_code == 302  # logged out
