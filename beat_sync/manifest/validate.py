"""Located YAML to TaskSpecs, or to LocatedErrors at the line:column of the offending key/value."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from beat_sync.errors import LocatedError, Location, Places
from beat_sync.manifest.columns import CRON_FIELDS
from beat_sync.manifest.loader import KeyPath, LocatedDocument
from beat_sync.manifest.overlay import ComposedDocument
from beat_sync.manifest.rules import (
    ERROR_TYPE,
    SCHEDULE_KINDS,
    Problem,
    did_you_mean,
    rule_problems,
)
from beat_sync.manifest.shapes import CronSpec, IntervalSpec, Manifest, SolarSpec, TaskSpec

TASKS_KEY = "periodic_tasks"
DEFAULTS_KEY = "defaults"
# Top-level `x-...` keys are ignored (as docker compose does), a home for YAML anchors
EXTENSION_PREFIX = "x-"
# Which model's keys apply under a key of a task (for "did you mean")
_NESTED_MODELS = {"cron": CronSpec, "interval": IntervalSpec, "solar": SolarSpec}

_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "bool_type": "true or false",
    "float_type": "a number",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "datetime_type": "a date and time with a UTC offset",
}
_EXPECTED_FOR_KEY = {
    "cron": 'a mapping, a 5-field crontab string or a nickname such as "@daily"',
    "interval": "a mapping or a duration such as 5m",
}


def yaml_type_name(value: Any) -> str:
    """A YAML user's name for a value's type, with the value when it is short."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int):
        return f"an integer ({value})"
    if isinstance(value, float):
        return f"a number ({value})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"a string ({shown!r})"
    if isinstance(value, datetime):
        return "a datetime"
    if isinstance(value, date):
        return "a date"
    names = {list: "a list", dict: "a mapping", set: "a set", bytes: "binary data"}
    return names.get(type(value), f"a {type(value).__name__}")


def _key_name(loc: tuple) -> str:
    return next((str(part) for part in reversed(loc) if isinstance(part, str)), "value")


def _message(error: dict, key: str) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind in _EXPECTED:
        expected = _EXPECTED_FOR_KEY.get(key, _EXPECTED[kind])
        return f"'{key}' must be {expected}, not {yaml_type_name(value)}"
    if kind == "literal_error":
        return f"'{key}' must be one of {ctx.get('expected')}, not {yaml_type_name(value)}"
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = ctx.get("ge", ctx.get("le"))
        if isinstance(bound, float) and bound.is_integer():
            bound = int(bound)
        side = "at least" if kind == "greater_than_equal" else "at most"
        return f"'{key}' must be {side} {bound}, not {value}"
    if kind == "string_too_short":
        return f"'{key}' must not be empty"
    if kind == "string_too_long":
        return (
            f"'{key}' is {len(value)} characters, longer than django-celery-beat's "
            f"{ctx.get('max_length')}-character column"
        )
    text = str(error.get("msg", kind))
    return f"'{key}': {text[:1].lower()}{text[1:]}"


def _placed(document: LocatedDocument, base: KeyPath, found: Problem) -> LocatedError:
    """A rule's problem at its key or its value; its loc is relative to `base`."""
    loc = (*base, *found.loc)
    return document.error(
        document.key_at(loc) if found.at_key else document.value_at(loc), found.message
    )


def _located(document: LocatedDocument, base: KeyPath, error: dict) -> list[LocatedError]:
    loc = (*base, *error["loc"])
    kind = error["type"]
    if kind == ERROR_TYPE:
        problems = (error.get("ctx") or {}).get("problems") or []
        if not problems:
            return [document.error(document.value_at(loc), str(error["msg"]))]
        return [_placed(document, loc, sub) for sub in problems]
    if kind == "extra_forbidden":
        key = str(error["loc"][-1])
        parent = error["loc"][:-1]
        model = _NESTED_MODELS.get(parent[0], TaskSpec) if parent else TaskSpec
        suggestion = did_you_mean(key, model.model_fields)
        return [document.error(document.key_at(loc), f"unknown key {key!r}{suggestion}")]
    if kind == "missing":
        where = document.value_at(loc[:-1])
        return [document.error(where, f"missing required key '{loc[-1]}'")]
    return [document.error(document.value_at(loc), _message(error, _key_name(loc)))]


def _with_source_cron_text(item: dict, document: LocatedDocument, base: KeyPath) -> dict:
    """`minute: 017` means the text 017 (YAML 1.1 would read an octal 15), and `interval: 1:30`
    the text 1:30 (not the number 90)."""
    interval = item.get("interval")
    if isinstance(interval, int) and not isinstance(interval, bool):
        # `interval: 1:30` is YAML 1.1's sexagesimal 90: the message quotes what was written
        raw = document.raw.get((*base, "interval"))
        if raw is not None:
            item = {**item, "interval": raw.strip()}
    cron = item.get("cron")
    if not isinstance(cron, dict):
        return item
    fixed = {}
    for name in CRON_FIELDS:
        value = cron.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            raw = document.raw.get((*base, "cron", name))
            if raw is not None:
                fixed[name] = raw.strip()
    return {**item, "cron": {**cron, **fixed}} if fixed else item


@dataclass
class DocumentResult:
    specs: list[TaskSpec] = field(default_factory=list)  # the tasks that validated
    errors: list[LocatedError] = field(default_factory=list)
    # every task's name, valid task or not, so a duplicate name is reported in any case
    names: list[tuple[str, Location]] = field(default_factory=list)
    # the `task` of every task that did not validate, so the project check reports it anyway
    unchecked_tasks: list[tuple[str, Location]] = field(default_factory=list)


def validate_document(document: LocatedDocument) -> DocumentResult:
    """All TaskSpecs a document declares correctly, every problem it has, and all task names."""
    top = read_top_level(document)
    result = DocumentResult(errors=top.errors)
    if top.tasks is None:
        return result
    if top.defaults:
        # A file's `defaults` fill in its tasks: composed as an environment composes them
        from beat_sync.manifest.overlay import compose

        composed, items, _ = compose([(document, top)], None)
        checked = validate_tasks(composed, items)
        checked.errors[:0] = result.errors
        return checked
    checked = validate_tasks(document, top.tasks)
    checked.errors[:0] = result.errors
    return checked


@dataclass
class TopLevel:
    """One file's top level read: its task list and `defaults`, and what is wrong there."""

    tasks: list[Any] | None  # `periodic_tasks` (None: missing or not a list)
    defaults: dict[str, Any]  # `defaults`, keys that may be defaulted only
    errors: list[LocatedError]
    overlay: bool = False


# What `defaults:` may set: any task field but `name` (every task names itself).
DEFAULTABLE = tuple(key for key in TaskSpec.model_fields if key != "name")


def read_top_level(document: LocatedDocument, *, overlay: bool = False) -> TopLevel:
    """The top level of a base file (`overlay=False`) or of an environment's overlay file.

    An overlay may leave out `periodic_tasks` when it has `defaults`: it must have one of them.
    """
    data = document.data
    root = document.value_at(())
    if not isinstance(data, dict):
        message = (
            f"the top level must be a mapping with a '{TASKS_KEY}' list, not {yaml_type_name(data)}"
        )
        return TopLevel(None, {}, [document.error(root, message)], overlay)
    errors = [
        document.error(
            document.key_at((key,)),
            f"unknown top-level key {key!r}{did_you_mean(key, Manifest.model_fields)}",
        )
        for key in data
        if key not in (TASKS_KEY, DEFAULTS_KEY) and not key.startswith(EXTENSION_PREFIX)
    ]
    defaults = _defaults(document, data, errors)
    # `defaults: {}` sets nothing: an overlay of it alone changes nothing (an invalid `defaults`
    # is reported already, once)
    sets_nothing = DEFAULTS_KEY not in data or data[DEFAULTS_KEY] == {}
    empty = document.error(root, "empty overlay: no task to change and no defaults")
    if TASKS_KEY not in data:
        if overlay and DEFAULTS_KEY in data:
            return TopLevel([], defaults, [*errors, empty] if sets_nothing else errors, overlay)
        wanted = f"'{TASKS_KEY}' or '{DEFAULTS_KEY}'" if overlay else f"'{TASKS_KEY}'"
        errors.append(document.error(root, f"missing top-level key {wanted}"))
        return TopLevel(None, defaults, errors, overlay)
    tasks = data[TASKS_KEY]
    if not isinstance(tasks, list):
        where = (
            document.value_at((TASKS_KEY,)) if tasks is not None else document.key_at((TASKS_KEY,))
        )
        errors.append(
            document.error(
                where, f"'{TASKS_KEY}' must be a list of tasks, not {yaml_type_name(tasks)}"
            )
        )
        return TopLevel(None, defaults, errors, overlay)
    if overlay and not tasks and not defaults and sets_nothing:
        errors.append(empty)
    return TopLevel(tasks, defaults, errors, overlay)


def _defaults(document: LocatedDocument, data: dict, errors: list[LocatedError]) -> dict:
    """The valid keys of `defaults` (their values are checked in each task they fill in)."""
    if DEFAULTS_KEY not in data:
        return {}
    defaults = data[DEFAULTS_KEY]
    if not isinstance(defaults, dict):
        where = document.value_at((DEFAULTS_KEY,))
        message = (
            f"'{DEFAULTS_KEY}' must be a mapping of task fields, not {yaml_type_name(defaults)}"
        )
        errors.append(document.error(where, message))
        return {}
    kept = {}
    for key, value in defaults.items():
        where = document.key_at((DEFAULTS_KEY, key))
        if key == "name":
            message = f"'{DEFAULTS_KEY}' cannot set 'name': every task names itself"
            errors.append(document.error(where, message))
        elif key not in DEFAULTABLE:
            hint = did_you_mean(key, DEFAULTABLE)
            errors.append(document.error(where, f"unknown key {key!r} in '{DEFAULTS_KEY}'{hint}"))
        else:
            kept[key] = value
    return kept


def validate_tasks(document: LocatedDocument, tasks: list[Any]) -> DocumentResult:
    """Every task of `tasks` (the document's `periodic_tasks`) validated and located."""
    result = DocumentResult()
    for index, item in enumerate(tasks):
        base = (TASKS_KEY, index)
        spec, task_errors = _validate_task(document, base, item)
        result.errors.extend(task_errors)
        if spec is not None:
            result.specs.append(spec)
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            where = document.location(document.value_at((*base, "name")))
            result.names.append((item["name"], where))
        if spec is None and isinstance(item, dict) and isinstance(item.get("task"), str):
            where = document.location(document.value_at((*base, "task")))
            result.unchecked_tasks.append((item["task"], where))
    return result


def _validate_task(
    document: LocatedDocument, base: KeyPath, item: Any
) -> tuple[TaskSpec | None, list[LocatedError]]:
    if not isinstance(item, dict):
        message = (
            f"a task must be a mapping with name, task and a schedule, not {yaml_type_name(item)}"
        )
        return None, [document.error(document.value_at(base), message)]
    item = _with_source_cron_text(item, document, base)
    refused = {key for key in item if (*base, key) in document.refused}
    found = rule_problems(item)
    if refused & set(SCHEDULE_KINDS):  # a schedule was written, its value refused already
        found = [problem for problem in found if problem.loc != ()]
    errors = [_placed(document, base, problem) for problem in found]
    try:
        spec = TaskSpec.model_validate(item, context={"rules_checked": True})
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            errors.extend(_located(document, base, error))
        return None, errors
    if errors or refused:
        return None, errors
    if isinstance(document, ComposedDocument):  # its positions are Locations already
        spec._locations = {key: document.value_at((*base, key)) for key in item}
        return spec, []
    values = document.values
    spec._locations = Places(
        document.path, {key: values.get((*base, key)) or document.value_at(base) for key in item}
    )
    return spec, []
