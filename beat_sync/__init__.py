"""beat-sync: Celery beat periodic tasks as code, diffed and applied to django-celery-beat."""

__version__ = "0.1.0"
