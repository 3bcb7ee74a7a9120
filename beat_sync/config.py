"""Where a project's settings, import path and schedules folder come from, and in which order.

Precedence, highest first:
  1. command-line options (--settings, --pythonpath, --schedules, --manage);
  2. the DJANGO_SETTINGS_MODULE environment variable (settings only);
  3. `[tool.beat-sync]` in the nearest pyproject.toml, from the current directory upwards;
  4. defaults: no settings module, no extra path, schedules folder `schedules/`, manage "all",
     on_remove "delete".
Relative paths in pyproject.toml are relative to the folder that holds it; relative paths given
on the command line are relative to the current directory.
"""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from beat_sync.errors import UserError

DEFAULT_SCHEDULES = "schedules"
# `manage`: which rows apply may touch. "all": every row (the styleguide's delete and recreate);
# "owned": only the rows beat-sync recorded as its own (beat_sync.models.ManagedTask).
MANAGE_MODES = ("all", "owned")
# `on_remove`: what apply does with a managed task the manifest no longer declares.
ON_REMOVE = ("delete", "disable")
# The keys [tool.beat-sync] may hold.
KEYS = ("settings", "pythonpath", "schedules", "manage", "on_remove")


@dataclass(frozen=True)
class Config:
    settings: str | None = None
    pythonpath: tuple[Path, ...] = ()
    schedules: Path = field(default_factory=lambda: Path(DEFAULT_SCHEDULES))
    pyproject: Path | None = None  # the file the values were read from, if any
    manage: str = "all"  # one of MANAGE_MODES
    on_remove: str = "delete"  # one of ON_REMOVE


def find_pyproject(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def read_pyproject_table(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UserError(f"{path}: cannot read [tool.beat-sync]: {exc}") from exc
    table = data.get("tool", {}).get("beat-sync", {})
    if not isinstance(table, dict):
        raise UserError(f"{path}: [tool.beat-sync] must be a table")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise UserError(
            f"{path}: unknown key(s) in [tool.beat-sync]: {', '.join(unknown)} "
            f"(known: {', '.join(KEYS)})"
        )
    for key, choices in (("manage", MANAGE_MODES), ("on_remove", ON_REMOVE)):
        if key in table:
            check_choice(table[key], choices, f"{path}: [tool.beat-sync] {key}")
    return table


def check_choice(value: object, choices: tuple[str, ...], what: str) -> str:
    """`value` if it is one of `choices`, else a UserError naming `what` and the choices."""
    if value not in choices:
        known = " or ".join(f'"{choice}"' for choice in choices)
        raise UserError(f"{what} must be {known}, not {value!r}")
    return value  # type: ignore[return-value]


def load_config(
    *,
    settings: str | None = None,
    pythonpath: tuple[str, ...] | list[str] = (),
    schedules: str | None = None,
    cwd: Path | None = None,
    environ: dict[str, str] | None = None,
) -> Config:
    """Resolve the configuration from options, environment and pyproject.toml (see module doc)."""
    cwd = cwd or Path.cwd()
    environ = os.environ if environ is None else environ
    pyproject = find_pyproject(cwd)
    table = read_pyproject_table(pyproject) if pyproject else {}
    base = pyproject.parent if pyproject else cwd

    file_paths = table.get("pythonpath", [])
    if isinstance(file_paths, str):
        file_paths = [file_paths]
    if not all(isinstance(p, str) for p in file_paths):
        raise UserError(f"{pyproject}: [tool.beat-sync] pythonpath must be a list of folders")
    paths = [cwd / p for p in pythonpath] if pythonpath else [base / p for p in file_paths]

    resolved_settings = (
        settings or environ.get("DJANGO_SETTINGS_MODULE") or table.get("settings") or None
    )
    if schedules is not None:
        schedules_path = cwd / schedules
    else:
        schedules_path = base / table.get("schedules", DEFAULT_SCHEDULES)
    return Config(
        settings=resolved_settings,
        pythonpath=tuple(p.resolve() for p in paths),
        schedules=schedules_path,
        pyproject=pyproject,
        manage=table.get("manage", "all"),
        on_remove=table.get("on_remove", "delete"),
    )


def activate_import_path(config: Config, cwd: Path | None = None) -> None:
    """Put the current directory (as `celery` does) and the configured folders on sys.path."""
    for folder in (cwd or Path.cwd(), *config.pythonpath):
        entry = str(folder)
        if entry not in sys.path:
            sys.path.insert(0, entry)


def display_path(path: Path) -> str:
    """A path as the user should see it: relative to the current directory when inside it."""
    if not path.is_absolute():
        return str(path)
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# The moment next runs count from, when set (ISO 8601 with a UTC offset): README's tour and
# tests set it so that the runs diff and next print do not move with the clock.
NOW_VARIABLE = "BEAT_SYNC_NOW"


def parse_instant(text: str, what: str) -> datetime:
    """An aware datetime from ISO 8601 text with a UTC offset; UserError naming `what`."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UserError(
            f"{what} {text!r} is not an ISO 8601 date and time (e.g. 2027-03-13T00:00:00-05:00)"
        ) from None
    if value.tzinfo is None:
        raise UserError(
            f"{what} {text!r} needs a UTC offset, e.g. {value.isoformat()}+00:00 or "
            f"{value.isoformat()}-05:00: a time without one is a different moment in every zone"
        )
    return value


def now(environ: Mapping[str, str] | None = None) -> datetime:
    """The moment next runs count from: BEAT_SYNC_NOW when set, else the current time."""
    environ = os.environ if environ is None else environ
    fixed = environ.get(NOW_VARIABLE)
    if fixed:
        return parse_instant(fixed, NOW_VARIABLE)
    return datetime.now(UTC)
