"""A live `celery beat` (the example project, DatabaseScheduler, PostgreSQL, Redis broker) while
`beat-sync apply` switches its schedule between two manifests 20 times.

What beat loaded is read from its own debug log: after every reload DatabaseScheduler logs
"Current schedule:" followed by one `<ModelEntry: name ...>` line per entry, and every task it
sends as "Scheduler: Sending due task NAME (TASK)" before publishing it and "TASK sent. id->ID"
once published. Both manifests' tasks run every second, with disjoint names and manifests of
different sizes (3 and 4 tasks), so a half-applied or empty schedule would show as a loaded set
equal to neither.

Beat reloads only when the change marker moves, and apply moves it last, so beat's loads alone
would look whole even without apply's transaction. The first switch is therefore held between
its deletes and its inserts, and meanwhile a DatabaseScheduler in this process reads the tables
as beat's initial read does, several times: it must see the whole old schedule (without the
transaction it sees the deletes), while beat goes on sending the old tasks and loads nothing.
(Beat itself cannot be made to read there: when the marker moves it first writes its entries'
run counts back, and that write waits for the apply's commit.)
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
from tests.support.processes import HOLD_MARKER, start_beat_sync
from tests.support.processes import run_beat_sync as beat_sync

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
]

# BEAT_SYNC_TEST_REDIS_PORT: another Redis than the default one on 6379 (a Redis of your own,
# say, when the shared one has fewer databases than BEAT_SYNC_TEST_REDIS_DB needs).
REDIS_HOST, REDIS_PORT = "127.0.0.1", int(os.environ.get("BEAT_SYNC_TEST_REDIS_PORT", "6379"))
# A database number of this test's own; BEAT_SYNC_TEST_REDIS_DB moves it when several checkouts
# run their tests against one Redis at once.
REDIS_DB = int(os.environ.get("BEAT_SYNC_TEST_REDIS_DB", "7")) + 1
REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
SWITCHES = 20
# beat checks the change marker on every tick; --max-interval 1 makes a tick at least every
# second. A pick-up slower than this is a failure.
PICK_UP_SECONDS = 5.0
HELD_READS = 5  # reads of the tables while the first switch is held (and until beat sends)
RECORD = re.compile(r"^\[\d{4}-\d\d-\d\d [^\]]*\] (.*)$")
ENTRY = re.compile(r"^<ModelEntry: (\S+) ")
SENT = re.compile(r"^Scheduler: Sending due task (\S+) \(")
PUBLISHED = re.compile(r"^\S+ sent\. id->")

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


def loads(text: str) -> list[frozenset[str]]:
    return [value for kind, value in events(text) if kind == "loaded"]


def published(text: str) -> int:
    """How many sends beat logged as published (DEBUG "TASK sent. id->ID")."""
    return sum(bool(PUBLISHED.match(message)) for message, _ in log_records(text))


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


def wait_for_load(beat: Background, count: int, names: frozenset[str], what: str) -> None:
    """Until beat has loaded `count` schedules, the last one `names`; then until it has sent a
    task from it."""
    wait_until(
        lambda: loads(beat.log())[count - 1 :] == [names],
        timeout=PICK_UP_SECONDS,
        what=f"beat loading {what}",
        processes=[beat],
        interval=0.05,
    )
    wait_until(
        lambda: sent_since_last_load(beat.log()),
        timeout=PICK_UP_SECONDS,
        what=f"beat sending from {what}",
        processes=[beat],
        interval=0.05,
    )


def scheduler_names() -> frozenset[str]:
    """The tasks a DatabaseScheduler in this process loads from the tables now."""
    from django_celery_beat.schedulers import DatabaseScheduler

    from beat_sync.project import celery_app

    return frozenset(DatabaseScheduler(app=celery_app(), lazy=True).all_as_schedule())


def held_switch(beat: Background, folder: Path, env: dict[str, str], release: Path) -> None:
    """Apply `folder` held between its deletes and its inserts; meanwhile a reader polling the
    tables sees the whole old schedule, and beat sends from it and loads nothing else."""
    old, loaded = loads(beat.log())[-1], len(loads(beat.log()))
    apply = start_beat_sync("apply", "--schedules", folder, env=env, hold=release)
    try:
        assert apply.stderr.readline() == f"{HOLD_MARKER}\n"  # its deletes have run
        seen = []
        sent = len(events(beat.log()))
        while len(seen) < HELD_READS or len(events(beat.log())) == sent:
            seen.append(scheduler_names())
            time.sleep(0.1)
        assert set(seen) == {old}, seen
        assert len(loads(beat.log())) == loaded
    finally:
        release.touch()
    out, err = apply.communicate(timeout=60)
    assert (apply.returncode, err) == (0, ""), out
    assert "Applied:" in out


def test_beat_and_a_reader_during_an_apply_only_see_whole_manifests_and_beat_picks_up_each(
    tmp_path: Path, broker
):
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
            if switch == 0:
                held_switch(beat, manifests[names], env, tmp_path / "release")
            else:
                applied = beat_sync("apply", "--schedules", manifests[names], env=env)
                assert applied.returncode == 0, applied.stderr
                assert "Applied:" in applied.stdout
            done = time.monotonic()
            wait_for_load(beat, switch + 2, names, f"switch {switch + 1}")  # initial load + 1
            pick_ups.append(time.monotonic() - done)
    finally:
        # Stopping beat may interrupt a send (SIGTERM between its log line and the publish):
        # errors count only up to here.
        running_log = beat.log()
        beat.stop()
    log = beat.log()
    queued = broker.llen(queue)  # kombu's Redis transport: one list per queue

    expected = [frozenset(A if n % 2 == 0 else B) for n in range(SWITCHES + 1)]
    assert loads(log) == expected, logs_tail([beat], lines=80)
    assert log.count("DatabaseScheduler: Schedule changed.") == SWITCHES
    assert "ERROR/" not in running_log, logs_tail([beat], lines=80)  # every send published

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
    # What reached the broker: every send logged as published, and at most every send begun
    # (the last may have been cut short by the stop).
    sending = sum(kind == "sent" for kind, _ in events(log))
    assert published(log) <= queued <= sending, (published(log), queued, sending)
