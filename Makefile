# The README's commands. `make run` serves the site; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The PostgreSQL pass of `make test` (pytest-django creates and drops test_coorace).
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/coorace
# The server must answer; the test database itself is created by pytest-django.
PG_PROBE = import psycopg2; psycopg2.connect("$(TEST_POSTGRES_URL)", dbname="postgres", connect_timeout=3).close()

.PHONY: run test lint format venv setup messages clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

venv: $(VENV)/.installed

# The French catalogue (locale/fr/): the .po files are committed, the .mo files are compiled
# here (GNU gettext's msgfmt, Debian package gettext). After changing a string:
# `manage.py update_catalogue`, then commit the .po files.
messages: venv
	@command -v msgfmt >/dev/null || { echo "msgfmt est introuvable : installez gettext (apt-get install gettext)."; exit 1; }
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages --ignore=$(VENV) --verbosity=0

setup: venv messages
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py import_communes
	DJANGO_DEBUG=1 $(PY) manage.py load_charter

# The job worker (e-mails, certificate renders; queue in db.sqlite3) runs beside the web
# server and stops with it (the trap also stops its autoreloaded child); e-mails are printed
# to the console when the worker sends them. TASKS_BACKEND=immediate runs jobs in runserver.
run: setup
	@echo "make run : le serveur web et, à côté, le worker des tâches (manage.py db_worker)."
	DJANGO_DEBUG=1 $(PY) manage.py db_worker & worker=$$!; \
	trap 'pkill -TERM -P $$worker; kill $$worker 2>/dev/null' EXIT; \
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# The SQLite pass and, when PostgreSQL answers on $(TEST_POSTGRES_URL), the PostgreSQL pass,
# side by side, one core each (591 s for both on 1 December 2026, two cores shared with other
# work; see the README). Each writes to its own
# log, printed in order once both are done; `make test` fails if either fails. They share
# nothing: SQLite's test database is in memory, PostgreSQL's is test_<name>, media go to each
# test's tmp_path, servers listen on free ports. Without PostgreSQL its tests are skipped with
# a message (.ci/run, with REQUIRE_NO_SKIP=1, fails on that).
test: venv messages
	@if $(PY) -c '$(PG_PROBE)' 2>/tmp/coorace-pg-probe.log; then \
		logs=$$(mktemp -d "$${TMPDIR:-/tmp}/coorace-test.XXXXXX"); started=$$(date +%s); \
		echo "== Passes SQLite et PostgreSQL ($(TEST_POSTGRES_URL)) côte à côte =="; \
		$(PY) -m pytest -m "not postgresql" $(PYTEST_ARGS) >$$logs/sqlite.log 2>&1 & sqlite=$$!; \
		DATABASE_URL=$(TEST_POSTGRES_URL) $(PY) -m pytest -m "not browser" $(PYTEST_ARGS) \
			>$$logs/postgresql.log 2>&1 & postgresql=$$!; \
		trap 'kill $$sqlite $$postgresql 2>/dev/null; rm -rf $$logs; exit 130' INT TERM; \
		wait $$sqlite; sqlite_status=$$?; wait $$postgresql; postgresql_status=$$?; \
		echo "Les deux passes ont pris $$(( $$(date +%s) - started )) s (chacune donne sa durée à la fin)."; \
		echo "== Passe SQLite =="; cat $$logs/sqlite.log; \
		echo "== Passe PostgreSQL ($(TEST_POSTGRES_URL)) =="; cat $$logs/postgresql.log; \
		rm -rf $$logs; \
		[ $$sqlite_status = 0 ] || exit $$sqlite_status; exit $$postgresql_status; \
	else \
		echo "PostgreSQL ne répond pas sur $(TEST_POSTGRES_URL) : la passe PostgreSQL est sautée."; \
		tail -n 1 /tmp/coorace-pg-probe.log; \
		$(PY) -m pytest $(PYTEST_ARGS) || exit $$?; \
		if [ "$$REQUIRE_NO_SKIP" = 1 ]; then echo "REQUIRE_NO_SKIP=1 : PostgreSQL est exigé."; exit 1; fi; \
	fi

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles locale/*/LC_MESSAGES/*.mo
