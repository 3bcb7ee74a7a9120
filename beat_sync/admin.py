"""Imported by Django's admin autodiscovery: django-celery-beat's PeriodicTask admin marks the
rows beat-sync manages (beat_sync.tables.admin, which holds the code and the BEAT_SYNC_ADMIN
setting's meaning)."""

from beat_sync.tables.admin import register

register()
