"""The test database as a DATABASE_URL for other processes, the environments of processes that
use it (pytest fixtures, registered by tests/conftest.py, and one function), and apply's lock held
from a connection of its own."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


@contextmanager
def apply_lock_held(connection) -> Iterator[Callable[[], None]]:
    """Hold the lock every beat-sync apply takes, from a connection of its own to the database
    of `connection` (what another apply in its transaction holds): PostgreSQL's advisory lock on
    LOCK_KEY, SQLite's write lock (BEGIN IMMEDIATE). Yields a function releasing it early (from
    any thread); released on exit in any case. Skips when the SQLite test database is in memory."""
    import threading

    from beat_sync.tables import LOCK_KEY

    url = database_url_of(connection)
    if url is None:
        pytest.skip("the SQLite test database is in memory: set BEAT_SYNC_SQLITE_TEST_NAME")
    if connection.vendor == "postgresql":
        import psycopg

        holder = psycopg.connect(url, autocommit=True)
        holder.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
    else:
        import sqlite3

        name = str(connection.settings_dict["NAME"])
        holder = sqlite3.connect(name, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")
    released = threading.Lock()

    def release() -> None:
        if released.acquire(blocking=False):
            holder.close()  # ends the session (PostgreSQL) or the transaction (SQLite)

    try:
        yield release
    finally:
        release()
