"""Bringing up the user's Django project and Celery app, only for the commands that need them."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterable

from beat_sync.config import Config, activate_import_path
from beat_sync.errors import LocatedError, UserError


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
    if not apps.is_installed("django_celery_beat"):
        raise UserError("'django_celery_beat' is not in INSTALLED_APPS of the configured settings")


def celery_app():
    """The project's Celery app, with its tasks imported (autodiscovery is lazy otherwise)."""
    from celery import current_app

    app = current_app._get_current_object()
    app.loader.import_default_modules()
    return app


def default_timezone() -> str:
    """The zone a cron without `timezone` means: the Celery timezone, else UTC (as the column)."""
    from django.conf import settings

    app = celery_app()
    return str(app.conf.timezone or getattr(settings, "CELERY_TIMEZONE", None) or "UTC")


def project_errors(specs, registered_tasks: Iterable[str]) -> list[LocatedError]:
    """What the manifest asks of the project that it cannot do, located in the manifest.

    A `task` the Celery app does not register (with a suggestion), and a solar schedule without
    `ephem` (celery[solar]): without it, beat's DatabaseScheduler fails on the first solar row
    and loads no schedule at all. validate, diff, apply and the system check all ask this.
    """
    from beat_sync.manifest import check_registered_tasks

    errors = check_registered_tasks(specs, registered_tasks)
    if importlib.util.find_spec("ephem") is None:
        for spec in specs:
            where = spec.location_of("solar") if spec.solar is not None else None
            if where is not None:
                errors.append(
                    LocatedError(
                        where.path,
                        where.line,
                        where.column,
                        "solar schedules need the ephem library (pip install 'celery[solar]'): "
                        "without it beat cannot load any of its schedule",
                    )
                )
    return sorted(errors)
