"""What beat-sync records of the rows it manages (pure): one `Record` per managed PeriodicTask,
with the manifest place it came from and the state it applied, encoded as JSON text.

The records live in the `beat_sync` app's table (`beat_sync.models.ManagedTask`), written by
every apply (`beat_sync.tables.write`) and read with the tables (`beat_sync.tables.read`). They
tell `manage = "owned"` which rows are beat-sync's, and drift detection what was applied.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from decimal import Decimal
from operator import attrgetter
from typing import Any

from beat_sync.kinds import KINDS, kind_of
from beat_sync.state import COLUMNS, TaskState

_BY_KEY = {kind.key: kind for kind in KINDS}


class Record:
    """One managed row, by name: where the manifest declares it (`schedules/emails.yaml:12`,
    "" once removed from the manifest and kept disabled) and the state apply wrote.

    Made from that state (`applied`) by a plan, or from its stored JSON text (`text=`) by the
    read: then the state is decoded on first use, and `holds` compares a row with the text
    itself: `beat-sync status` of 10,000 rows in sync decodes none."""

    __slots__ = ("name", "source", "retired", "_applied", "_text")

    def __init__(
        self,
        name: str,
        source: str,
        applied: TaskState | None = None,
        retired: bool = False,  # on_remove = "disable": no longer declared, kept disabled
        *,
        text: str | None = None,
    ) -> None:
        if (applied is None) == (text is None):
            raise TypeError("a Record is made from the applied state or from its text")
        self.name, self.source, self.retired = name, source, retired
        self._applied, self._text = applied, text

    @property
    def applied(self) -> TaskState:
        if self._applied is None:
            self._applied = decode(self._text)
        return self._applied

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = encode(self._applied)
        return self._text

    @property
    def digest(self) -> str:
        return digest(self.text)

    def holds(self, row: TaskState) -> bool:
        """Whether `row` is exactly the state applied, name included. From the stored text,
        its JSON is compared with the row's (`as_json`), which costs half of decoding it; False
        may still be the same state written differently (by an earlier version): compare
        `applied` then."""
        if self._applied is not None:
            return self._applied == row
        return json.loads(self._text) == as_json(row)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Record):
            return NotImplemented
        mine = (self.name, self.source, self.retired, self.applied)
        return mine == (other.name, other.source, other.retired, other.applied)

    __hash__ = None  # type: ignore[assignment]  # mutable cache inside, compared by value

    def __repr__(self) -> str:
        return f"Record({self.name!r}, {self.source!r}, {self.applied!r}, retired={self.retired!r})"


def _plain(value: Any) -> Any:
    """A value as JSON holds it: datetimes and decimals as text, the rest as is."""
    if value.__class__ in _AS_IS:
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot encode {value!r}")


_AS_IS = frozenset((str, int, bool, float, type(None)))
# TaskState's column fields, by name, and a getter of their values: as_json runs once per row
# of a status or an apply.
_COLUMN_NAMES = tuple(f.name for f in COLUMNS)
_COLUMN_VALUES = attrgetter(*_COLUMN_NAMES)


def as_json(task: TaskState) -> dict[str, Any]:
    """The task's columns and schedule as values JSON can hold (datetimes and decimals as
    text): what `encode` writes, and `json.loads` of it gives back; `from_json` reads them."""
    kind = kind_of(task.schedule)
    schedule: dict[str, Any] = {"kind": kind.key}
    for name in kind.columns:
        schedule[name] = _plain(getattr(task.schedule, name))
    values = {
        name: value if value.__class__ in _AS_IS else _plain(value)
        for name, value in zip(_COLUMN_NAMES, _COLUMN_VALUES(task), strict=True)
    }
    values["schedule"] = schedule
    return values


def from_json(values: dict[str, Any]) -> TaskState:
    """The TaskState of `as_json`'s values (the column readers make every value canonical
    again)."""
    values = dict(values)
    schedule = dict(values.pop("schedule"))
    kind = _BY_KEY[schedule.pop("kind")]
    return TaskState.from_columns(values, kind.from_columns(schedule))


# json.dumps(value, sort_keys=True), without a new encoder per call
_ENCODER = json.JSONEncoder(sort_keys=True)


def encode(task: TaskState) -> str:
    """The task's columns and schedule as JSON text with sorted keys (decoded by `decode`)."""
    return _ENCODER.encode(as_json(task))


def decode(text: str) -> TaskState:
    """The TaskState `encode` wrote."""
    return from_json(json.loads(text))


def digest(text: str) -> str:
    """SHA-256 of an encoded state: what a record says was applied, in 64 hex digits."""
    return hashlib.sha256(text.encode()).hexdigest()
