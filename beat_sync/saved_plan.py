"""A saved plan (pure): what `diff --save-plan FILE` writes and `apply --plan FILE` applies, and
the fingerprint of the table state it was computed from. The format is docs/saved-plans.md.

The file holds everything apply needs without the manifest: the desired tasks (with the manifest
place each comes from and its previous names, which the ownership record and renames use), the
environment, `manage`, `on_remove` and the rows beat writes itself; the fingerprint of the tables
the plan was computed from; and a digest of its own content, so that a damaged or hand-edited
file is refused rather than applied.

The fingerprint covers what a plan depends on: every PeriodicTask as beat-sync compares it (its
columns and schedule, canonical), the ownership records and the environment last applied. It
leaves out what beat writes at each run (`last_run_at`, `total_run_count`, `date_changed`, the
change marker), so a beat run between review and deploy does not invalidate the plan, while any
edit of a task, its schedule or the record does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any

from beat_sync import __version__
from beat_sync.config import MANAGE_MODES, ON_REMOVE
from beat_sync.errors import Location, UserError
from beat_sync.ownership import as_json, from_json
from beat_sync.state import CurrentState, TaskState

FORMAT = "beat-sync plan"
VERSION = 1
AGAIN = "run diff --save-plan again"


@dataclass(frozen=True)
class SavedPlan:
    """What a plan file holds, read back."""

    tasks: tuple[TaskState, ...]  # the desired tasks, sorted by name
    environment: str | None  # None: the base
    manage: str
    on_remove: str
    beat_owned: frozenset[str]
    tables: str  # the fingerprint of the tables the plan was computed from
    summary: str  # the plan's summary line when it was saved (shown, never trusted)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _sha256(value: Any) -> str:
    return "sha256:" + hashlib.sha256(_canonical(value).encode("utf-8")).hexdigest()


def fingerprint(state: CurrentState, environment: str | None) -> str:
    """`sha256:...` of the tables' tasks (columns and schedule), the ownership records and the
    environment last applied ("" the base, None never), beat's run bookkeeping left out."""
    tasks = sorted((as_json(task) for task in state.tasks), key=lambda task: task["name"])
    records = None
    if state.records is not None:
        records = sorted(
            [r.name, r.source, as_json(r.applied), r.retired] for r in state.records.values()
        )
    return _sha256({"tasks": tasks, "records": records, "environment": environment})


def _task_json(task: TaskState) -> dict[str, Any]:
    where = list(task.location) if task.location else None
    return {**as_json(task), "location": where, "previous_names": list(task.previous_names)}


def _task_of(values: dict[str, Any]) -> TaskState:
    values = dict(values)
    where = values.pop("location")
    previous = values.pop("previous_names")
    location = Location(str(where[0]), int(where[1]), int(where[2])) if where else None
    return replace(from_json(values), location=location, previous_names=tuple(map(str, previous)))


def dump(
    *,
    tasks: Sequence[TaskState],
    environment: str | None,
    manage: str,
    on_remove: str,
    beat_owned: Collection[str],
    tables: str,
    summary: str,
) -> str:
    """The plan file's text: JSON, its `digest` over everything else in it."""
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "beat_sync_version": __version__,
        "environment": environment,
        "manage": manage,
        "on_remove": on_remove,
        "beat_owned": sorted(beat_owned),
        "tables": tables,
        "summary": summary,
        "tasks": [_task_json(task) for task in sorted(tasks, key=lambda t: t.name)],
    }
    document["digest"] = _sha256(document)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def load(text: bytes, where: str) -> SavedPlan:
    """The plan of a file's bytes; UserError (one line naming `where`) when it is not a plan,
    is of another format version or beat-sync version, or does not match its digest."""
    try:
        document = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        reason = f"{type(exc).__name__}: {exc}".splitlines()[0]
        raise UserError(f"{where} is not a beat-sync plan (damaged? {reason}); {AGAIN}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise UserError(f'{where} is not a beat-sync plan (no "format": "{FORMAT}"); {AGAIN}')
    if document.get("version") != VERSION:
        raise UserError(
            f"{where} is a plan of format version {document.get('version')!r}; this beat-sync "
            f"reads version {VERSION}: {AGAIN}"
        )
    if document.get("beat_sync_version") != __version__:
        raise UserError(
            f"{where} was saved by beat-sync {document.get('beat_sync_version')!r}, this is "
            f"{__version__}: {AGAIN}"
        )
    stored = document.pop("digest", None)
    if stored != _sha256(document):
        raise UserError(f"{where} is damaged: its content does not match its digest; {AGAIN}")
    try:
        if document["manage"] not in MANAGE_MODES or document["on_remove"] not in ON_REMOVE:
            raise ValueError(f"manage {document['manage']!r}, on_remove {document['on_remove']!r}")
        return SavedPlan(
            tasks=tuple(_task_of(task) for task in document["tasks"]),
            environment=document["environment"],
            manage=document["manage"],
            on_remove=document["on_remove"],
            beat_owned=frozenset(document["beat_owned"]),
            tables=document["tables"],
            summary=document["summary"],
        )
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise UserError(f"{where} is damaged: {type(exc).__name__}: {exc}; {AGAIN}") from None
