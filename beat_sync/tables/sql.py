"""The SQL layer of apply: the lock, and multi-row INSERTs within the database's variable limits.

The lock serialises concurrent deploys: PostgreSQL's transaction-level advisory lock on LOCK_KEY
(released by commit or rollback); SQLite `BEGIN IMMEDIATE` (the write lock is taken when the
transaction starts, so a second apply waits for the first instead of reading a state that is
about to change). An apply waits for the lock at most `timeout` seconds (apply's --lock-timeout),
then gives up with one UserError line, nothing read or written: PostgreSQL first tries
(`pg_try_advisory_xact_lock`, the one lock statement when nobody holds it), and only when the
lock is held waits in the lock's queue with `lock_timeout` set for that one statement (0 would
mean "no limit" there, so 0 is the try alone); SQLite waits in its busy handler, whose
`busy_timeout` is set to `timeout` for the BEGIN IMMEDIATE and put back after it (a PRAGMA on
the in-process connection, not a statement sent to a server).

Rows are inserted in one statement per table. On PostgreSQL that statement binds one parameter, the
rows as JSON text, `INSERT ... SELECT (r->>0)::type, ... FROM json_array_elements(%s::json) AS r`:
a multi-row VALUES list would bind 23 parameters per task, each quoted in Python by the
client-side-binding cursor Django uses, then parsed and planned by the server (2.5 s for 10,000
tasks); arrays per column (UNNEST, what bulk_create does) still quote every element in Python.
SQLite has no such input: a multi-row VALUES list, and SQLite caps the bound variables of one
statement (SQLITE_LIMIT_VARIABLE_NUMBER, read from the connection: 250,000 on Debian's build,
32,766 by default since SQLite 3.32): beyond limit / 23 tasks (about 10,800 at 250,000; 1,400 at
32,766) the task insert takes one more statement per that many tasks. Django's own `bulk_create`
would cap SQLite at 999 variables (43 tasks per statement) and overwrite `date_changed` (auto_now),
which is why the inserts are written here, their values adapted by the database backend's own
`adapt_*` operations as Django's compiler does.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from beat_sync.config import DEFAULT_LOCK_TIMEOUT
from beat_sync.errors import UserError

# "beatsync" in ASCII: the key of the PostgreSQL advisory lock every beat-sync apply takes.
LOCK_KEY = 0x62656174_73796E63
SUPPORTED_VENDORS = ("postgresql", "sqlite")


# PostgreSQL's SQLSTATE for a lock wait that ran out of lock_timeout (lock_not_available).
_LOCK_NOT_AVAILABLE = "55P03"


def lock_wait_error(vendor: str, timeout: float) -> UserError:
    """The one line an apply that gave up waiting for the lock prints."""
    holder = (
        "another apply holds the lock"
        if vendor == "postgresql"
        else "another apply (or another writer of this SQLite database) holds the lock"
    )
    return UserError(f"{holder}: waited {timeout:g} s (--lock-timeout {timeout:g})")


@contextmanager
def locked_transaction(using: str, timeout: float = DEFAULT_LOCK_TIMEOUT) -> Iterator[None]:
    """One transaction that no other beat-sync apply on the same database runs alongside; the
    lock is waited for at most `timeout` seconds (0: not at all), then UserError."""
    from django.db import connections, transaction

    connection = connections[using]
    if connection.vendor not in SUPPORTED_VENDORS:
        raise UserError(
            f"apply supports PostgreSQL and SQLite; database {using!r} is {connection.vendor} "
            "(diff and export work on any database)"
        )
    if connection.vendor == "postgresql":
        with transaction.atomic(using=using):
            _advisory_lock(connection, timeout)
            yield
        return
    # SQLite: Django's atomic() opens the outermost transaction with
    # `BEGIN <connection.transaction_mode>` (the OPTIONS "transaction_mode" setting); set it to
    # IMMEDIATE for this one transaction, whatever the settings say. Inside an outer
    # transaction the caller's BEGIN already happened: its lock is the one that counts.
    from django.db import OperationalError

    connection.ensure_connection()
    configured = connection.transaction_mode
    raw = connection.connection
    busy_timeout = raw.execute("PRAGMA busy_timeout").fetchone()[0]
    connection.transaction_mode = "IMMEDIATE"
    try:
        with contextlib.ExitStack() as stack:
            raw.execute(f"PRAGMA busy_timeout = {_milliseconds(timeout)}")
            try:
                stack.enter_context(transaction.atomic(using=using))
            except OperationalError as exc:
                if "locked" not in str(exc):  # SQLITE_BUSY: "database is locked"
                    raise
                raise lock_wait_error(connection.vendor, timeout) from None
            finally:
                raw.execute(f"PRAGMA busy_timeout = {int(busy_timeout)}")
                connection.transaction_mode = configured
            yield
    finally:
        connection.transaction_mode = configured


def _milliseconds(seconds: float) -> int:
    """A timeout in whole milliseconds, at least 1 when it is not 0."""
    return max(1, round(seconds * 1000)) if seconds > 0 else 0


def _advisory_lock(connection: Any, timeout: float) -> None:
    """Take the advisory lock in the current transaction, waiting at most `timeout` seconds."""
    from django.db import OperationalError

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_xact_lock(%s), current_setting('lock_timeout')", [LOCK_KEY]
        )
        taken, configured = cursor.fetchone()
        if taken:
            return
        if timeout <= 0:
            raise lock_wait_error(connection.vendor, timeout)
        # Only the wait for this lock is bounded: the rest of the transaction keeps the
        # connection's own lock_timeout (set_config(..., true) lasts until the transaction ends).
        cursor.execute(
            "SELECT set_config('lock_timeout', %s, true)", [f"{_milliseconds(timeout)}ms"]
        )
        try:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
                raise
            raise lock_wait_error(connection.vendor, timeout) from None
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [configured])


def rows_per_statement(connection: Any, columns: int) -> int | None:
    """How many rows one INSERT may carry on this connection (None: no limit)."""
    if connection.vendor == "sqlite":
        import sqlite3

        raw = connection.connection
        variables = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        # Each row's SQL is "(%s, %s, ...)": about 3 characters per column.
        length = raw.getlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH)
        return max(1, min(variables // columns, (length - 1000) // (3 * columns + 4)))
    return None


def adapter(field: Any, connection: Any) -> Callable[[Any], Any] | None:
    """How a value of `field` is bound: the backend's own adapt_* (what Django's compiler uses),
    or None for values the driver takes as they are (text, numbers, booleans, NULL)."""
    internal = field.get_internal_type()
    if internal == "DateTimeField":
        return connection.ops.adapt_datetimefield_value
    if internal == "DecimalField":
        return lambda value: connection.ops.adapt_decimalfield_value(
            value, field.max_digits, field.decimal_places
        )
    return None


def insert(model: Any, rows: list[dict[str, Any]], using: str, returning: bool) -> list[int]:
    """Multi-row INSERT of `rows` (column name -> value, same keys in every row).

    Written out rather than through bulk_create: bulk_create caps SQLite at 999 variables per
    statement, and sets `date_changed` (auto_now) itself. Returns the new primary keys in row
    order when `returning` (RETURNING, as bulk_create relies on it too).
    """
    from django.db import connections

    if not rows:
        return []
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = model._meta
    fields = [meta.get_field(name) for name in rows[0]]
    adapters = [adapter(f, connection) for f in fields]
    columns = ", ".join(quote(f.column) for f in fields)
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    suffix = f" RETURNING {quote(meta.pk.column)}" if returning else ""
    ids: list[int] = []
    if connection.vendor == "postgresql":
        return _insert_json(connection, meta, fields, rows, suffix, returning)
    size = rows_per_statement(connection, len(fields)) or len(rows)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            params = [
                value if adapt is None or value is None else adapt(value)
                for row in batch
                for value, adapt in zip(row.values(), adapters, strict=True)
            ]
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "
                f"{', '.join([placeholders] * len(batch))}{suffix}",
                params,
            )
            if returning:
                ids.extend(row[0] for row in cursor.fetchall())
    return ids


def _json_value(value: Any) -> str:
    """A value JSON has no type for, as the text PostgreSQL's input function reads."""
    if isinstance(value, datetime.datetime):
        return value.isoformat()  # aware: the offset is in the text
    if isinstance(value, decimal.Decimal):
        return str(value)
    raise TypeError(f"cannot insert {value!r} as JSON")


def _insert_json(
    connection: Any,
    meta: Any,
    fields: list,
    rows: list[dict[str, Any]],
    suffix: str,
    returning: bool,
) -> list[int]:
    """PostgreSQL: every row in one statement, the rows one JSON parameter (see the docstring).
    Each JSON value goes through the column type's input function, as a literal would."""
    quote = connection.ops.quote_name
    # The type without its length (varchar, numeric): a value too long for the column still
    # fails, as the INSERT converts it to the column's own type.
    types = [
        (f.target_field if f.is_relation else f).db_type(connection).split("(")[0] for f in fields
    ]
    columns = ", ".join(quote(f.column) for f in fields)
    values = ", ".join(f"(r->>{i})::{db_type}" for i, db_type in enumerate(types))
    text = json.dumps([list(row.values()) for row in rows], default=_json_value)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({columns}) SELECT {values} "
            f"FROM json_array_elements(%s::json) AS r{suffix}",
            [text],
        )
        # RETURNING gives the rows in the order json_array_elements made them (bulk_create
        # relies on the same order for its UNNEST insert)
        return [row[0] for row in cursor.fetchall()] if returning else []
