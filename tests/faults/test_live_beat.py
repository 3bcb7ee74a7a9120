"""A live `celery beat` (the example project, DatabaseScheduler, PostgreSQL, Redis broker) while
`beat-sync apply` switches its schedule between two manifests 20 times.

What beat loaded is read from its own debug log: after every reload DatabaseScheduler logs
"Current schedule:" followed by one `<ModelEntry: name ...>` line per entry, and every task it
sends as "Scheduler: Sending due task NAME (TASK)". Both manifests' tasks run every second, with
disjoint names and manifests of different sizes (3 and 4 tasks), so a half-applied or empty
schedule would show as a loaded set equal to neither.
"""

from __future__ import annotations

import os
import re
import socket
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from background import Background, logs_tail, start_celery, wait_until
from tests.support.databases import env_sharing_test_database
from tests.support.manifests import interval_manifest, write_manifest
from tests.support.processes import run_beat_sync as beat_sync

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
]

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
# A database number of this test's own; BEAT_SYNC_TEST_REDIS_DB moves it when several checkouts
# run their tests against one Redis at once.
REDIS_DB = int(os.environ.get("BEAT_SYNC_TEST_REDIS_DB", "7")) + 1
REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
SWITCHES = 20
# beat checks the change marker on every tick; --max-interval 1 makes a tick at least every
# second. A pick-up slower than this is a failure.
PICK_UP_SECONDS = 5.0
RECORD = re.compile(r"^\[\d{4}-\d\d-\d\d [^\]]*\] (.*)$")
ENTRY = re.compile(r"^<ModelEntry: (\S+) ")
SENT = re.compile(r"^Scheduler: Sending due task (\S+) \(")

A = ["a-1", "a-2", "a-3"]
B = ["b-1", "b-2", "b-3", "b-4"]


def log_records(text: str) -> list[tuple[str, list[str]]]:
    """(message, continuation lines) of each record of a celery log."""
    records: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        match = RECORD.match(line)
        if match:
            records.append((match.group(1), []))
        elif records:
            records[-1][1].append(line)
    return records


def events(text: str) -> list[tuple[str, object]]:
    """("loaded", frozenset of names) for each schedule beat loaded, ("sent", name) for each
    task it sent, in log order."""
    found: list[tuple[str, object]] = []
    for message, more in log_records(text):
        if message.startswith("Current schedule:"):
            names = [ENTRY.match(line).group(1) for line in more if ENTRY.match(line)]
            found.append(("loaded", frozenset(names)))
        elif SENT.match(message):
            found.append(("sent", SENT.match(message).group(1)))
    return found


def sent_since_last_load(text: str) -> set[str]:
    found = events(text)
    last = max(i for i, (kind, _) in enumerate(found) if kind == "loaded")
    return {value for kind, value in found[last:] if kind == "sent"}


def redis_client():
    try:
        socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1).close()
    except OSError:
        message = f"no Redis on {REDIS_HOST}:{REDIS_PORT} (the live beat's broker)"
        if os.environ.get("BEAT_SYNC_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    import redis

    return redis.Redis.from_url(REDIS_URL)


@pytest.fixture
def broker():
    """Redis database 8, empty before and after the test."""
    client = redis_client()
    client.flushdb()
    yield client
    client.flushdb()


def test_beat_only_ever_loads_a_whole_manifest_and_picks_each_apply_up(tmp_path: Path, broker):
    env = {
        **{
            k: v
            for k, v in env_sharing_test_database(connection).items()
            if not k.startswith("CELERY_")
        },
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CELERY_BROKER_URL": REDIS_URL,
    }
    queue = f"faults-{uuid.uuid4().hex[:8]}"  # nobody consumes it; flushed afterwards
    manifests = {
        frozenset(A): write_manifest(tmp_path / "a", interval_manifest(A, queue=queue)),
        frozenset(B): write_manifest(tmp_path / "b", interval_manifest(B, queue=queue)),
    }
    first = beat_sync("apply", "--schedules", manifests[frozenset(A)], env=env)
    assert first.returncode == 0, first.stderr

    beat: Background = start_celery(
        "beat",
        [
            "beat",
            "--loglevel=DEBUG",
            "--max-interval=1",
            "--scheduler=django_celery_beat.schedulers:DatabaseScheduler",
        ],
        env=env,
        log_path=tmp_path / "beat.log",
    )
    pick_ups = []
    try:
        wait_until(
            lambda: ("sent", "a-1") in events(beat.log()),
            timeout=60,
            what="beat's first send",
            processes=[beat],
        )
        for switch in range(SWITCHES):
            names = frozenset(B if switch % 2 == 0 else A)
            applied = beat_sync("apply", "--schedules", manifests[names], env=env)
            assert applied.returncode == 0, applied.stderr
            assert "Applied:" in applied.stdout
            done = time.monotonic()
            loads_before = switch + 1  # the initial read, then one per switch
            wait_until(
                lambda names=names, n=loads_before: (
                    [e for e in events(beat.log()) if e[0] == "loaded"][n:] == [("loaded", names)]
                ),
                timeout=PICK_UP_SECONDS,
                what=f"beat loading switch {switch + 1}",
                processes=[beat],
                interval=0.05,
            )
            pick_ups.append(time.monotonic() - done)
            # ... and sends from it: wait for a send after that load before switching again.
            wait_until(
                lambda: sent_since_last_load(beat.log()),
                timeout=PICK_UP_SECONDS,
                what=f"beat sending from switch {switch + 1}",
                processes=[beat],
                interval=0.05,
            )
    finally:
        beat.stop()
    log = beat.log()
    queued = broker.llen(queue)  # kombu's Redis transport: one list per queue

    loaded = [value for kind, value in events(log) if kind == "loaded"]
    expected = [frozenset(A if n % 2 == 0 else B) for n in range(SWITCHES + 1)]
    assert loaded == expected, logs_tail([beat], lines=80)
    assert log.count("DatabaseScheduler: Schedule changed.") == SWITCHES
    assert "ERROR/" not in log, logs_tail([beat], lines=80)  # every send reached the broker

    # Every task sent belongs to the schedule loaded last before it.
    current = None
    sent_per_schedule: list[set[str]] = []
    for kind, value in events(log):
        if kind == "loaded":
            current = value
            sent_per_schedule.append(set())
        else:
            assert current is not None and value in current, (value, current)
            sent_per_schedule[-1].add(value)
    assert sent_per_schedule[0] == set(A)  # the first schedule ran long enough to send all
    assert all(sent_per_schedule), sent_per_schedule  # and every later one sent something
    assert max(pick_ups) < PICK_UP_SECONDS, pick_ups
    assert queued == sum(kind == "sent" for kind, _ in events(log))  # what reached the broker
