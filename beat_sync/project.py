"""Bringing up the user's Django project and Celery app, only for the commands that need them."""

from __future__ import annotations

import os

from beat_sync.config import Config, activate_import_path
from beat_sync.errors import UserError


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
