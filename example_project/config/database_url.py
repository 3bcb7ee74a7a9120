"""DATABASE_URL -> a Django DATABASES entry, for the two engines the example project supports.

Accepted forms (no third-party parser, so the project needs nothing beyond beat-sync's own deps):
  sqlite:///relative/path.sqlite3     relative to the current directory
  sqlite:////absolute/path.sqlite3    (four slashes: the path starts with "/")
  sqlite:///:memory:  or  sqlite://   an in-memory database
  postgres://user[:password]@host[:port]/name[?option=value...]   (also postgresql://)
Query parameters of a PostgreSQL URL become OPTIONS (e.g. ?sslmode=require).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

POSTGRES_SCHEMES = ("postgres", "postgresql")


def parse_database_url(url: str, *, cwd: Path | None = None) -> dict:
    """The DATABASES["default"] dict that `url` describes; ImproperlyConfigured if it cannot."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return _sqlite(url, parts.netloc, parts.path, cwd or Path.cwd())
    if parts.scheme in POSTGRES_SCHEMES:
        return _postgres(url, parts)
    raise ImproperlyConfigured(
        f"DATABASE_URL {_redact(url)!r}: unsupported scheme {parts.scheme!r} "
        "(use sqlite:///path/to/db.sqlite3 or postgres://user@host:port/name)"
    )


def _sqlite(url: str, netloc: str, path: str, cwd: Path) -> dict:
    if netloc:
        raise ImproperlyConfigured(
            f"DATABASE_URL {url!r}: a SQLite URL has no host; "
            "write sqlite:///relative/path or sqlite:////absolute/path"
        )
    # urlsplit keeps the slash that separates the (empty) host from the path: strip exactly one.
    name = path[1:] if path.startswith("/") else path
    if name in ("", ":memory:"):
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(cwd / unquote(name))}


def _postgres(url: str, parts) -> dict:
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured(
            f"DATABASE_URL {_redact(url)!r}: no database name (postgres://user@host:port/name)"
        )
    try:
        port = parts.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL {_redact(url)!r}: {exc}") from exc
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(port or ""),
        "OPTIONS": dict(parse_qsl(parts.query)),
    }


def _redact(url: str) -> str:
    """The URL without its password, so error messages never print a secret."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=f"{parts.username}:***@{host}").geturl()
