"""DATABASE_URL parsing of the example project's settings (pure: no database)."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.database_url import parse_database_url

SQLITE = "django.db.backends.sqlite3"


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("sqlite:///var/db.sqlite3", "/project/var/db.sqlite3"),
        ("sqlite:////tmp/db.sqlite3", "/tmp/db.sqlite3"),
        ("sqlite:///my%20db.sqlite3", "/project/my db.sqlite3"),
        ("sqlite:///:memory:", ":memory:"),
        ("sqlite://", ":memory:"),
    ],
)
def test_sqlite_urls(url, name):
    assert parse_database_url(url, cwd=Path("/project")) == {"ENGINE": SQLITE, "NAME": name}


@pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
def test_postgres_url_with_every_part(scheme):
    url = f"{scheme}://app:p%40ss@db.internal:6543/beat?sslmode=require&connect_timeout=5"

    assert parse_database_url(url) == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "beat",
        "USER": "app",
        "PASSWORD": "p@ss",
        "HOST": "db.internal",
        "PORT": "6543",
        "OPTIONS": {"sslmode": "require", "connect_timeout": "5"},
    }


def test_postgres_url_with_defaults_left_to_libpq():
    assert parse_database_url("postgres://postgres@127.0.0.1/beat_sync") == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "beat_sync",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": "",
        "OPTIONS": {},
    }


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/app", "unsupported scheme 'mysql'"),
        ("db.sqlite3", "unsupported scheme ''"),
        ("sqlite://host/db.sqlite3", "a SQLite URL has no host"),
        ("postgres://postgres@localhost", "no database name"),
        ("postgres://postgres@localhost:99999/app", "Port out of range"),
    ],
)
def test_unusable_urls_are_one_clear_error(url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_database_url(url)


def test_errors_never_print_the_password():
    with pytest.raises(ImproperlyConfigured) as raised:
        parse_database_url("mysql://root:s3cret@localhost/app")

    assert "s3cret" not in str(raised.value)
    assert "root:***@localhost" in str(raised.value)
