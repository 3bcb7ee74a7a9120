"""django-celery-beat's tables, read and written: the only package that imports django_celery_beat
(its migrations aside). Re-exports only: what the rest of beat-sync and its tests use; the
modules' other names (the lock, the INSERT layer, the snapshot) are the package's own."""

from beat_sync.tables.environment import applied_environment, refusal
from beat_sync.tables.models import beat_models, periodic_task, schedule_model
from beat_sync.tables.ownership import require_installed
from beat_sync.tables.read import read_current_state, read_tables
from beat_sync.tables.sql import LOCK_KEY
from beat_sync.tables.write import ApplyResult, TablesChanged, after_delete, apply_plan

__all__ = [
    "LOCK_KEY",
    "ApplyResult",
    "TablesChanged",
    "after_delete",
    "applied_environment",
    "refusal",
    "apply_plan",
    "beat_models",
    "periodic_task",
    "read_current_state",
    "read_tables",
    "require_installed",
    "schedule_model",
]
