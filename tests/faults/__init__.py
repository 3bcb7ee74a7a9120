"""Fault, concurrency and bad-input tests of `beat-sync apply` (issue 5), on SQLite and PostgreSQL.

Kept apart from tests/beat_sync/ (which mirrors the package module by module) because these
tests cut across modules: they run the real `beat-sync` CLI as separate processes against the
test database, kill them, race them, run a live `celery beat` next to them, and feed them
broken manifests and broken databases.
"""
