"""A database `diff`/`apply` cannot use: one clear `beat-sync: error:` line, exit 1, no traceback,
through the real CLI process.

Wrong password: not testable on this project's PostgreSQL servers, whose pg_hba.conf trusts every
local connection (any password is accepted); what a server refuses here is an unknown role or
an unknown database, which go through the same connection-error path and are tested instead.
"""

from __future__ import annotations

import shutil
import socket
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests.support.databases import env_sharing_test_database
from tests.support.processes import run_beat_sync as beat_sync
from tests.support.processes import run_manage, user_env
from tests.support.servers import answers
from tests.support.tables import checksum_tables

PG = ("127.0.0.1", 5432)


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_answers() -> bool:
    return answers(*PG)


needs_postgres_server = pytest.mark.skipif(
    not postgres_answers(), reason="no PostgreSQL server on 127.0.0.1:5432"
)


def env_for(url: str) -> dict[str, str]:
    return user_env(DATABASE_URL=url, NO_COLOR="1")


def assert_one_error_line(result, *expected: str) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("beat-sync: error: "), line
    for text in expected:
        assert text in line, line
    return line


@pytest.mark.parametrize("command", ["diff", "apply"])
def test_unreachable_database(command: str):
    url = f"postgres://postgres@127.0.0.1:{free_port()}/nothing_here"
    line = assert_one_error_line(beat_sync(command, env=env_for(url)), "database 'default'")
    assert "onnection refused" in line


@needs_postgres_server
@pytest.mark.parametrize("command", ["diff", "apply"])
def test_unknown_role(command: str):
    url = f"postgres://bs_proof_no_such_role_{uuid.uuid4().hex[:8]}@127.0.0.1:5432/postgres"
    assert_one_error_line(beat_sync(command, env=env_for(url)), "does not exist")


@needs_postgres_server
@pytest.mark.parametrize("command", ["diff", "apply"])
def test_unknown_database(command: str):
    url = f"postgres://postgres@127.0.0.1:5432/bs_proof_no_such_db_{uuid.uuid4().hex[:8]}"
    assert_one_error_line(beat_sync(command, env=env_for(url)), "does not exist")


@pytest.mark.parametrize("command", ["diff", "apply"])
def test_tables_not_migrated_sqlite(command: str, tmp_path: Path):
    (tmp_path / "empty.sqlite3").touch()  # an empty SQLite database
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    assert_one_error_line(
        beat_sync(command, env=env_for(url)),
        "django-celery-beat tables not found",
        "run `python manage.py migrate`",
    )


@pytest.mark.parametrize("command", ["diff", "apply", "status", "export"])
def test_a_sqlite_file_that_does_not_exist_is_one_line_and_is_not_created(
    command: str, tmp_path: Path
):
    path = tmp_path / "typo" / "db.sqlite3"
    path.parent.mkdir()
    line = assert_one_error_line(beat_sync(command, env=env_for(f"sqlite:///{path}")))
    assert line == (
        f"beat-sync: error: cannot use database 'default' (sqlite {path}): the file does not "
        "exist (`python manage.py migrate` creates it)"
    )
    assert list(path.parent.iterdir()) == []  # SQLite would have created an empty file


@pytest.mark.parametrize("command", ["diff", "apply"])
def test_ownership_table_not_migrated(command: str, tmp_path: Path, migrated_sqlite: Path):
    # django-celery-beat migrated, beat_sync only up to its first migration (before ownership).
    path = tmp_path / "db.sqlite3"
    shutil.copy(migrated_sqlite, path)
    env = env_for(f"sqlite:///{path}")
    back = run_manage("migrate", "beat_sync", "0001", "-v", "0", env=env)
    assert back.returncode == 0, back.stderr
    assert_one_error_line(
        beat_sync(command, env=env),
        "beat-sync tables not found",
        "run `python manage.py migrate`",
    )


@needs_postgres_server
def test_tables_not_migrated_postgres():
    import psycopg

    name = f"bs_proof_unmigrated_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(host=PG[0], port=PG[1], user="postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            env = env_for(f"postgres://postgres@127.0.0.1:5432/{name}")
            for command in ("diff", "apply"):
                assert_one_error_line(
                    beat_sync(command, env=env), "django-celery-beat tables not found", name
                )
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_read_only_user_can_diff_but_apply_fails_and_changes_nothing():
    env = env_sharing_test_database(connection)
    role = f"bs_proof_readonly_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" LOGIN')
        try:
            cursor.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"')
            settings = connection.settings_dict
            env["DATABASE_URL"] = (
                f"postgres://{role}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
            )
            before = checksum_tables()
            diff = beat_sync("diff", "--exit-code", env=env)
            assert diff.returncode == 2, diff.stderr  # it reads: the manifest's tasks to add
            assert "to add" in diff.stdout
            assert_one_error_line(
                beat_sync("apply", env=env), "apply failed on database", "permission denied"
            )
            assert checksum_tables() == before
        finally:
            cursor.execute(f'DROP OWNED BY "{role}"')
            cursor.execute(f'DROP ROLE "{role}"')
