"""Fixtures of the end-to-end tests: the test database and a Redis broker shared with a real
Celery worker and beat started as separate processes, and the `beat-sync` CLI run against them.

Needs: a database other processes can open (PostgreSQL, or SQLite with a file test database:
BEAT_SYNC_SQLITE_TEST_NAME, which `make test` sets) and Redis on 127.0.0.1:6379. Without Redis
the tests are skipped, unless BEAT_SYNC_REQUIRE_POSTGRES=1 (CI), where that is a failure.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest

from background import Background, logs_tail, start_beat, start_worker, wait_until
from tests.support.databases import database_url_of
from tests.support.processes import run_beat_sync
from tests.support.servers import answers

# BEAT_SYNC_TEST_REDIS_PORT: another Redis than the default one on 6379 (a Redis of your own,
# say, when the shared one has fewer databases than BEAT_SYNC_TEST_REDIS_DB needs).
REDIS_HOST, REDIS_PORT = "127.0.0.1", int(os.environ.get("BEAT_SYNC_TEST_REDIS_PORT", "6379"))
# A database number of its own on the shared Redis (BEAT_SYNC_TEST_REDIS_DB moves it when several
# checkouts test at once); each test also gets a queue of its own.
REDIS_DB = int(os.environ.get("BEAT_SYNC_TEST_REDIS_DB", "7"))
REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
STARTUP_TIMEOUT = 60


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[CALL_REPORT] = report
    return report


CALL_REPORT = pytest.StashKey[pytest.TestReport]()


def _redis_reachable() -> bool:
    return answers(REDIS_HOST, REDIS_PORT)


@pytest.fixture
def live_env(transactional_db, tmp_path: Path) -> dict[str, str]:
    """Environment for the processes: the test database, Redis, file email into tmp_path."""
    from django.db import connection

    url = database_url_of(connection)
    if url is None:
        pytest.skip(
            "the SQLite test database is in memory, which a worker process cannot open: "
            "set BEAT_SYNC_SQLITE_TEST_NAME=/path/to/test.sqlite3 (make test does)"
        )
    if not _redis_reachable():
        message = f"no Redis on {REDIS_HOST}:{REDIS_PORT} (the end-to-end test's broker)"
        if os.environ.get("BEAT_SYNC_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    env = {key: value for key, value in os.environ.items() if not key.startswith("CELERY_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=url,
        CELERY_BROKER_URL=REDIS_URL,
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "outbox"),
    )
    return env


@pytest.fixture
def queue():
    """A queue name no other run uses: the worker consumes only it, the manifest routes to it,
    so a concurrent run on the same Redis can neither take nor leave messages here. What kombu
    kept in Redis for it (the queue, its bindings) is removed afterwards."""
    name = f"e2e-{uuid.uuid4().hex[:12]}"
    yield name
    if _redis_reachable():
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"*{name}*"))
        if keys:
            client.delete(*keys)
        deadlines = "_kombu.binding_deadlines"
        if client.type(deadlines) == b"zset":
            stale = [m for m in client.zrange(deadlines, 0, -1) if name.encode() in m]
            if stale:
                client.zrem(deadlines, *stale)


@pytest.fixture
def celery_processes(live_env, tmp_path: Path, queue: str, request):
    """Call it to start a real worker and a real beat (DatabaseScheduler, 1 s max interval) and
    wait until both are up; they are always stopped afterwards (SIGTERM, then SIGKILL), and
    their logs printed when the test failed."""
    processes: list[Background] = []

    def start() -> tuple[Background, Background]:
        processes.append(start_worker(env=live_env, log_path=tmp_path / "worker.log", queue=queue))
        processes.append(start_beat(env=live_env, log_path=tmp_path / "beat.log"))
        worker, beat = processes
        wait_until(
            lambda: " ready." in worker.log() and "beat: Starting..." in beat.log(),
            timeout=STARTUP_TIMEOUT,
            what="worker and beat start",
            processes=processes,
        )
        return worker, beat

    yield start
    for background in processes:
        background.stop()
    report = request.node.stash.get(CALL_REPORT, None)
    if processes and (report is None or report.failed):
        print(logs_tail(processes, lines=200))


@pytest.fixture
def beat_sync(live_env):
    """Run the `beat-sync` CLI from the repository root against the test database."""

    def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
        return run_beat_sync(*args, env=live_env)

    return run
