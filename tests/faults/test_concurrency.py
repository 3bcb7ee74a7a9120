"""Concurrent `beat-sync apply` processes: the lock serialises them, so with one manifest exactly
one writes and the others find nothing to do, and with two manifests the tables end as exactly
one of them. On PostgreSQL (advisory lock) and on SQLite (BEGIN IMMEDIATE; these few processes
stay well inside the example project's 20 s SQLite busy timeout). The processes run with
settings that leave SQLite's transactions DEFERRED (tests/beat_sync/settings_deferred.py, unlike
the example project's), so the lock they show is the one beat-sync takes itself. Every process
holds 1 s between its delete and its recreate (the apply test hook), so the writer is still
inside its transaction when the others reach the lock."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.db import connection

from beat_sync.normalise import normalise
from beat_sync.tables import read_current_state
from tests.support.databases import env_sharing_test_database
from tests.support.manifests import interval_manifest, write_manifest
from tests.support.processes import PROCESS_TIMEOUT, start_beat_sync

pytestmark = pytest.mark.django_db(transaction=True)

HOLD_SECONDS = 1
SETTINGS = ("--settings", "tests.beat_sync.settings_deferred")


def desired(folder: Path):
    from beat_sync.manifest import load_manifest

    result = load_manifest([folder])
    assert result.ok, result.errors
    return normalise(result.specs, "UTC")


def run_together(
    folders: list[Path], env: dict[str, str], *options: str
) -> list[tuple[int, str, str]]:
    """Start one `apply [options]` per folder at once; (exit status, stdout, stderr) of each."""
    processes = [
        start_beat_sync("apply", *SETTINGS, *options, "--schedules", f, env=env, hold=HOLD_SECONDS)
        for f in folders
    ]
    results = []
    for process in processes:
        try:
            out, err = process.communicate(timeout=PROCESS_TIMEOUT)
        except subprocess.TimeoutExpired:
            for p in processes:
                p.kill()
            raise
        results.append((process.returncode, out, err))
    return results


def test_five_applies_of_one_manifest_at_once_write_once(tmp_path: Path):
    env = env_sharing_test_database(connection)
    folder = write_manifest(tmp_path / "s", interval_manifest([f"task {i}" for i in range(20)]))
    results = run_together([folder] * 5, env)

    for status, _, err in results:
        assert status == 0, err
        assert "Error" not in err and "Traceback" not in err, err
    outputs = [out for _, out, _ in results]
    writers = [out for out in outputs if "Applied: 20 added, 0 changed, 0 removed" in out]
    idle = [out for out in outputs if out == "Already in sync: nothing to do.\n"]
    assert (len(writers), len(idle)) == (1, 4), outputs
    assert read_current_state().tasks == desired(folder)


def test_two_manifests_at_once_end_as_exactly_one_of_them(tmp_path: Path):
    env = env_sharing_test_database(connection)
    a = write_manifest(tmp_path / "a", interval_manifest(["shared", "a 1", "a 2"], every=5))
    b = write_manifest(tmp_path / "b", interval_manifest(["shared", "b 1"], every=7))
    results = run_together([a, b], env)

    for status, _, err in results:
        assert status == 0, err
        assert "Traceback" not in err, err
    final = read_current_state().tasks
    assert final in (desired(a), desired(b))
    # Both wrote, one after the other: the second read the first's state under the lock.
    assert sum("Applied:" in out for _, out, _ in results) == 2, results


def test_five_owned_applies_at_once_write_once_and_leave_other_rows_alone(tmp_path: Path):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    from tests.support.tables import dump_ownership, dump_tables

    env = env_sharing_test_database(connection)
    every = IntervalSchedule.objects.create(every=3, period="hours")
    PeriodicTask.objects.create(name="made in the admin", task="x.y", interval=every)
    admin_row = dump_tables()["PeriodicTask"]
    folder = write_manifest(tmp_path / "s", interval_manifest([f"task {i}" for i in range(20)]))
    results = run_together([folder] * 5, env, "--manage", "owned")
    assert [status for status, _, _ in results] == [0] * 5, results
    outputs = [out for _, out, _ in results]
    writers = [out for out in outputs if "Applied: 20 added" in out]
    idle = [out for out in outputs if out == "Already in sync: nothing to do.\n"]
    assert (len(writers), len(idle)) == (1, 4), outputs
    assert "1 not managed (left alone)" in writers[0]
    record = dump_ownership()
    assert len(record["ManagedTask"]) == 20 and len(record["ApplyRecord"]) == 1
    assert [row for row in dump_tables()["PeriodicTask"] if row["name"] == "made in the admin"] == (
        admin_row
    )
