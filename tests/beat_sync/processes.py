"""Running `beat-sync` and `manage.py` as real processes against a database this test shares.

On SQLite each test gets its own migrated database file (copied from one migrated per session);
on PostgreSQL the processes use the test database itself, so tests using `process_env` must be
`django_db(transaction=True)` (their data is committed, and flushed afterwards).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BEAT_SYNC = str(Path(sys.executable).parent / "beat-sync")
MANAGE = str(ROOT / "example_project" / "manage.py")

PURGE = "styleguide_example.emails.tasks.email_purge_sent"
REQUEUE = "styleguide_example.emails.tasks.email_requeue_stuck"

MANIFEST = f"""\
periodic_tasks:
  - name: Purge sent emails
    task: {PURGE}
    cron: "30 3 * * *"
    kwargs: {{days: 30}}
  - name: Re-queue stuck emails
    task: {REQUEUE}
    cron: {{minute: "*/15"}}
"""


def run(args: list[str], env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def beat_sync(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return run([BEAT_SYNC, *args], env)


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return run([sys.executable, MANAGE, *args], env)


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "DATABASE_URL")}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the repo's pyproject names the settings
    return env


def write_manifest(folder: Path, text: str = MANIFEST) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "tasks.yaml"
    path.write_text(text)
    return folder


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("migrated") / "db.sqlite3"
    result = manage(
        "migrate", "--noinput", "-v", "0", env={**base_env(), "DATABASE_URL": f"sqlite:///{path}"}
    )
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def process_env(request, tmp_path) -> dict[str, str]:
    """Environment for subprocesses: DATABASE_URL of a migrated database of this backend."""
    from django.db import connection

    if connection.vendor == "sqlite":
        path = tmp_path / "db.sqlite3"
        shutil.copy(request.getfixturevalue("migrated_sqlite"), path)
        url = f"sqlite:///{path}"
    else:
        request.getfixturevalue("transactional_db")
        s = connection.settings_dict
        password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
        port = f":{s['PORT']}" if s["PORT"] else ""
        url = f"postgres://{s['USER']}{password}@{s['HOST']}{port}/{s['NAME']}"
    return {**base_env(), "DATABASE_URL": url}
