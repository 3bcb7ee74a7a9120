"""One beat-sync command in-process, in a process of its own so that every cache starts cold, as
in a user's run: `python -m bench.inprocess DATABASE_URL ARG...` sets Django up (outside the
timer), runs `beat-sync ARG...` once by its click command with the stage timers
(bench.stages), and prints JSON: {"seconds": s, "stages": {...}, "past_start_up": s}.

`past_start_up` is the command's own work: its in-process time less what every command that
reads the manifest does first (bench.stages.START_UP: the project, YAML load, validation, the
check against the Celery app, lints, normalise, i.e. `beat-sync validate`'s work). Interpreter
start-up, imports and Django set-up are outside the timer altogether.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    database_url, *args = sys.argv[1:]
    os.environ.update(
        DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="config.settings", DJANGO_DEBUG="0"
    )
    sys.path[:0] = [str(REPO / "example_project"), str(REPO)]
    import django

    django.setup()
    from bench.stages import START_UP
    from bench.whole import beat_sync_in_process

    seconds, stages = beat_sync_in_process(args)
    past = seconds - sum(stages[name] for name in START_UP)
    json.dump({"seconds": seconds, "stages": stages, "past_start_up": past}, sys.stdout)


if __name__ == "__main__":
    main()
