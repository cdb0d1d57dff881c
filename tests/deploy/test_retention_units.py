"""config/deploy/coorace-retention.{service,timer}: the retention job, every night."""

import configparser
from pathlib import Path

from django.core.management import get_commands

DEPLOY = Path(__file__).resolve().parents[2] / "config" / "deploy"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(DEPLOY / name, encoding="utf-8")
    return parser


def test_the_timer_starts_the_retention_command_every_night():
    service, timer = unit("coorace-retention.service"), unit("coorace-retention.timer")
    command = service["Service"]["ExecStart"].split()
    assert command[1:3] == ["manage.py", "erase_private_data"]
    assert "erase_private_data" in get_commands()
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["EnvironmentFile"] == "/etc/coorace/env"
    assert timer["Timer"]["Unit"] == "coorace-retention.service"
    assert timer["Timer"]["OnCalendar"].startswith("*-*-* ")  # daily
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"
