"""The test database as a DATABASE_URL for other processes, and the environments of processes
that use it (pytest fixtures, registered by tests/conftest.py, and one function)."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.support.processes import run_manage, user_env


def database_url_of(connection) -> str | None:
    """A DATABASE_URL (config/database_url.py form) naming the test database, for a process
    started by the test; None when other processes cannot open it (in-memory SQLite)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(settings["NAME"])
        if connection.is_in_memory_db() or name.startswith("file:"):
            return None
        return f"sqlite:///{Path(name).resolve()}"  # sqlite:////absolute/path
    if connection.vendor == "postgresql":
        credentials = quote(settings["USER"] or "", safe="")
        if settings["PASSWORD"]:
            credentials += ":" + quote(settings["PASSWORD"], safe="")
        host = settings["HOST"] or "localhost"
        port = f":{settings['PORT']}" if settings["PORT"] else ""
        at = "@" if credentials else ""
        return f"postgres://{credentials}{at}{host}{port}/{quote(settings['NAME'], safe='')}"
    return None


def env_sharing_test_database(connection) -> dict[str, str]:
    """Environment of a process run against the test database itself, NO_COLOR set (skips the
    test when the SQLite test database is in memory, which another process cannot open). The
    test must be `django_db(transaction=True)` for the process to see its rows."""
    url = database_url_of(connection)
    if url is None:
        pytest.skip(
            "the SQLite test database is in memory: set BEAT_SYNC_SQLITE_TEST_NAME to a file "
            "(make test does) so that beat-sync processes can open it"
        )
    return user_env(DATABASE_URL=url, NO_COLOR="1")


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """A SQLite database file migrated once per session, for copies (migrating takes seconds)."""
    path = tmp_path_factory.mktemp("migrated") / "db.sqlite3"
    result = run_manage(
        "migrate", "--noinput", "-v", "0", env=user_env(DATABASE_URL=f"sqlite:///{path}")
    )
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def own_database_env(request, tmp_path) -> dict[str, str]:
    """Environment of processes using a migrated database of this backend for this test alone:
    on SQLite a copy of `migrated_sqlite`; on PostgreSQL the test database itself, the test
    made transactional (its rows committed, flushed afterwards). NO_COLOR is not set."""
    from django.db import connection

    if connection.vendor == "sqlite":
        path = tmp_path / "db.sqlite3"
        shutil.copy(request.getfixturevalue("migrated_sqlite"), path)
        url = f"sqlite:///{path}"
    else:
        request.getfixturevalue("transactional_db")
        url = database_url_of(connection)
    return user_env(DATABASE_URL=url)
