"""The environment last applied to a database: the newest `beat_sync.models.ApplyRecord`'s. diff
reads it; apply checks it under its lock against the one being applied, and its own record
(written by `beat_sync.tables.ownership.write_records`) then names the new one."""

from __future__ import annotations

from beat_sync.describe import visible
from beat_sync.errors import UserError
from beat_sync.tables.ownership import installed

BASE = ""  # what is recorded for no --env


def shown(environment: str | None) -> str:
    """An environment as messages name it, control characters escaped: the record is a table
    row anyone with SQL can write (a newline there would forge a line of a CI log)."""
    return f"'{visible(environment)}'" if environment else "the base (no --env)"


def refusal(wanted: str | None, last: str) -> str:
    """Why apply refuses `wanted` (None: the base) over `last` ("": the base), in one line."""
    return (
        f"this database was last applied as {shown(last)}, not {shown(wanted)}: pass "
        "--allow-env-switch to apply it anyway (a database restored from another "
        "environment's backup)"
    )


def applied_environment(using: str = "default") -> str | None:
    """The environment last applied ("" for the base); None when nothing was ever applied, or
    without the `beat_sync` app (no record, no guard: the behaviour before environments)."""
    if not installed():
        return None
    from beat_sync.models import ApplyRecord

    newest = ApplyRecord._base_manager.using(using).order_by("-applied_at", "-id")
    return newest.values_list("environment", flat=True).first()


def guard_environment(environment: str | None, last: str | None, *, allow_switch: bool) -> bool:
    """Refuse (UserError) to apply `environment` over `last`, the one last applied
    (`applied_environment`), unless `allow_switch`. True when the apply must be recorded even
    with nothing else to write: an allowed switch. The first apply on a database records
    without asking, when it writes anyway."""
    if last is None or last == (environment or BASE):
        return False
    if not allow_switch:
        raise UserError(refusal(environment, last))
    return True
