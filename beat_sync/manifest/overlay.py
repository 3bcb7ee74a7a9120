"""Environments: the base manifest's tasks with `defaults` and an environment's overlay applied.

Pure (no Django). The base is schedules/*.yaml; environment NAME adds schedules/env/NAME/*.yaml
(docs/environments.md). Precedence, lowest first: the base file's `defaults`, the base task's
own fields, the overlay's `defaults`, the overlay's entry for the task. A schedule key (cron,
interval, solar, clocked) set by a higher layer replaces the lower layers' schedule whole; any
other key replaces its value (args, kwargs and headers too: no deep merge). An overlay entry
`absent: true` removes a base task from the environment; an entry with a new name is a task of
that environment only, and must be complete.

The result is one `periodic_tasks` list in a ComposedDocument whose every key and value keeps
the file:line:column it was written at, so that beat_sync.manifest.validate, validating the
composed tasks, locates each problem in the base or overlay file that caused it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from beat_sync.errors import LocatedError, Location
from beat_sync.manifest.loader import KeyPath, LineColumn, LocatedDocument
from beat_sync.manifest.rules import SCHEDULE_KINDS, did_you_mean

if TYPE_CHECKING:
    from beat_sync.manifest.validate import TopLevel

ABSENT_KEY = "absent"
TASKS_KEY = "periodic_tasks"
DEFAULTS_KEY = "defaults"


class ComposedDocument(LocatedDocument):
    """Tasks gathered from several files: every position is a Location (file, line, column)."""

    def value_at(self, key_path: KeyPath) -> Any:
        for end in range(len(key_path), -1, -1):
            position = self.values.get(key_path[:end])
            if position is not None:
                return position
        return Location(self.path, 1, 1)

    def location(self, position: Any) -> Location:
        return position

    def error(self, position: Any, message: str, severity: str = "error") -> LocatedError:
        return LocatedError.at(position, message, severity)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Field:
    """One key of a task as some layer sets it: its value and where it is written."""

    value: Any
    document: LocatedDocument
    path: KeyPath  # the value's key path in `document`


Fields = dict[str, Field]


def _fields(document: LocatedDocument, path: KeyPath, mapping: dict[str, Any]) -> Fields:
    return {key: Field(value, document, (*path, key)) for key, value in mapping.items()}


def layered(lower: Fields, upper: Fields) -> Fields:
    """`upper` over `lower`: a schedule in `upper` replaces the schedule of `lower` whole."""
    if any(upper[key].value is not None for key in SCHEDULE_KINDS if key in upper):
        lower = {key: field for key, field in lower.items() if key not in SCHEDULE_KINDS}
    return {**lower, **upper}


def _plain(fields: Fields) -> dict[str, Any]:
    return {key: field.value for key, field in fields.items()}


@dataclass
class _Task:
    """A task as composed so far: its fields, or the non-mapping item validation reports."""

    where: Location  # the item's place (its entry in the highest layer that has one)
    fields: Fields | None
    item: Any = None


def compose(
    base: Sequence[tuple[LocatedDocument, TopLevel]],
    overlay: Sequence[tuple[LocatedDocument, TopLevel]] | None,
    environment: str | None = None,
) -> tuple[ComposedDocument, list[Any], list[LocatedError]]:
    """The base files' tasks (their `defaults` applied) with `overlay` (None: none) applied, as
    one document and its task list, and the errors of the overlay itself (an unknown name to
    change, two files that disagree); the tasks are validated by the caller."""
    tasks: list[_Task] = []
    for document, top in base:
        defaults = _fields(document, (DEFAULTS_KEY,), top.defaults)
        for index, item in enumerate(top.tasks or ()):
            where = document.location(document.value_at((TASKS_KEY, index)))
            if isinstance(item, dict):
                own = _fields(document, (TASKS_KEY, index), item)
                tasks.append(_Task(where, layered(defaults, own)))
            else:
                tasks.append(_Task(where, None, item))
    errors: list[LocatedError] = []
    if overlay is not None:
        tasks = _apply_overlay(tasks, overlay, environment or "?", errors)
    composed, items = _build(tasks)
    return composed, items, errors


def _apply_overlay(
    tasks: list[_Task],
    overlay: Sequence[tuple[LocatedDocument, TopLevel]],
    environment: str,
    errors: list[LocatedError],
) -> list[_Task]:
    defaults = _overlay_defaults(overlay, environment, errors)
    entries = _overlay_entries(overlay, environment, errors)
    base_names: dict[str, _Task] = {}
    for task in tasks:
        name = task.fields.get("name") if task.fields else None
        if name is not None and isinstance(name.value, str):
            base_names.setdefault(name.value, task)
    result = []
    for task in tasks:
        if task.fields is None:
            result.append(task)
            continue
        name = task.fields.get("name")
        entry = entries.get(name.value) if name and isinstance(name.value, str) else None
        if entry is None:
            result.append(_Task(task.where, layered(task.fields, defaults)))
            continue
        where, fields = entry
        if ABSENT_KEY in fields:
            continue
        # The task keeps its base name's place: a duplicate in the base stays located there.
        changes = {key: field for key, field in fields.items() if key != "name"}
        result.append(_Task(where, layered(layered(task.fields, defaults), changes)))
    for name, (where, fields) in entries.items():
        if name in base_names:
            continue
        name_at = _location(fields["name"])
        hint = did_you_mean(name, base_names)
        if ABSENT_KEY in fields:
            errors.append(LocatedError.at(name_at, f"no base task named {name!r} to remove{hint}"))
        elif "task" not in fields:
            errors.append(
                LocatedError.at(
                    name_at,
                    f"no base task named {name!r} to change{hint}; a task of this environment "
                    "only needs 'task' and a schedule",
                )
            )
        else:
            result.append(_Task(where, layered(defaults, fields)))
    return result


def _location(field: Field) -> Location:
    return field.document.location(field.document.value_at(field.path))


def _key_location(field: Field) -> Location:
    return field.document.location(field.document.key_at(field.path))


def _overlay_defaults(
    overlay: Sequence[tuple[LocatedDocument, TopLevel]],
    environment: str,
    errors: list[LocatedError],
) -> Fields:
    """Every overlay file's `defaults`, one set: two files giving one key two values conflict."""
    merged: Fields = {}
    for document, top in overlay:
        for key, field in _fields(document, (DEFAULTS_KEY,), top.defaults).items():
            first = merged.get(key)
            if first is None:
                merged[key] = field
            elif first.value != field.value:
                _conflict(f"default {key!r}", environment, first, field, errors, _key_location)
    return merged


def _conflict(what, environment, first, second, errors, where=_location) -> None:  # noqa: ANN001
    """A located error at each of two places that set one thing differently."""
    one, other = where(first), where(second)
    for here, there in ((one, other), (other, one)):
        errors.append(
            LocatedError.at(
                here,
                f"{what} is set differently at {there}, in another file of environment "
                f"{environment!r}: say it once",
            )
        )


def _overlay_entries(
    overlay: Sequence[tuple[LocatedDocument, TopLevel]],
    environment: str,
    errors: list[LocatedError],
) -> dict[str, tuple[Location, Fields]]:
    """The overlay's entries by name, checked as entries (the fields are checked once composed)."""
    entries: dict[str, tuple[Location, Fields]] = {}
    for document, top in overlay:
        for index, item in enumerate(top.tasks or ()):
            path = (TASKS_KEY, index)
            where = document.location(document.value_at(path))
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                message = (
                    "an overlay entry must be a mapping whose 'name' is a base task to change "
                    "or remove, or a new task"
                )
                errors.append(LocatedError.at(where, message))
                continue
            fields = _fields(document, path, item)
            if not _absent_ok(fields, errors):
                continue
            name = fields["name"]
            known = entries.get(name.value)
            if known is None:
                entries[name.value] = (where, fields)
            elif known[1]["name"].document is document:
                first = _location(known[1]["name"])
                errors.append(
                    LocatedError.at(
                        _location(name), f"duplicate task name {name.value!r} (also at {first})"
                    )
                )
            elif _plain(known[1]) != _plain(fields):
                _conflict(f"task {name.value!r}", environment, known[1]["name"], name, errors)
    return entries


def _absent_ok(fields: Fields, errors: list[LocatedError]) -> bool:
    """`absent: true` stands alone with the name; anything else about it is an error."""
    absent = fields.get(ABSENT_KEY)
    if absent is None:
        return True
    if absent.value is not True:
        errors.append(
            LocatedError.at(
                _location(absent),
                "'absent' can only be true (it removes the task from this environment)",
            )
        )
        return False
    others = [key for key in fields if key not in ("name", ABSENT_KEY)]
    if others:
        errors.append(
            LocatedError.at(
                _key_location(fields[others[0]]),
                f"'absent: true' removes the task: it takes no other key than 'name', "
                f"not {others[0]!r}",
            )
        )
        return False
    return True


def _positions(document: LocatedDocument) -> dict[KeyPath, list[tuple[str, KeyPath, Any]]]:
    """The document's positions and plain texts by the task field (or default) they are in."""
    index: dict[KeyPath, list[tuple[str, KeyPath, Any]]] = defaultdict(list)
    for kind, table in (("values", document.values), ("keys", document.keys)):
        for path, position in table.items():
            depth = _depth(path)
            if depth:
                index[path[:depth]].append((kind, path[depth:], _at(document, position)))
    for path, text in document.raw.items():
        depth = _depth(path)
        if depth:
            index[path[:depth]].append(("raw", path[depth:], text))
    for path in document.refused:
        depth = _depth(path)
        if depth:
            index[path[:depth]].append(("refused", path[depth:], None))
    return index


def _at(document: LocatedDocument, position: LineColumn | Location) -> Location:
    return document.location(position)  # type: ignore[arg-type]


def _depth(path: KeyPath) -> int:
    """How many keys of `path` name a field: periodic_tasks/INDEX/KEY, or defaults/KEY."""
    if len(path) >= 3 and path[0] == TASKS_KEY:
        return 3
    if len(path) >= 2 and path[0] == DEFAULTS_KEY:
        return 2
    return 0


def _build(tasks: list[_Task]) -> tuple[ComposedDocument, list[Any]]:
    composed = ComposedDocument("<composed>", None)
    indexes: dict[int, dict[KeyPath, list[tuple[str, KeyPath, Any]]]] = {}
    items: list[Any] = []
    for index, task in enumerate(tasks):
        path = (TASKS_KEY, index)
        composed.values[path] = task.where
        if task.fields is None:
            items.append(task.item)
            continue
        items.append(_plain(task.fields))
        for key, field in task.fields.items():
            document = field.document
            positions = indexes.get(id(document))
            if positions is None:
                positions = indexes[id(document)] = _positions(document)
            for kind, rest, value in positions.get(field.path, ()):
                if kind == "refused":
                    composed.refused.add((*path, key, *rest))
                else:
                    getattr(composed, kind)[(*path, key, *rest)] = value
    composed.data = {TASKS_KEY: items}
    return composed, items
