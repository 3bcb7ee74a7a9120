"""Hooks and fixtures shared by every test: which database a run really used; eager Celery.

Layout: tests/beat_sync/ mirrors the package (tests/beat_sync/<path>/test_<module>.py for
beat_sync/<path>/<module>.py), tests/example_project/ the example project; tests/faults/ and
tests/e2e/ cut across modules; what tests share is in tests/support/. Modules without a mirror
are tested through others, where a user meets them:
- __main__.py, commands/options.py and commands/output.py: through tests/beat_sync/commands/
  (one file per command, output and exit codes as a user sees them) and test_cli.py.
- management/ (base.py and both management commands): tests/beat_sync/management/test_commands.py.
- apps.py and migrations/: test_migrations.py (the change marker's migration) and
  test_checks.py (the system check the app registers).
- manifest/schema.py: manifest/test_shapes.py and commands/test_schema.py (the schema checked
  against manifests with jsonschema).
- tables/ (read, write, sql, errors, models): tests/beat_sync/test_tables.py, one file for the
  package, because its promises (one read query, a constant number of statements, the lock,
  run history kept, DatabaseScheduler loading what was written) span its modules; and
  tests/faults/ (killed applies, concurrency, database errors).
"""

from __future__ import annotations

import os

import pytest

# The fixtures of tests/support/ (see its __init__ for what each module holds).
pytest_plugins = ("tests.support.processes", "tests.support.databases")

# The moment the next runs that diff, apply and next print count from (README's tour's too), so
# that expected outputs do not move with the clock; a test of "now" itself unsets it.
TEST_NOW = "2026-11-28T12:00:00+00:00"


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("BEAT_SYNC_NOW", TEST_NOW)
    return TEST_NOW


def _default_database() -> tuple[str, str]:
    """(vendor, database name) of the default connection; creating the wrapper does not connect."""
    from django.db import connections

    connection = connections["default"]
    return connection.vendor, str(connection.settings_dict["NAME"])


def pytest_configure(config: pytest.Config) -> None:
    # `make test` sets this for its PostgreSQL run: a run that silently fell back to SQLite
    # would report PostgreSQL as tested when it was not.
    if os.environ.get("BEAT_SYNC_REQUIRE_POSTGRES") == "1":
        vendor, name = _default_database()
        if vendor != "postgresql":
            raise pytest.UsageError(
                f"BEAT_SYNC_REQUIRE_POSTGRES=1 but the default database is {vendor} ({name}); "
                "set DATABASE_URL=postgres://user@host:port/name"
            )


def pytest_report_header(config: pytest.Config) -> str:
    vendor, name = _default_database()
    return f"beat-sync: database {vendor} ({name}; tests use a separate test database)"


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    vendor, _ = _default_database()
    terminalreporter.write_line(f"beat-sync: this run used the {vendor} database backend")


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres_only") and _default_database()[0] != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://user@host:port/name")


@pytest.fixture
def celery_eager():
    """The project's Celery app running `.delay()` in the calling process, errors propagated;
    restored afterwards. Only for tests that want a task's effect without a worker."""
    from beat_sync.project import celery_app

    app = celery_app()
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved
