"""Bringing up the user's Django project and Celery app, only for the commands that need them."""

from __future__ import annotations

import importlib.util
import os
import sysconfig
import traceback
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beat_sync.config import Config, activate_import_path, display_path
from beat_sync.errors import LocatedError, Location, UserError

if TYPE_CHECKING:
    from beat_sync.manifest import TaskSpec


SKIP_CHECKS = "CELERY_SKIP_CHECKS"


@dataclass(frozen=True)
class Project:
    """The user's Django project, set up: its default cron zone and the names beat writes itself."""

    default_timezone: str
    # The rows beat writes itself at every start (see beat_sync.plan): the Celery app's
    # beat_schedule names, and celery.backend_cleanup while result_expires is set
    beat_owned: frozenset[str]
    tasks: Mapping[str, Any]  # the Celery app's task registry; empty when not loaded


def load_project(config: Config) -> Project:
    """Set Django up (a no-op inside manage.py, where it already is) and read the Celery app."""
    setup_django(config)
    return running_project()


def running_project() -> Project:
    """The project of the Django already set up in this process (the system check's case)."""
    app = celery_app()
    return Project(
        default_timezone=default_timezone(),
        beat_owned=beat_written_names(app),
        tasks=dict(app.tasks),
    )


# What DatabaseScheduler.install_default_entries adds while result_expires is set.
BACKEND_CLEANUP = "celery.backend_cleanup"


def beat_written_names(app: Any) -> frozenset[str]:
    """The names whose rows DatabaseScheduler writes at every beat start (update_or_create, so
    over whatever the row held): each key of `beat_schedule`, and celery.backend_cleanup while
    `result_expires` is set."""
    names = set(app.conf.beat_schedule or ())
    if app.conf.result_expires:
        names.add(BACKEND_CLEANUP)
    return frozenset(names)


def setup_django(config: Config) -> None:
    """Import path, settings module and django.setup(); every failure is one UserError line."""
    activate_import_path(config)
    if config.settings:
        os.environ["DJANGO_SETTINGS_MODULE"] = config.settings
    elif not os.environ.get("DJANGO_SETTINGS_MODULE"):
        raise UserError(
            "no Django settings: pass --settings, set DJANGO_SETTINGS_MODULE, "
            "or set `settings` under [tool.beat-sync] in pyproject.toml"
        )
    import django
    from django.apps import apps
    from django.core.exceptions import ImproperlyConfigured

    if apps.ready:
        return
    try:
        django.setup()
    except ImportError as exc:
        raise UserError(
            f"cannot import the Django settings {os.environ['DJANGO_SETTINGS_MODULE']!r}: {exc} "
            "(check --settings and --pythonpath)"
        ) from exc
    except ImproperlyConfigured as exc:
        raise UserError(f"Django settings are not usable: {exc}") from exc
    except Exception as exc:
        # The settings module (or an app's module) raised: say what and where, in one line.
        raise UserError(
            f"cannot set up Django with the settings {os.environ['DJANGO_SETTINGS_MODULE']!r}: "
            f"{_one_line(exc)}"
        ) from exc
    if not apps.is_installed("django_celery_beat"):
        raise UserError("'django_celery_beat' is not in INSTALLED_APPS of the configured settings")


def _one_line(exc: Exception) -> str:
    """`KeyError: 'X' (config/settings.py:12)`: the exception, at the line of the project's
    own code that raised it (a SyntaxError's own file and line)."""
    if isinstance(exc, SyntaxError) and exc.filename:
        where = f"{display_path(Path(exc.filename))}:{exc.lineno}"
        return f"SyntaxError: {exc.msg} ({where})"
    library = {
        str(Path(folder).resolve())
        for name in ("stdlib", "platstdlib", "purelib", "platlib")
        if (folder := sysconfig.get_paths().get(name))
    }
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if not any(str(Path(frame.filename).resolve()).startswith(f) for f in library)
        and not frame.filename.startswith("<")
    ]
    text = str(exc).strip().splitlines()
    message = f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
    if frames:
        message += f" ({display_path(Path(frames[-1].filename))}:{frames[-1].lineno})"
    return message


def celery_app():
    """The project's Celery app, with its tasks imported (autodiscovery is lazy otherwise)."""
    from celery import current_app

    app = current_app._get_current_object()
    # Celery's Django fixup runs every Django system check when the task modules are imported
    # (celery/fixups/django.py, validate_models) and throws their messages away; among them
    # beat-sync's own check, which reads the manifest again. Nothing reads them here either:
    # skipped, as CELERY_SKIP_CHECKS tells the fixup (`manage.py check` runs them all).
    skip = os.environ.get(SKIP_CHECKS)
    os.environ[SKIP_CHECKS] = "1"
    try:
        app.loader.import_default_modules()
    finally:
        if skip is None:
            del os.environ[SKIP_CHECKS]
        else:
            os.environ[SKIP_CHECKS] = skip
    return app


def default_timezone() -> str:
    """The zone a cron without `timezone` means: the Celery timezone, else UTC (as the column).

    Only the app's configuration is read: its task modules need not be imported for this."""
    from celery import current_app
    from django.conf import settings

    app = current_app._get_current_object()
    return str(app.conf.timezone or getattr(settings, "CELERY_TIMEZONE", None) or "UTC")


# django_celery_beat.schedulers.DEFAULT_MAX_INTERVAL: how long DatabaseScheduler sleeps at most.
DATABASE_SCHEDULER_MAX_INTERVAL = 5.0


def beat_max_interval() -> float:
    """The longest beat sleeps between two checks, in seconds, as DatabaseScheduler takes it:
    the app's `beat_max_loop_interval`, else its own 5 s (`celery beat --max-interval` is beat's
    own and cannot be read from here)."""
    from celery import current_app

    configured = current_app._get_current_object().conf.beat_max_loop_interval
    return float(configured or DATABASE_SCHEDULER_MAX_INTERVAL)


def project_errors(
    specs: Iterable[TaskSpec],
    tasks: Mapping[str, Any],
    *,
    beat_owned: Collection[str] = (),
    unchecked_tasks: Iterable[tuple[str, Location]] = (),
) -> list[LocatedError]:
    """What the manifest asks of the project that it cannot do, located in the manifest.

    `tasks` is the Celery app's registry (name -> task). Reported: a `task` it does not register
    (with a suggestion); `args`/`kwargs` that do not fit the task's signature, which Celery
    checks when beat sends it ("Couldn't apply scheduled task", nothing sent); and a solar
    schedule without `ephem` (celery[solar]), without which beat's DatabaseScheduler fails on
    the first solar row and loads no schedule at all. validate, diff, apply and the system
    check all ask this.

    Also: a task name beat writes itself (`beat_owned`: a `beat_schedule` key, see
    beat_written_names), whose row DatabaseScheduler overwrites at every beat start, so every
    deploy and every beat restart would undo the other; and the `task` of each task that did not
    validate (`unchecked_tasks`, with where it is written), so that one run reports them all.
    """
    specs = list(specs)
    errors = check_registered_tasks(specs, tasks.keys())
    errors.extend(unregistered_task_errors(unchecked_tasks, tasks.keys()))
    for spec in specs:
        if spec.name in beat_owned:
            errors.append(LocatedError.at(spec.location, _beat_writes_it(spec.name)))
    ephem_missing = importlib.util.find_spec("ephem") is None
    for spec in specs:
        task = tasks.get(spec.task)
        mismatch = _signature_mismatch(task, spec.args, spec.kwargs) if task else None
        if mismatch:
            key = "kwargs" if spec.kwargs else "args"
            where = spec.location_of(key) or spec.task_location or spec.location
            message = f"args/kwargs do not fit task '{spec.task}': {mismatch}"
            errors.append(LocatedError.at(where, message))
        if ephem_missing and spec.solar is not None:
            where = spec.location_of("solar") or spec.location
            errors.append(
                LocatedError.at(
                    where,
                    "solar schedules need the ephem library (pip install 'celery[solar]'): "
                    "without it beat cannot load any of its schedule",
                )
            )
    return sorted(errors)


def _signature_mismatch(task: Any, args: list, kwargs: dict) -> str | None:
    """Celery's own check (Task.apply_async with `typing`): the task's header called with them."""
    check_arguments = getattr(task, "__header__", None)
    if not getattr(task, "typing", True) or check_arguments is None:
        return None
    try:
        check_arguments(*args, **kwargs)
    except TypeError as exc:
        return str(exc)
    return None


def _beat_writes_it(name: str) -> str:
    if name == BACKEND_CLEANUP:
        where = "the task beat installs itself while result_expires is set"
        fix = "set CELERY_RESULT_EXPIRES = None to run it from the manifest"
    else:
        where = "a key of the Celery app's beat_schedule (CELERY_BEAT_SCHEDULE)"
        fix = "keep it in one of them"
    return (
        f"task name {name!r} is also {where}: DatabaseScheduler overwrites its row at every "
        f"beat start, undoing each deploy; {fix}"
    )


def check_registered_tasks(
    specs: Iterable[TaskSpec], registered: Iterable[str]
) -> list[LocatedError]:
    """A located error for every `task` the Celery app does not register, with a suggestion."""
    refs = [(spec.task, spec.task_location or Location("<python>", 1, 1)) for spec in specs]
    return unregistered_task_errors(refs, registered)


def unregistered_task_errors(
    refs: Iterable[tuple[str, Location]], registered: Iterable[str]
) -> list[LocatedError]:
    """A located error for every (task, where written) the Celery app does not register."""
    from beat_sync.manifest import did_you_mean

    names = set(registered)
    choices = sorted(names)
    errors = []
    for task, where in refs:
        if task in names:
            continue
        hint = did_you_mean(task, choices)
        message = f"task {task!r} is not registered with the Celery app{hint}"
        errors.append(LocatedError.at(where, message))
    return sorted(errors)
