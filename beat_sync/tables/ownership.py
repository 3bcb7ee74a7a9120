"""The ownership record in the database (`beat_sync.models`): read with the tables in one query,
rewritten by each apply that writes in a constant number of statements (a raw DELETE, one
multi-row INSERT, one ApplyRecord row). Without the `beat_sync` app in INSTALLED_APPS there is no
record: `read_records` gives None and apply writes none (the behaviour before ownership)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from beat_sync.errors import UserError
from beat_sync.ownership import Record

if TYPE_CHECKING:
    from beat_sync.plan import Plan

APP = "beat_sync"


def installed() -> bool:
    from django.apps import apps

    return apps.is_installed(APP)


def require_installed(what: str) -> None:
    """UserError naming `what` (a feature that needs the record) when the app is missing."""
    if not installed():
        raise UserError(
            f'{what} needs the ownership record: add "{APP}" to INSTALLED_APPS and run '
            "`python manage.py migrate`"
        )


def ownership_models() -> tuple[Any, ...]:
    """(ManagedTask, ApplyRecord), or () without the app."""
    if not installed():
        return ()
    from beat_sync.models import ApplyRecord, ManagedTask

    return (ManagedTask, ApplyRecord)


def read_records(using: str) -> dict[str, Record] | None:
    """Every ownership record by name, in one query (None without the app)."""
    if not installed():
        return None
    from beat_sync.models import ManagedTask

    rows = ManagedTask._base_manager.using(using).values_list(
        "name", "source", "applied", "retired"
    )
    return {
        name: Record(name, source, retired=retired, text=applied)
        for name, source, applied, retired in rows
    }


def write_records(
    plan: Plan, using: str, now: datetime, *, on_remove: str, environment: str = ""
) -> None:
    """Replace the records with `plan.records` and append one ApplyRecord (no-op without the
    app)."""
    from beat_sync.tables.sql import insert

    if plan.records is None or not installed():
        return
    from beat_sync.models import ApplyRecord, ManagedTask

    ManagedTask._base_manager.using(using).all()._raw_delete(using)
    rows = [
        {
            "name": record.name,
            "source": record.source,
            "digest": record.digest,
            "applied": record.text,
            "retired": record.retired,
        }
        for record in plan.records
    ]
    insert(ManagedTask, rows, using, returning=False)
    applied = {
        "applied_at": now,
        "manage": plan.manage,
        "on_remove": on_remove,
        "environment": environment,
        "summary": str(plan.summary),
    }
    insert(ApplyRecord, [applied], using, returning=False)
