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
