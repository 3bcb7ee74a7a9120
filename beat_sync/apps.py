"""The `beat_sync` Django app: `manage.py beat_sync` and `manage.py setup_periodic_tasks`."""

from django.apps import AppConfig


class BeatSyncConfig(AppConfig):
    name = "beat_sync"
    verbose_name = "beat-sync"
