"""What beat-sync records of the rows it manages (pure): one `Record` per managed PeriodicTask,
with the manifest place it came from and the state it applied, encoded as JSON text.

The records live in the `beat_sync` app's table (`beat_sync.models.ManagedTask`), written by
every apply (`beat_sync.tables.write`) and read with the tables (`beat_sync.tables.read`). They
tell `manage = "owned"` which rows are beat-sync's, and drift detection what was applied.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cached_property
from typing import Any

from beat_sync.kinds import KINDS, kind_of
from beat_sync.state import TaskState

_BY_KEY = {kind.key: kind for kind in KINDS}


@dataclass(frozen=True)
class Record:
    """One managed row, by name: where the manifest declares it (`schedules/emails.yaml:12`,
    "" once removed from the manifest and kept disabled) and the state apply wrote."""

    name: str
    source: str
    applied: TaskState
    retired: bool = False  # on_remove = "disable": no longer declared, kept disabled

    @cached_property
    def text(self) -> str:
        return encode(self.applied)

    @property
    def digest(self) -> str:
        return digest(self.text)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot encode {value!r}")


def as_json(task: TaskState) -> dict[str, Any]:
    """The task's columns and schedule as values JSON can hold (datetimes and decimals as
    text); `from_json` reads them back."""
    kind = kind_of(task.schedule)
    schedule = {"kind": kind.key, **kind.columns_of(task.schedule)}
    values = {**task.columns(), "schedule": schedule}
    return json.loads(json.dumps(values, default=_plain))


def from_json(values: dict[str, Any]) -> TaskState:
    """The TaskState of `as_json`'s values (the column readers make every value canonical
    again)."""
    values = dict(values)
    schedule = dict(values.pop("schedule"))
    kind = _BY_KEY[schedule.pop("kind")]
    return TaskState.from_columns(values, kind.from_columns(schedule))


def encode(task: TaskState) -> str:
    """The task's columns and schedule as JSON text with sorted keys (decoded by `decode`)."""
    return json.dumps(as_json(task), sort_keys=True)


def decode(text: str) -> TaskState:
    """The TaskState `encode` wrote."""
    return from_json(json.loads(text))


def digest(text: str) -> str:
    """SHA-256 of an encoded state: what a record says was applied, in 64 hex digits."""
    return hashlib.sha256(text.encode()).hexdigest()
