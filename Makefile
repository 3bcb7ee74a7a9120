# beat-sync: every target works on a fresh clone with only Python 3.11+ present.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BEAT_SYNC := $(VENV)/bin/beat-sync
# The PostgreSQL run of `make test` uses this server; tests create and drop their own test database.
PG_URL ?= postgres://postgres@127.0.0.1:5432/beat_sync
PYTEST_ARGS ?=
# Options of `make mutants` (mutants/run.py): mutation names, --backend, --jobs, --list, --verbose, --keep.
MUTANTS_ARGS ?=

.PHONY: install demo demo-run test test-sqlite test-postgres mutants lint format bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@

install: $(VENV)/.installed

# migrate, validate, diff, apply, diff again (must be in sync), then the rows as Django sees them.
demo: install
	$(PY) example_project/manage.py migrate --noinput -v 0
	$(BEAT_SYNC) validate
	$(BEAT_SYNC) diff
	$(BEAT_SYNC) apply
	$(BEAT_SYNC) diff --exit-code
	@echo "PeriodicTask rows, as python example_project/manage.py shell sees them:"
	@$(PY) example_project/manage.py shell --no-imports -c "from django_celery_beat.models import PeriodicTask; print(*(f'  {t} | task={t.task} enabled={t.enabled} last_run_at={t.last_run_at} total_run_count={t.total_run_count}' for t in PeriodicTask.objects.order_by('name')), sep=chr(10))"

# A real worker and beat send an email from a periodic task applied by beat-sync (SQLite and the
# filesystem broker in example_project/var/; nothing to install); both stopped at the end.
demo-run: install
	$(PY) example_project/demo_run.py

test: install
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$DATABASE_URL" ] || $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 1)" 2>/dev/null; then \
		$(MAKE) --no-print-directory test-postgres; \
	elif [ "$$BEAT_SYNC_REQUIRE_POSTGRES" = "1" ]; then \
		echo "PostgreSQL is required (BEAT_SYNC_REQUIRE_POSTGRES=1) but nothing answers on 127.0.0.1:5432" >&2; exit 1; \
	else \
		echo "PostgreSQL: no server on 127.0.0.1:5432 and no DATABASE_URL; the PostgreSQL run is SKIPPED"; \
	fi

test-sqlite: install
	@echo "== tests on SQLite =="
	@# A file test database (removed by the test run), so the end-to-end test's worker and beat,
	@# separate processes, can open it; an in-memory one is private to the pytest process.
	@# BEAT_SYNC_REQUIRE_POSTGRES (set by .ci/run for `make test`) is for the PostgreSQL pass only.
	env -u DATABASE_URL -u BEAT_SYNC_REQUIRE_POSTGRES \
		BEAT_SYNC_SQLITE_TEST_NAME=$${TMPDIR:-/tmp}/beat-sync-test-$$$$.sqlite3 \
		$(PY) -m pytest $(PYTEST_ARGS)

test-postgres: install
	@echo "== tests on PostgreSQL ($${DATABASE_URL:-$(PG_URL)}) =="
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} BEAT_SYNC_REQUIRE_POSTGRES=1 $(PY) -m pytest $(PYTEST_ARGS)

# Deliberate breakages of the promises (mutants/mutations.py), each in a scratch copy with the
# tests that must catch it, on SQLite and on PostgreSQL (DATABASE_URL, else PG_URL; SKIPPED when
# no server answers, a failure under BEAT_SYNC_REQUIRE_POSTGRES=1). One line per mutation;
# exit 1 if one survives, 2 if the runner cannot judge (see README, "Mutations").
mutants: install
	@DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} $(PY) -m mutants.run $(MUTANTS_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Timings of apply/diff against the styleguide's loop on SQLite and PostgreSQL (127.0.0.1:5432,
# a database created and dropped by the run); prints a table and writes bench/results.md.
bench: install
	$(PY) -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) example_project/var .pytest_cache .ruff_cache .hypothesis *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
