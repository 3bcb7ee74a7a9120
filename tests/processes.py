"""Running beat-sync as a real process against the test database: shared by the process tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
BEAT_SYNC = Path(sys.executable).with_name("beat-sync")
PROCESS_TIMEOUT = 120
# `beat-sync` run by `python -c` with an apply hook (beat_sync.tables.after_delete) that holds
# between the deletes and the inserts, reporting HOLD_MARKER on stderr when it starts holding so
# that a test knows the deletes have run. Its first argument is the hold, in seconds.
HOLD_MARKER = "beat-sync-test: holding after delete"
_HOLDING_CLI = f"""
import sys, time
from beat_sync import tables
from beat_sync.cli import main

def hold(seconds=float(sys.argv.pop(1))):
    print({HOLD_MARKER!r}, file=sys.stderr, flush=True)
    time.sleep(seconds)

tables.after_delete.append(hold)
sys.argv[0] = "beat-sync"
main()
"""


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


def holding_beat_sync(hold_seconds: float, *args: str | Path) -> list[str]:
    """The command line of `beat-sync ARGS` holding `hold_seconds` in an apply after its deletes
    (see HOLD_MARKER)."""
    return [sys.executable, "-c", _HOLDING_CLI, str(hold_seconds), *map(str, args)]


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
