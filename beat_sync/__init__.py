"""beat-sync: Celery beat's periodic tasks as code, validated, diffed and applied to django-celery-beat."""

__version__ = "0.1.0"
