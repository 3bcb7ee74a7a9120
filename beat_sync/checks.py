"""Django system check of the manifest: `manage.py check` (and runserver, migrate...) report an
invalid manifest or an unregistered task name, located as `beat-sync validate` locates it.

Which manifest: the `BEAT_SYNC_SCHEDULES` setting (a folder or a file) when set; otherwise
`[tool.beat-sync] schedules` of the nearest pyproject.toml above `settings.BASE_DIR` (the
project's folder, so the answer does not depend on where manage.py is run from), else
`schedules/` next to it; without BASE_DIR the search starts from the current directory. Each
environment under its env/ folder is checked too, as `beat-sync validate` checks them.

Ids: beat_sync.E001 manifest error, beat_sync.W001 manifest warning, beat_sync.E002 a task the
project cannot run (not registered with the Celery app, args that do not fit it, solar without
ephem, a name beat writes itself at every start), beat_sync.E003 configuration unusable (an
unknown lint code in [tool.beat-sync] ignore too), beat_sync.W002 no manifest found,
beat_sync.E004 an unknown BEAT_SYNC_ADMIN value, and beat_sync.W101... a lint, numbered as
its code (BS101 -> W101).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core import checks

from beat_sync.config import Config
from beat_sync.errors import LocatedError, UserError

TAG = "beat_sync"
_running = False  # see check_manifest
CHECKED_OBJECT = "beat_sync"  # what Django prints before the id: `beat_sync: (beat_sync.E001) ...`


def project_config() -> Config:
    """[tool.beat-sync] of the pyproject.toml above settings.BASE_DIR (see the module
    docstring); UserError if it is bad."""
    from beat_sync.config import load_config

    base_dir = getattr(settings, "BASE_DIR", None)
    return load_config(cwd=Path(base_dir) if base_dir else None, environ={})


def manifest_path(config: Config | None = None) -> Path:
    """The manifest the check reads (see the module docstring); UserError if pyproject is bad."""
    configured = getattr(settings, "BEAT_SYNC_SCHEDULES", None)
    if configured:
        if not isinstance(configured, str | Path):
            raise UserError(
                f"the BEAT_SYNC_SCHEDULES setting must be a folder or file (a str or Path), "
                f"not {type(configured).__name__} ({configured!r})"
            )
        return Path(configured)
    return (config or project_config()).schedules


def _message(error: LocatedError, id_number: str) -> checks.CheckMessage:
    if error.code:  # a lint: beat_sync.W101 for BS101
        return checks.Warning(
            str(error), obj=CHECKED_OBJECT, id=f"beat_sync.W{error.code.removeprefix('BS')}"
        )
    located = f"{error.path}:{error.line}:{error.column}: {error.message}"
    if error.environment:
        located = f"[{error.environment}] {located}"
    if error.severity == "warning":
        return checks.Warning(located, obj=CHECKED_OBJECT, id=f"beat_sync.W{id_number}")
    return checks.Error(located, obj=CHECKED_OBJECT, id=f"beat_sync.E{id_number}")


@checks.register(TAG)
def check_manifest(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Validate the manifest and check its task names against the project's Celery app."""
    global _running
    # Importing the Celery app's task modules makes Celery's Django fixup run every system check
    # again (celery/fixups/django.py validate_models): that nested run must not start over, and
    # its result is discarded anyway; the outer run reports.
    if _running:
        return []
    _running = True
    try:
        return _check_manifest()
    finally:
        _running = False


def _check_manifest() -> list[checks.CheckMessage]:
    from beat_sync import api
    from beat_sync.config import display_path
    from beat_sync.project import running_project

    try:
        config = project_config()
        path = manifest_path(config)
    except UserError as exc:
        return [checks.Error(str(exc), obj=CHECKED_OBJECT, id="beat_sync.E003")]
    try:
        schedules = Path(display_path(path.absolute()))
        checked = api.validate_every_environment(
            schedules=schedules, project=running_project, config=config
        )
    except UserError as exc:
        # Not an error: a project can install the app before writing its first manifest.
        return [
            checks.Warning(
                f"no manifest to check: {exc}",
                hint="write schedules/*.yaml, or point the BEAT_SYNC_SCHEDULES setting or "
                "[tool.beat-sync] schedules in pyproject.toml at your manifest folder; "
                "`beat-sync apply` refuses to run without one",
                obj=CHECKED_OBJECT,
                id="beat_sync.W002",
            )
        ]
    messages = [_message(error, "001") for error in checked.manifest.errors]
    messages.extend(_message(error, "002") for error in checked.project_errors)
    messages.extend(_message(error, "001") for error in checked.environment_problems)
    messages.extend(_message(error, "003") for error in checked.lints)
    return messages


@checks.register(TAG)
def check_admin_setting(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """BEAT_SYNC_ADMIN is one of beat_sync.tables.admin.MODES."""
    from beat_sync.tables.admin import MODES, SETTING

    value = getattr(settings, SETTING, "readonly")
    if value in MODES:
        return []
    known = ", ".join(f'"{mode}"' for mode in MODES)
    return [
        checks.Error(
            f"{SETTING} must be one of {known}, not {value!r}",
            obj=CHECKED_OBJECT,
            id="beat_sync.E004",
        )
    ]
