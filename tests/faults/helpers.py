"""What the fault tests share: the test database as a DATABASE_URL for other processes, the
`beat-sync` CLI as a process, full dumps of django-celery-beat's tables, manifests on disk."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from beat_sync.tables import beat_models
from tests.processes import REPO, database_url_of, holding_beat_sync

TASK = "styleguide_example.emails.tasks.email_send_pending"


def process_env(connection) -> dict[str, str]:
    """Environment of a `beat-sync` process run against the test database (skips the test when
    the SQLite test database is in memory, which another process cannot open)."""
    url = database_url_of(connection)
    if url is None:
        pytest.skip(
            "the SQLite test database is in memory: set BEAT_SYNC_SQLITE_TEST_NAME to a file "
            "(make test does) so that beat-sync processes can open it"
        )
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.update(DATABASE_URL=url, NO_COLOR="1")
    return env


def start_beat_sync(
    *args: str | Path, env: dict[str, str], hold_seconds: float
) -> subprocess.Popen[str]:
    """Start `beat-sync ARGS` in the background, holding `hold_seconds` after an apply's deletes
    and reporting HOLD_MARKER on stderr when it starts holding."""
    return subprocess.Popen(
        holding_beat_sync(hold_seconds, *args),
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def write_schedules(folder: Path, yaml_text: str, name: str = "tasks.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(yaml_text)
    return folder


def interval_manifest(names: list[str], every: int = 1, queue: str | None = None) -> str:
    """A manifest of interval tasks, one per name (no arguments: beat checks them against the
    task's signature before sending)."""
    routing = f", queue: {queue}" if queue else ""
    lines = ["periodic_tasks:"]
    for name in names:
        lines.append(
            f"  - {{name: {name}, task: {TASK}, "
            f"interval: {{every: {every}, period: seconds}}{routing}}}"
        )
    return "\n".join(lines) + "\n"


def dump_tables(using: str = "default") -> dict[str, list[dict]]:
    """Every row of django-celery-beat's five tables and of the change marker, every column,
    ids and timestamps included, ordered by primary key."""
    return {
        model.__name__: [
            {key: str(value) for key, value in row.items()}
            for row in model._base_manager.using(using).order_by("pk").values()
        ]
        for model in beat_models()
    }


def checksum_tables(using: str = "default") -> str:
    return hashlib.sha256(
        json.dumps(dump_tables(using), sort_keys=True).encode("utf-8")
    ).hexdigest()
