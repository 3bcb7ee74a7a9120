"""SIGKILL of a `beat-sync apply` process between its delete and its recreate: the tables are
exactly the old state afterwards (every row, ids and timestamps included), and the next apply
works and keeps the surviving task's run history."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import connection

from beat_sync.tables import read_current_state
from tests.support.databases import env_sharing_test_database
from tests.support.manifests import interval_manifest, write_manifest
from tests.support.processes import HOLD_MARKER, start_beat_sync
from tests.support.processes import run_beat_sync as beat_sync
from tests.support.tables import dump_ownership, dump_tables

pytestmark = pytest.mark.django_db(transaction=True)

HOLD_SECONDS = 120  # far longer than the test: the process is killed while it sleeps
MARKER_TIMEOUT = 60


def wait_for_hold(process) -> list[str]:
    """Collect the process's stderr lines until HOLD_MARKER (or it exits / times out)."""
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stderr), daemon=True)
    reader.start()
    deadline = time.monotonic() + MARKER_TIMEOUT
    while HOLD_MARKER not in "".join(lines):
        assert process.poll() is None, f"apply exited {process.returncode}: {''.join(lines)}"
        assert time.monotonic() < deadline, f"apply never reached the hold: {''.join(lines)}"
        time.sleep(0.05)
    return lines


def deletes_are_pending() -> bool:
    """Evidence, from outside the held process, that its deletes ran and are not committed:
    PostgreSQL shows its session idle in a transaction after a DELETE; SQLite has a
    rollback journal holding the pages the deletes changed."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT query FROM pg_stat_activity WHERE datname = current_database() "
                "AND state = 'idle in transaction' AND pid <> pg_backend_pid()"
            )
            return any(query.lstrip().upper().startswith("DELETE") for (query,) in cursor)
    journal = Path(f"{connection.settings_dict['NAME']}-journal")
    wal = Path(f"{connection.settings_dict['NAME']}-wal")
    return any(path.exists() and path.stat().st_size > 0 for path in (journal, wal))


def kill_while_held(process, check=lambda: True) -> None:
    """Wait until `process` holds between its delete and its recreate, its deletes pending and
    `check()` true, then SIGKILL it (killed in any case)."""
    try:
        wait_for_hold(process)
        assert deletes_are_pending()
        assert check()
        process.kill()
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -9


def test_sigkill_between_delete_and_recreate_leaves_exactly_the_old_state(tmp_path: Path):
    from django_celery_beat.models import PeriodicTask

    env = env_sharing_test_database(connection)
    old = write_manifest(tmp_path / "old", interval_manifest(["kept", "old only"], every=30))
    new = write_manifest(tmp_path / "new", interval_manifest(["kept", "new only"], every=60))
    applied = beat_sync("apply", "--schedules", old, env=env)
    assert applied.returncode == 0, applied.stderr
    last_run = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    PeriodicTask.objects.filter(name="kept").update(last_run_at=last_run, total_run_count=7)
    before = dump_tables()
    assert len(before["PeriodicTask"]) == 2 and len(before["PeriodicTasks"]) == 1

    process = start_beat_sync("apply", "--schedules", new, env=env, hold=HOLD_SECONDS)
    # Another connection meanwhile still reads the whole old state.
    kill_while_held(process, check=lambda: dump_tables() == before)

    assert dump_tables() == before

    again = beat_sync("apply", "--schedules", new, env=env)
    assert again.returncode == 0, again.stderr
    assert "Applied: 1 added, 1 changed, 1 removed (0 unchanged)." in again.stdout
    state = read_current_state()
    assert [task.name for task in state.tasks] == ["kept", "new only"]
    assert state.history["kept"].total_run_count == 7
    assert state.history["kept"].last_run_at == last_run


def test_sigkill_during_an_owned_apply_leaves_the_old_rows_and_the_old_record(tmp_path: Path):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    env = env_sharing_test_database(connection)
    old = write_manifest(tmp_path / "old", interval_manifest(["kept", "old only"], every=30))
    new = write_manifest(tmp_path / "new", interval_manifest(["kept", "new only"], every=60))
    applied = beat_sync("apply", "--manage", "owned", "--schedules", old, env=env)
    assert applied.returncode == 0, applied.stderr
    every = IntervalSchedule.objects.create(every=3, period="hours")
    PeriodicTask.objects.create(name="made in the admin", task="x.y", interval=every)
    before, record = dump_tables(), dump_ownership()
    assert [row["name"] for row in record["ManagedTask"]] == ["kept", "old only"]

    process = start_beat_sync(
        "apply", "--manage", "owned", "--schedules", new, env=env, hold=HOLD_SECONDS
    )
    kill_while_held(process)
    assert (dump_tables(), dump_ownership()) == (before, record)

    again = beat_sync("apply", "--manage", "owned", "--schedules", new, env=env)
    assert again.returncode == 0, again.stderr
    assert "(0 unchanged, 1 not managed (left alone))" in again.stdout
    names = [row["name"] for row in dump_ownership()["ManagedTask"]]
    assert sorted(names) == ["kept", "new only"]
