"""manage.py send_alerts and its systemd units (config/deploy/coorace-alerts.{service,timer})."""

import configparser
import io
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command, get_commands
from django.test import Client
from django.urls import reverse

from tests.factories import approve, make_pledge

DEPLOY = Path(__file__).resolve().parents[3] / "config" / "deploy"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(DEPLOY / name, encoding="utf-8")
    return parser


def test_the_timer_starts_send_alerts_every_day():
    service, timer = unit("coorace-alerts.service"), unit("coorace-alerts.timer")
    command = service["Service"]["ExecStart"].split()
    assert command[1:3] == ["manage.py", "send_alerts"]
    assert "send_alerts" in get_commands()
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["EnvironmentFile"] == "/etc/coorace/env"
    assert timer["Timer"]["Unit"] == "coorace-alerts.service"
    assert timer["Timer"]["OnCalendar"].startswith("*-*-* ")  # daily
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"


@pytest.mark.django_db
def test_the_command_sends_the_digest_and_dry_run_sends_nothing():
    client = Client()
    client.post(reverse("pledges:alerts_subscribe", args=["42218"]), {"email": "e@exemple.fr"})
    (confirmation,) = mail.outbox
    token = confirmation.body.split("/alertes/confirmer/")[1].split("/")[0]
    client.post(reverse("pledges:alerts_confirm", args=[token]))
    approve(make_pledge())
    mail.outbox.clear()
    out = io.StringIO()
    call_command("send_alerts", "--dry-run", stdout=out)
    assert "qui seraient envoyés : 1" in out.getvalue()
    assert mail.outbox == []
    out = io.StringIO()
    call_command("send_alerts", stdout=out)
    assert "Courriels d’alerte mis en file : 1" in out.getvalue()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["e@exemple.fr"]
