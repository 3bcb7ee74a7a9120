"""The database's expected failures (unknown alias, missing tables, integrity and connection
errors) as one UserError line each."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from beat_sync.errors import UserError
from beat_sync.tables.models import beat_models
from beat_sync.tables.ownership import ownership_models


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def missing_tables(using: str, models: tuple[Any, ...]) -> list[str]:
    """The tables of `models` the database lacks ([] when it cannot tell)."""
    from django.db import connections

    wanted = [model._meta.db_table for model in models]
    try:
        with connections[using].cursor() as cursor:
            present = set(connections[using].introspection.table_names(cursor))
    except Exception:
        return []  # cannot tell; the original error is reported instead
    return [table for table in wanted if table not in present]


def _missing_sqlite_file(connection: Any) -> bool:
    """Whether `connection` is an unopened SQLite one to a file path that does not exist (not
    an in-memory database, nor a `file:` URI)."""
    from pathlib import Path

    name = connection.settings_dict.get("NAME")
    if connection.vendor != "sqlite" or connection.connection is not None:
        return False
    if not isinstance(name, str | Path) or not str(name) or str(name).startswith("file:"):
        return False
    return str(name) != ":memory:" and not Path(name).exists()


@contextmanager
def database_errors(using: str, doing: str = "") -> Iterator[None]:
    """Turn the database's expected failures into one UserError line each."""
    from django.conf import settings
    from django.db import DatabaseError, IntegrityError, connections
    from django.utils.connection import ConnectionDoesNotExist

    try:
        connection = connections[using]
    except ConnectionDoesNotExist:
        known = ", ".join(sorted(settings.DATABASES)) or "none"
        raise UserError(f"unknown database alias {using!r} (DATABASES has: {known})") from None
    if not settings.USE_TZ:
        raise UserError("beat-sync needs USE_TZ = True in the Django settings")
    where = f"database {using!r} ({connection.vendor} {connection.settings_dict.get('NAME')})"
    if _missing_sqlite_file(connection):
        # SQLite would create an empty file there, left behind by a command that only reads
        raise UserError(
            f"cannot use {where}: the file does not exist (`python manage.py migrate` creates it)"
        )
    try:
        yield
    except IntegrityError as exc:
        raise UserError(
            f"{doing or 'operation'} failed on {where}, nothing was changed: {_first_line(exc)}"
        ) from None
    except DatabaseError as exc:
        for models, whose in (
            (beat_models(), "django-celery-beat"),
            (ownership_models(), "beat-sync"),
        ):
            missing = missing_tables(using, models) if models else []
            if missing:
                which = "" if len(missing) == len(models) else f" ({', '.join(missing)})"
                raise UserError(
                    f"{whose} tables not found{which} in {where} — run `python manage.py migrate`"
                ) from None
        prefix = f"{doing} failed on {where}" if doing else f"cannot use {where}"
        raise UserError(f"{prefix}: {_first_line(exc)}") from None
