"""Fixtures for tests that run beat-sync and manage.py as processes (see processes.py)."""

from tests.beat_sync.processes import migrated_sqlite, process_env  # noqa: F401
