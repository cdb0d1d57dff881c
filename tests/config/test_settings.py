"""Settings come from the environment: checked in fresh processes."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k3y-" + "x7Q9pL2mZ" * 6,
    "DJANGO_ALLOWED_HOSTS": "engagements.coorace.org",
    "CSRF_TRUSTED_ORIGINS": "https://engagements.coorace.org",
    "DATABASE_URL": "postgres://coorace:secret@db.internal:5432/coorace",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
    "EMAIL_HOST": "smtp.example.org",
    # The legal identity (config/checks.py warns about each one left empty).
    "SITE_PUBLISHER_LEGAL_FORM": "association loi 1901",
    "SITE_PUBLISHER_ADDRESS": "1 rue de l’Exemple, 75000 Paris",
    "SITE_PUBLISHER_PHONE": "01 00 00 00 00",
    "SITE_PUBLICATION_DIRECTOR": "Camille Exemple",
    "SITE_HOSTING_PROVIDER": "Hébergeur Exemple SAS",
    "SITE_HOSTING_ADDRESS": "2 rue de l’Exemple, 59000 Lille",
    "SITE_HOSTING_PHONE": "03 00 00 00 00",
    "SITE_EMAIL_PROVIDER": "Courrier Exemple SAS",
}


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "CACHE_URL", "EMAIL_", "SITE_"))
    }
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def read_settings(**env: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'debug': s.DEBUG, 'db': s.DATABASES['default']['ENGINE'], "
        "'db_name': str(s.DATABASES['default']['NAME']), "
        "'cache': s.CACHES['counters']['BACKEND'], 'email': s.EMAIL_BACKEND, "
        "'rate_limits': s.CACHES['default']['BACKEND'], "
        "'hosts': s.ALLOWED_HOSTS, 'origins': s.CSRF_TRUSTED_ORIGINS, "
        "'lang': s.LANGUAGE_CODE, 'tz': s.TIME_ZONE, 'hsts': s.SECURE_HSTS_SECONDS}))"
    )
    result = run_python(code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_with_nothing_set_the_site_runs_in_development_on_sqlite():
    values = read_settings()
    assert values["debug"] is True
    assert values["db"] == "django.db.backends.sqlite3"
    assert values["db_name"].endswith("db.sqlite3")
    assert values["email"] == "django.core.mail.backends.console.EmailBackend"
    assert values["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["rate_limits"] == "config.cache.RateLimitCache"
    assert (values["lang"], values["tz"]) == ("fr", "Europe/Paris")


def test_production_values_come_from_the_environment():
    values = read_settings(**PRODUCTION)
    assert values["debug"] is False
    assert values["db"] == "django.db.backends.postgresql"
    assert values["cache"] == "config.cache.FailSoftRedisCache"
    assert values["rate_limits"] == "config.cache.RateLimitCache"
    assert values["email"] == "config.mail.ReusedConnectionSMTPBackend"  # SMTP, one connection
    assert values["hosts"] == ["engagements.coorace.org"]
    assert values["origins"] == ["https://engagements.coorace.org"]
    assert values["hsts"] == 31_536_000


def test_check_deploy_reports_nothing_with_production_values():
    result = run_python(
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {key: value for key, value in PRODUCTION.items() if key != "DJANGO_SECRET_KEY"}
    result = run_python("import django; django.setup()", **env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DJANGO_DEBUG", "peut-être", "DJANGO_DEBUG must be a boolean"),
        ("EMAIL_PORT", "vingt-cinq", "EMAIL_PORT must be an integer"),
        ("CACHE_URL", "memcached://x", "CACHE_URL: unknown scheme 'memcached'"),
    ],
)
def test_a_bad_value_stops_with_a_clear_message(variable, value, message):
    result = run_python("import django; django.setup()", **{variable: value})
    assert result.returncode != 0
    assert message in result.stderr
