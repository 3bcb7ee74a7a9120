"""django-celery-beat's tables as tests compare them: a full dump and its checksum, and the rows
`celery beat` writes itself at start; the beat_sync app's ownership tables, dumped the same way;
and README's promise of apply's statement counts, which a test and the bench hold it to."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta

from tests.support.processes import REPO


def dump_tables(using: str = "default") -> dict[str, list[dict]]:
    """Every row of django-celery-beat's five tables and of the change marker, every column,
    ids and timestamps included, ordered by primary key (the base manager: nothing filtered)."""
    from beat_sync.tables import beat_models

    return {
        model.__name__: list(model._base_manager.using(using).order_by("pk").values())
        for model in beat_models()
    }


def dump_ownership(using: str = "default") -> dict[str, list[dict]]:
    """Every row of the beat_sync app's ownership tables (ManagedTask, ApplyRecord), every
    column, ordered by primary key."""
    from beat_sync.models import ApplyRecord, ManagedTask

    return {
        model.__name__: list(model._base_manager.using(using).order_by("pk").values())
        for model in (ManagedTask, ApplyRecord)
    }


def checksum_tables(using: str = "default") -> str:
    """A SHA-256 of dump_tables(), for comparing the tables before and after."""
    dump = json.dumps(dump_tables(using), sort_keys=True, default=str)
    return hashlib.sha256(dump.encode("utf-8")).hexdigest()


def install_beat_default_entries(app, result_expires=timedelta(days=1)) -> None:
    """What `celery beat` does at start with DatabaseScheduler when result_expires is set."""
    from django_celery_beat.schedulers import DatabaseScheduler

    saved = app.conf.result_expires
    app.conf.result_expires = result_expires
    try:
        DatabaseScheduler(app=app, lazy=True).install_default_entries({})
    finally:
        app.conf.result_expires = saved


def readme_statement_counts() -> dict[str, tuple[int, int]]:
    """README's promise, {"most": (SQLite, PostgreSQL), "no-op": (SQLite, PostgreSQL)}."""
    text = " ".join((REPO / "README.md").read_text().split())
    most = re.search(r"at most (\d+) on SQLite and (\d+) on PostgreSQL, BEGIN and COMMIT", text)
    no_op = re.search(
        r"A no-op apply is (\d+) statements on SQLite .*? and (\d+) on PostgreSQL",
        text,
    )
    if not (most and no_op):
        raise LookupError("README no longer states apply's statement counts")
    return {
        "most": (int(most[1]), int(most[2])),
        "no-op": (int(no_op[1]), int(no_op[2])),
    }
