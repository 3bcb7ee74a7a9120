"""Running beat-sync as a real process against the test database: shared by the process tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
BEAT_SYNC = Path(sys.executable).with_name("beat-sync")
PROCESS_TIMEOUT = 120


def database_url_of(connection) -> str | None:
    """A DATABASE_URL (config/database_url.py form) naming the test database, for a process
    started by the test; None when other processes cannot open it (in-memory SQLite)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(settings["NAME"])
        if connection.is_in_memory_db() or name.startswith("file:"):
            return None
        return f"sqlite:///{Path(name).resolve()}"  # sqlite:////absolute/path
    if connection.vendor == "postgresql":
        credentials = quote(settings["USER"] or "", safe="")
        if settings["PASSWORD"]:
            credentials += ":" + quote(settings["PASSWORD"], safe="")
        host = settings["HOST"] or "localhost"
        port = f":{settings['PORT']}" if settings["PORT"] else ""
        at = "@" if credentials else ""
        return f"postgres://{credentials}{at}{host}{port}/{quote(settings['NAME'], safe='')}"
    return None


def run_beat_sync(*args: str | Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `beat-sync ARGS` from the repository root (its pyproject.toml names the project)."""
    return subprocess.run(
        [str(BEAT_SYNC), *map(str, args)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=PROCESS_TIMEOUT,
        check=False,
    )
