"""The `beat_sync` Django app: `manage.py beat_sync`, `manage.py setup_periodic_tasks`, and the
system check of the manifest (beat_sync/checks.py)."""

from django.apps import AppConfig


class BeatSyncConfig(AppConfig):
    name = "beat_sync"
    # The migrations' id type, whatever the project's DEFAULT_AUTO_FIELD says.
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "beat-sync"
    default_auto_field = "django.db.models.BigAutoField"  # as its migrations create them

    def ready(self) -> None:
        from beat_sync import checks  # noqa: F401  (registers the manifest check)
