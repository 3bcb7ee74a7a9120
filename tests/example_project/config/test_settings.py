"""The example project's settings: DATABASE_URL read by dj-database-url, and what a user sees
when it is not usable (one line, never its password)."""

import pytest

from tests.support.manifests import write_manifest
from tests.support.processes import run_beat_sync, user_env


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgres://postgres@[::1/x", "This string is not a valid url"),
        ("postgres://app:s3cret@[::1/x", "This string is not a valid url"),
        ("postgres://app:s3cret@db:99999/app", "This string is not a valid url"),
        ("nosuch://app:s3cret@db/app", "Scheme 'nosuch://' is unknown"),
    ],
)
def test_an_unusable_database_url_is_one_line_without_the_password(tmp_path, url, reason):
    write_manifest(tmp_path / "schedules")
    result = run_beat_sync(
        "diff", "--schedules", tmp_path / "schedules", env=user_env(DATABASE_URL=url)
    )
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith(
        "beat-sync: error: Django settings are not usable: DATABASE_URL is not a usable "
        f"database URL: {reason}"
    )
    assert result.stderr.count("\n") == 1
    assert "s3cret" not in result.stderr


def test_a_sqlite_url_names_the_file(tmp_path):
    # An absolute path (four slashes); the database is created there by migrate.
    path = tmp_path / "db.sqlite3"
    path.touch()  # an empty SQLite database
    write_manifest(tmp_path / "schedules")
    env = user_env(DATABASE_URL=f"sqlite:///{path}")
    result = run_beat_sync("diff", "--schedules", tmp_path / "schedules", env=env)
    assert result.returncode == 1
    assert "django-celery-beat tables not found" in result.stderr
    assert f"(sqlite {path})" in result.stderr


def test_a_backend_whose_driver_is_missing_is_one_line(tmp_path):
    # Django's MySQL backend says so in two lines ("Error loading MySQLdb module.\nDid you
    # install mysqlclient?"); every error beat-sync prints is one line.
    pytest.importorskip("django")
    try:
        import MySQLdb  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("mysqlclient is installed here: the backend loads")
    write_manifest(tmp_path / "schedules")
    result = run_beat_sync(
        "status",
        "--schedules",
        tmp_path / "schedules",
        env=user_env(DATABASE_URL="mysql://app:s3cret@127.0.0.1/app"),
    )
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "beat-sync: error: Django settings are not usable: Error loading MySQLdb module. "
        "Did you install mysqlclient?\n"
    )
