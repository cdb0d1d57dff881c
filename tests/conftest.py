"""Shared test set-up.

The reference data (35,051 communes) and the charter are loaded once per test run into
the test database; each test then runs in a transaction that is rolled back.
"""

import logging
import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("import_communes", verbosity=0)
        call_command("loaddata", "pledges_charter", verbosity=0)
        COMMUNES_AS_IMPORTED.extend(_read_reference_tables())


# The rows of the communes app's tables as import_communes wrote them at the start of the
# run, (model, columns, rows). `reference_data` writes them back after a flush: the same
# rows, keys included, in about a second on SQLite (four on PostgreSQL) where a new
# import_communes takes five to nine (it reads and checks 35,051 rows of CSV each time).
COMMUNES_AS_IMPORTED: list[tuple[type, list[str], list[tuple]]] = []


def _reference_models():
    from django.apps import apps

    return apps.get_app_config("communes").get_models(include_auto_created=True)


def _read_reference_tables():
    tables = []
    with connection.cursor() as cursor:
        for model in _reference_models():
            columns = [field.column for field in model._meta.concrete_fields]
            quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT {quoted} FROM {table} ORDER BY 1")
            tables.append((model, columns, cursor.fetchall()))
    return tables


def _write_reference_tables(tables):
    from django.db import transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for model, columns, rows in tables:
            quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
            table = connection.ops.quote_name(model._meta.db_table)
            row = f"({', '.join(['%s'] * len(columns))})"
            # SQLite takes 999 parameters a statement; PostgreSQL has no such bound.
            per_statement = (connection.features.max_query_params or 20_000) // len(columns)
            for start in range(0, len(rows), per_statement):
                batch = rows[start : start + per_statement]
                cursor.execute(
                    f"INSERT INTO {table} ({quoted}) VALUES {', '.join([row] * len(batch))}",
                    [value for values in batch for value in values],
                )


def pytest_report_header(config):
    return f"database: {connection.vendor} ({connection.settings_dict['NAME']})"


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgresql` skip, saying why, when the suite runs on SQLite; tests
    marked `nginx` skip, saying so, when Debian's nginx is not installed."""
    from tests.deploy.nginx import nginx_executable

    if nginx_executable() is None:
        skip_nginx = pytest.mark.skip(
            reason="needs nginx, which is not installed: apt-get install nginx (Debian's; "
            ".ci/run installs it)"
        )
        for item in items:
            if "nginx" in item.keywords:
                item.add_marker(skip_nginx)
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL: set DATABASE_URL=postgres://… (make test does when "
        "PostgreSQL listens on 127.0.0.1:5432)"
    )
    for item in items:
        if "postgresql" in item.keywords:
            item.add_marker(skip)


def pytest_sessionfinish(session, exitstatus):
    """With REQUIRE_NO_SKIP=1 (set by .ci/run), a skipped test fails the run."""
    if os.environ.get("REQUIRE_NO_SKIP") != "1" or exitstatus != 0:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        reporter.write_line(
            f"REQUIRE_NO_SKIP=1: {skipped} test(s) skipped, which CI does not allow.", red=True
        )
        session.exitstatus = 1


@pytest.fixture
def superuser_client(client):
    user = get_user_model().objects.create_superuser(
        "admin", "admin@coorace.test", "motdepasse-solide"
    )
    client.force_login(user)
    return client


@pytest.fixture
def reference_data(django_db_blocker):
    """For transactional tests: the flush after an earlier one empties every table,
    including what the data migrations seeded (the « Modération » group, the reasons).
    The communes come back as import_communes wrote them at the start (COMMUNES_AS_IMPORTED)."""
    from importlib import import_module

    from django.contrib.auth.models import Group, Permission

    from communes.models import Commune
    from pledges.models import RejectionReason

    if not Commune.objects.exists():
        _write_reference_tables(COMMUNES_AS_IMPORTED)
    call_command("load_charter", verbosity=0)
    seed = import_module("pledges.migrations.0004_seed_reasons_and_moderation_group")
    for position, (code, label, text, free) in enumerate(seed.REASONS, start=1):
        RejectionReason.objects.get_or_create(
            code=code,
            defaults={"label": label, "candidate_text": text, "requires_free_text": free,
                      "position": position},
        )  # fmt: skip
    group, _ = Group.objects.get_or_create(name="Modération")
    renamed = import_module("pledges.migrations.0007_rename_models_as_the_site_names_them")
    for app_label, codename in [*seed.MODERATION_PERMISSIONS, ("pledges", "view_certificate")]:
        group.permissions.add(
            Permission.objects.get(
                content_type__app_label=app_label, codename=renamed.current_codename(codename)
            )
        )


@pytest.fixture(autouse=True)
def _empty_cache(request, django_db_blocker):
    """Each test starts with no counter (the `counters` cache) and no rate limit (the default
    cache, a table of the test database). A test's rate limits roll back with its transaction;
    a transactional test (live server, threads) commits them, so they are deleted after it."""
    from django.core.cache import caches

    caches["counters"].clear()
    yield
    marker = request.node.get_closest_marker("django_db")
    if {"transactional_db", "live_server"} & set(request.fixturenames) or (
        marker and marker.kwargs.get("transaction")
    ):
        with django_db_blocker.unblock():
            caches["default"].clear()


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path):
    """Certificates rendered by a test go to a folder of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2's deliberate slowness protects real accounts, not test ones."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def _jobs_run_at_commit(settings, monkeypatch):
    """Jobs run as production runs them once the worker has picked them up: the immediate
    backend runs each job when the transaction that enqueued it commits, so a test reads
    `mail.outbox` right after a request or a service call. Tests about the queue itself ask
    for `database_tasks`. Certificates render on first download, unless a test sets
    CERTIFICATE_RENDER_ON_ISSUE (a render takes 0.3 s: not at every approval of the suite);
    a public page has its share image drawn only if a test sets SHARE_IMAGE_ON_PAGE_VIEW
    (0.1 s: not at every page of the suite).

    pytest-django wraps each test in a transaction that is rolled back, in which
    `on_commit` callbacks never run. Here they run when the outermost transaction that is
    not the test's own commits (or at once outside any), as they would in production;
    callbacks of a block that rolls back are dropped by Django itself.
    """
    from django.db import DEFAULT_DB_ALIAS, connections, transaction

    settings.TASKS = IMMEDIATE_TASKS
    settings.CERTIFICATE_RENDER_ON_ISSUE = False
    settings.SHARE_IMAGE_ON_PAGE_VIEW = False

    def run_committed_callbacks(connection):
        if connection.needs_rollback or not all(
            getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
        ):
            return
        while connection.run_on_commit:
            _savepoints, func, robust = connection.run_on_commit.pop(0)
            if not robust:
                func()
                continue
            try:
                func()
            except Exception:
                logging.getLogger("django.db.backends.base").exception(
                    "Error calling %s in on_commit() (tests/conftest.py).", func
                )

    wrapper_class = type(connections[DEFAULT_DB_ALIAS])
    atomic_exit = transaction.Atomic.__exit__
    on_commit = wrapper_class.on_commit

    def exit_then_run(self, exc_type, exc_value, traceback):
        result = atomic_exit(self, exc_type, exc_value, traceback)
        if exc_type is None and (self.using or DEFAULT_DB_ALIAS) == DEFAULT_DB_ALIAS:
            run_committed_callbacks(connections[DEFAULT_DB_ALIAS])
        return result

    def on_commit_then_run(self, func, robust=False):
        on_commit(self, func, robust)
        if self.alias == DEFAULT_DB_ALIAS:
            run_committed_callbacks(self)

    monkeypatch.setattr(transaction.Atomic, "__exit__", exit_then_run)
    monkeypatch.setattr(wrapper_class, "on_commit", on_commit_then_run)


@pytest.fixture
def database_tasks(settings):
    """Jobs go to the database backend's queue (django-tasks-db), as in production; the
    tests run the worker in-process (`call_command("db_worker", "--batch", …)`)."""
    settings.TASKS = DATABASE_TASKS


@pytest.fixture
def user_client(client):
    """A client signed in as a candidate's account with a verified address (`client.user`)."""
    from tests.factories import make_user

    user = make_user("camille@exemple.test")
    client.force_login(user)
    client.user = user
    return client
