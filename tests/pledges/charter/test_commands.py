import pytest
from django.core.management import call_command

from pledges.models import Campaign, Commitment

pytestmark = pytest.mark.django_db


def test_load_charter_loads_it_when_absent(capsys):
    Campaign.objects.all().delete()
    call_command("load_charter")
    assert "Charte #Municipales2020 chargée." in capsys.readouterr().out
    assert Commitment.objects.count() == 20


def test_load_charter_never_overwrites_staff_edits(capsys):
    Campaign.objects.update(signing_override="closed")
    call_command("load_charter")
    assert "déjà en base : rien à faire" in capsys.readouterr().out
    assert Campaign.objects.get().signing_override == "closed"
