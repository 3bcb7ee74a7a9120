"""The environment last applied to a database (beat_sync.models.AppliedEnvironment): read by diff
and, under apply's lock, checked against the one being applied, then recorded."""

from __future__ import annotations

from datetime import datetime

from beat_sync.errors import UserError

BASE = ""  # what is stored for no --env


def shown(environment: str | None) -> str:
    return f"'{environment}'" if environment else "the base (no --env)"


def refusal(wanted: str | None, last: str) -> str:
    """Why apply refuses `wanted` (None: the base) over `last` ("": the base), in one line."""
    return (
        f"this database was last applied as {shown(last)}, not {shown(wanted)}: pass "
        "--allow-env-switch to apply it anyway (a database restored from another "
        "environment's backup)"
    )


def applied_environment(using: str = "default") -> str | None:
    """The environment last applied ("" for the base), None when none was ever applied."""
    from beat_sync.models import AppliedEnvironment

    row = AppliedEnvironment._base_manager.using(using).filter(pk=1).first()
    return None if row is None else row.environment


def guard_environment(
    environment: str | None, using: str, now: datetime, *, allow_switch: bool, writes: bool
) -> None:
    """Refuse (UserError) to apply `environment` over another one, unless `allow_switch`; then
    record it. The first apply on a database records without asking, when it `writes`: an
    apply with nothing to change writes nothing at all, unless it switches environments."""
    from beat_sync.models import AppliedEnvironment

    wanted = environment or BASE
    last = applied_environment(using)
    if last == wanted:
        return
    if last is not None and not allow_switch:
        raise UserError(refusal(environment, last))
    if last is None and not writes:
        return
    rows = AppliedEnvironment._base_manager.using(using)
    if last is None:  # one statement either way (update_or_create would take a savepoint)
        rows.create(pk=1, environment=wanted, applied_at=now)
    else:
        rows.filter(pk=1).update(environment=wanted, applied_at=now)
