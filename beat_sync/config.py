"""Where a project's settings, import path and schedules folder come from, and in which order.

Precedence, highest first:
  1. command-line options (--settings, --pythonpath, --schedules, --manage, --env);
  2. the DJANGO_SETTINGS_MODULE and BEAT_SYNC_ENV environment variables (settings, env);
  3. `[tool.beat-sync]` in the nearest pyproject.toml, from the current directory upwards;
  4. defaults: no settings module, no extra path, schedules folder `schedules/`, manage "all",
     on_remove "delete", no environment (the base manifest alone; docs/environments.md).
Relative paths in pyproject.toml are relative to the folder that holds it; relative paths given
on the command line are relative to the current directory.
"""

from __future__ import annotations

import os
import re
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from beat_sync.errors import Location, UserError

DEFAULT_SCHEDULES = "schedules"
# `manage`: which rows apply may touch. "all": every row (the styleguide's delete and recreate);
# "owned": only the rows beat-sync recorded as its own (beat_sync.models.ManagedTask).
MANAGE_MODES = ("all", "owned")
# `on_remove`: what apply does with a managed task the manifest no longer declares.
ON_REMOVE = ("delete", "disable")
# How long apply waits for another apply's lock (--lock-timeout), in seconds.
DEFAULT_LOCK_TIMEOUT = 300
DEFAULT_HERD_LIMIT = 10  # lint BS104: more enabled crons than this starting at one minute
KEYS = ("settings", "pythonpath", "schedules", "ignore", "herd_limit", "manage", "on_remove", "env")
# The keys whose value is one of a few words.
CHOICES = {"manage": MANAGE_MODES, "on_remove": ON_REMOVE}


@dataclass(frozen=True)
class Config:
    settings: str | None = None
    pythonpath: tuple[Path, ...] = ()
    schedules: Path = field(default_factory=lambda: Path(DEFAULT_SCHEDULES))
    pyproject: Path | None = None  # the file the values were read from, if any
    env: str | None = None  # the environment whose overlay applies (None: the base alone)
    ignore: tuple[str, ...] = ()  # lint codes not to report (checked by the lint stage)
    herd_limit: int = DEFAULT_HERD_LIMIT
    manage: str = "all"  # one of MANAGE_MODES
    on_remove: str = "delete"  # one of ON_REMOVE


def find_pyproject(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


ENV_VARIABLE = "BEAT_SYNC_ENV"
_TOML_TYPES = ((str, "a string"), (list, "an array"), (dict, "a table"))


def _toml_type(value: object) -> str:
    """`an integer (5)`: the TOML type of a value read from pyproject.toml, with a scalar."""
    if value == "":
        return "an empty string"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"{'an integer' if isinstance(value, int) else 'a float'} ({value})"
    for kind, name in _TOML_TYPES:
        if isinstance(value, kind):
            return name
    return "a date or time"  # the only other TOML values


_TABLE_HEADER = re.compile(r"\[\s*tool\s*\.\s*([\"']?)beat-sync\1\s*\]\s*(#.*)?$")


def _key_line(text: str, key: str) -> int | None:
    """The line of `key = ...` in the [tool.beat-sync] table of pyproject.toml's `text` (None
    when it is written another way, e.g. as an inline table): tomllib gives no positions."""
    in_table = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_table = bool(_TABLE_HEADER.match(stripped))
        elif in_table and re.match(rf"[\"']?{re.escape(key)}[\"']?\s*=", stripped):
            return number
    return None


def _located(path: Path, text: str, key: str) -> str:
    line = _key_line(text, key)
    return f"{path}:{line}" if line else str(path)


def read_pyproject_table(path: Path) -> dict:
    """`[tool.beat-sync]` of the pyproject.toml at `path`, every value of the type it needs;
    UserError (one line, located at the key's line when it can be found) otherwise."""
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        raise UserError(f"{path}: cannot read [tool.beat-sync]: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise UserError(
            f"{path}:{line}: cannot read [tool.beat-sync]: not UTF-8 text "
            f"(byte 0x{raw[exc.start]:02x}); TOML files are UTF-8"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: cannot read [tool.beat-sync]: {exc}") from exc
    tool = data.get("tool", {})
    table = tool.get("beat-sync", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise UserError(f"{path}: [tool.beat-sync] must be a table")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise UserError(
            f"{_located(path, text, unknown[0])}: unknown key(s) in [tool.beat-sync]: "
            f"{', '.join(unknown)} "
            f"(known: {', '.join(KEYS)})"
        )
    for key, value in table.items():
        if key in CHOICES:
            check_choice(
                value, CHOICES[key], f"{_located(path, text, key)}: [tool.beat-sync] {key}"
            )
            continue
        wanted = _wrong_type(key, value)
        if wanted:
            where = _located(path, text, key)
            raise UserError(
                f"{where}: [tool.beat-sync] {key} must be {wanted}, not {_wrong_part(value)}"
            )
    return table


def check_choice(value: object, choices: tuple[str, ...], what: str) -> str:
    """`value` if it is one of `choices`, else a UserError naming `what` and the choices."""
    if value not in choices:
        known = " or ".join(f'"{choice}"' for choice in choices)
        raise UserError(f"{what} must be {known}, not {value!r}")
    return value  # type: ignore[return-value]


def _wrong_part(value: object) -> str:
    """What is wrong in `value`: its type, or for an array its first item that is not a
    non-empty string (`an array holding an integer (101)`, not `an array`)."""
    if isinstance(value, list):
        for item in value:
            if not isinstance(item, str) or not item:
                return f"an array holding {_toml_type(item)}"
    return _toml_type(value)


def _wrong_type(key: str, value: object) -> str | None:
    """What `key` must be when `value` is not that, else None."""
    if key == "pythonpath":
        folders = [value] if isinstance(value, str) else value
        if isinstance(folders, list) and all(isinstance(f, str) and f for f in folders):
            return None
        return "a folder or an array of folders (strings)"
    if key == "ignore":
        if isinstance(value, list) and all(isinstance(code, str) for code in value):
            return None  # each code is checked by the lint stage, located at the code
        return 'an array of lint codes (strings), e.g. ["BS101"]'
    if key == "herd_limit":
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return None
        return "a whole number of at least 1"
    if isinstance(value, str) and value:
        return None
    return {
        "settings": "a module name (a string)",
        "schedules": "a folder or file (a string)",
        "env": "an environment name (a string)",
    }[key]


def pyproject_location(path: Path | None, value: str) -> Location:
    """Where `value` is written (quoted) under [tool.beat-sync] in `path`, for a located error;
    the table's first line when it cannot be found."""
    if path is None:
        return Location("[tool.beat-sync]", 1, 1)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    start = max(text.find("[tool.beat-sync]"), 0)
    for quote in ('"', "'"):
        found = text.find(f"{quote}{value}{quote}", start)
        if found >= 0:
            line_start = text.rfind("\n", 0, found) + 1
            return Location(
                display_path(path), text.count("\n", 0, found) + 1, found - line_start + 1
            )
    return Location(display_path(path), text.count("\n", 0, start) + 1, 1)


def load_config(
    *,
    settings: str | None = None,
    pythonpath: tuple[str, ...] | list[str] = (),
    schedules: str | None = None,
    env: str | None = None,
    cwd: Path | None = None,
    environ: dict[str, str] | None = None,
) -> Config:
    """Resolve the configuration from options, environment and pyproject.toml (see module doc)."""
    if env is not None and not env.strip():
        # `--env "$DEPLOY_ENV"` with the variable unset: not "no --env", which would quietly
        # fall back to BEAT_SYNC_ENV, [tool.beat-sync] env or the base
        raise UserError(f"--env {env!r} names no environment: give a folder of schedules/env/")
    cwd = cwd or Path.cwd()
    environ = os.environ if environ is None else environ
    pyproject = find_pyproject(cwd)
    table = read_pyproject_table(pyproject) if pyproject else {}
    base = pyproject.parent if pyproject else cwd

    file_paths = table.get("pythonpath", [])
    if isinstance(file_paths, str):
        file_paths = [file_paths]
    paths = [cwd / p for p in pythonpath] if pythonpath else [base / p for p in file_paths]

    resolved_settings = (
        settings or environ.get("DJANGO_SETTINGS_MODULE") or table.get("settings") or None
    )
    if schedules is not None:
        schedules_path = cwd / schedules
    else:
        schedules_path = base / table.get("schedules", DEFAULT_SCHEDULES)
    _refuse_an_overlay(schedules_path)
    return Config(
        settings=resolved_settings,
        pythonpath=tuple(p.resolve() for p in paths),
        schedules=schedules_path,
        pyproject=pyproject,
        env=env or environ.get(ENV_VARIABLE) or table.get("env") or None,
        ignore=tuple(table.get("ignore", ())),
        herd_limit=table.get("herd_limit", DEFAULT_HERD_LIMIT),
        manage=table.get("manage", "all"),
        on_remove=table.get("on_remove", "delete"),
    )


def _refuse_an_overlay(schedules: Path) -> None:
    """UserError when `schedules` is an environment's overlay: read alone, its entries, which
    change the base's tasks, would each be "missing required key 'task'"."""
    from beat_sync.manifest.files import overlay_of

    overlay = overlay_of(schedules)
    if overlay is not None:
        base, name = overlay
        raise UserError(
            f"{display_path(schedules)} is the overlay of environment {name!r}: it changes the "
            f"tasks of {display_path(base)}, so give --schedules {display_path(base)} "
            f"--env {name}"
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


# The moments next runs may count from: Python's dates end at 0001-01-01 and 9999-12-31, and from
# that moment on the runs are read in other zones and the lints look years ahead (BS104 four,
# BS102 one), each step of which must still be a date.
EARLIEST_INSTANT = datetime(1, 1, 2, tzinfo=UTC)
LATEST_INSTANT = datetime(9990, 1, 1, tzinfo=UTC)


def parse_instant(text: str, what: str) -> datetime:
    """An aware datetime from ISO 8601 text with a UTC offset, from EARLIEST_INSTANT to before
    LATEST_INSTANT; UserError naming `what`."""
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
    try:
        in_range = EARLIEST_INSTANT <= value.astimezone(UTC) < LATEST_INSTANT
    except OverflowError:  # 0001-01-01T00:00:00+05:00 is in the year 0 in UTC
        in_range = False
    if not in_range:
        last = (LATEST_INSTANT - timedelta(days=1)).date().isoformat()
        raise UserError(
            f"{what} {text!r} is out of range: give a moment from "
            f"{EARLIEST_INSTANT.date().isoformat()} to {last} (UTC)"
        )
    return value


def now(environ: Mapping[str, str] | None = None) -> datetime:
    """The moment next runs count from: BEAT_SYNC_NOW when set, else the current time."""
    environ = os.environ if environ is None else environ
    fixed = environ.get(NOW_VARIABLE)
    if fixed:
        return parse_instant(fixed, NOW_VARIABLE)
    return datetime.now(UTC)
