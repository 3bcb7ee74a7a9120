"""django-celery-beat's tables, read and written: the only package that imports django_celery_beat
(its migrations aside). Re-exports only."""

from beat_sync.tables.errors import database_errors, missing_tables
from beat_sync.tables.models import beat_models, change_marker, periodic_task, schedule_model
from beat_sync.tables.read import Snapshot, read_current_state, read_snapshot
from beat_sync.tables.sql import LOCK_KEY, SUPPORTED_VENDORS, insert, locked_transaction
from beat_sync.tables.write import ApplyResult, after_delete, apply_plan

__all__ = [
    "LOCK_KEY",
    "SUPPORTED_VENDORS",
    "ApplyResult",
    "Snapshot",
    "after_delete",
    "apply_plan",
    "beat_models",
    "change_marker",
    "database_errors",
    "insert",
    "locked_transaction",
    "missing_tables",
    "periodic_task",
    "read_current_state",
    "read_snapshot",
    "schedule_model",
]
