"""The example project's Celery app: configured from CELERY_* settings, tasks autodiscovered."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("styleguide_example")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
