"""Where an in-process beat-sync command's time goes: its stage functions wrapped with timers.

    with StageTimer() as stages:
        run the command
    stages.split(total)   # {"project": s, "load": s, "validate": s, ...}

Each (module, function) below is replaced, while the timer is active, by a wrapper adding the
call's wall time to its label; the modules look these names up when they call them, so the
command runs its real code. A name that no longer exists fails here, loudly, instead of
silently timing nothing.
"""

from __future__ import annotations

import functools
import importlib
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

# (label, module, function); one label may cover a function imported under two modules.
WRAPPED = (
    ("project", "beat_sync.api", "load_project"),
    ("files", "beat_sync.manifest.load", "read_manifest_files"),
    ("yaml", "beat_sync.manifest.load", "load_document"),
    ("manifest", "beat_sync.manifest", "load_manifest"),
    ("check", "beat_sync.project", "project_errors"),
    ("lint", "beat_sync.api", "lint_problems"),
    ("normalise", "beat_sync.normalise", "normalise"),
    ("read", "beat_sync.tables.read", "read_snapshot"),
    ("read", "beat_sync.tables.write", "read_snapshot"),
    ("plan", "beat_sync.plan", "make_plan"),
    ("plan", "beat_sync.tables.write", "make_plan"),
    ("apply_plan", "beat_sync.tables", "apply_plan"),
    ("runs", "beat_sync.api", "plan_runs"),
    ("runs", "beat_sync.api", "upcoming_runs"),
    ("status", "beat_sync.api", "status"),
    ("print", "beat_sync.commands.apply", "render_plan"),
    ("print", "beat_sync.commands.apply", "write_stdout"),
    ("print", "beat_sync.commands.diff", "print_plan"),
    ("print", "beat_sync.commands.next", "write_output"),
    ("print", "beat_sync.commands.status", "write_stdout"),
    ("print", "beat_sync.render", "render_status_text"),
)
# The columns of the breakdown, in the order of the flow (docs/architecture.md); `runs` is each
# added or changed task's next runs, shown with the plan (and `next`'s runs); `status` is each
# row's health and next run (`beat-sync status`, its read apart).
STAGES = (
    "project", "load", "validate", "check", "lint", "normalise", "read", "plan", "write", "runs",
    "status", "print",
)  # fmt: skip
# What every command that reads the manifest does before its own work (`beat-sync validate`).
START_UP = ("project", "load", "validate", "check", "lint", "normalise")


class StageTimer:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._restore: list[tuple[Any, str, Callable]] = []

    def _wrap(self, label: str, func: Callable) -> Callable:
        @functools.wraps(func)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - started

        return timed

    def __enter__(self) -> StageTimer:
        for label, module_name, name in WRAPPED:
            module = importlib.import_module(module_name)
            original = getattr(module, name)  # AttributeError: the stage moved, update WRAPPED
            self._restore.append((module, name, original))
            setattr(module, name, self._wrap(label, original))
        return self

    def __exit__(self, *exc: object) -> None:
        for module, name, original in reversed(self._restore):
            setattr(module, name, original)
        self._restore.clear()

    def split(self, total: float) -> dict[str, float]:
        """Seconds per stage of STAGES, plus `other` (click, config, summary lines)."""
        s = self.seconds
        load = s["files"] + s["yaml"]
        # apply prints its plan (and computes the runs shown) inside its transaction
        inside = s["read"] + s["plan"] + s["runs"] + s["print"]
        write = max(0.0, s["apply_plan"] - inside) if s["apply_plan"] else 0.0
        split = {
            "project": s["project"],
            "load": load,
            "validate": max(0.0, s["manifest"] - load),
            "check": s["check"],
            "lint": s["lint"],
            "normalise": s["normalise"],
            "read": s["read"],
            "plan": s["plan"],
            "write": write,
            "runs": s["runs"],
            "status": max(0.0, s["status"] - s["read"]) if s["status"] else 0.0,
            "print": s["print"],
        }
        split["other"] = max(0.0, total - sum(split.values()))
        return split
