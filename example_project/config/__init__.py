"""The example project's configuration package; importing it creates the project's Celery app."""

# Imported here so that `celery -A config` finds the app and, once Django has loaded the settings,
# celery.current_app is this project's app (beat_sync.project.celery_app relies on that).
from .celery import app as celery_app

__all__ = ("celery_app",)
