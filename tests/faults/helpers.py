"""The fault tests' `beat-sync` process that reports when apply's test hook holds it between
its delete and its recreate (what else they share is in tests/support/)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.processes import REPO

# The `beat-sync` CLI with time.sleep reporting on stderr when the apply's test hook
# (BEAT_SYNC_TEST_HOLD_AFTER_DELETE) starts holding, so a test knows the deletes have run.
HOLD_MARKER = "beat-sync-test: holding after delete"
HOLDING_CLI = f"""
import sys, time
_sleep = time.sleep
def _reporting_sleep(seconds):
    print("{HOLD_MARKER}", file=sys.stderr, flush=True)
    _sleep(seconds)
time.sleep = _reporting_sleep
from beat_sync.cli import main
sys.argv[0] = "beat-sync"
main()
"""


def start_beat_sync(*args: str | Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """Start `beat-sync ARGS` in the background, reporting HOLD_MARKER on stderr when it holds."""
    return subprocess.Popen(
        [sys.executable, "-c", HOLDING_CLI, *map(str, args)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
