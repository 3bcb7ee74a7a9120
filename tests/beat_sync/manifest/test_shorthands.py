"""Shorthands: `interval: 1h30m` and `cron: "@daily"` read as the long form they stand for."""

from __future__ import annotations

from pathlib import Path

import pytest

from beat_sync.manifest import TaskSpec, load_manifest, load_manifest_sources
from beat_sync.manifest.shorthands import CRON_NICKNAMES
from beat_sync.normalise import normalise
from beat_sync.state import CronSchedule, IntervalSchedule

SHORTHANDS = Path(__file__).parent / "valid" / "shorthands.yaml"


def errors_of(task: str) -> list[str]:
    text = f"periodic_tasks:\n  - {{name: a, task: t.a, {task}}}\n"
    return [str(error) for error in load_manifest_sources([("m.yaml", text.encode())]).errors]


@pytest.mark.parametrize(
    ("written", "every", "period"),
    [
        ("5m", 5, "minutes"),
        ("1h30m", 90, "minutes"),
        ("45s", 45, "seconds"),
        ("2d", 2, "days"),
        ("48h", 2, "days"),  # the largest unit that divides it exactly
        ("120m", 2, "hours"),
        ("90s", 90, "seconds"),
        ("1d12h", 36, "hours"),
        ("1h0m", 1, "hours"),
        ("1d1h1m1s", 90061, "seconds"),
        (" 10m ", 10, "minutes"),
    ],
)
def test_a_duration_is_stored_in_the_largest_exact_unit(written: str, every: int, period: str):
    spec = TaskSpec(name="a", task="t.a", interval=written)
    assert (spec.interval.every, spec.interval.period) == (every, period)


@pytest.mark.parametrize(
    "written",
    [
        *("5x", "0m", "0d0h", "1h-5m", "-5m", "m", "5", "1.5h", "5 m", "1m1h", "1m1m", "5M"),
        # digits of other scripts, which Python's int() reads: a reviewer may not read them so
        *("\uff15m", "\u0665m", "1h\u0663\u0660m"),
    ],
)
def test_anything_else_is_one_located_error_with_the_hint(written: str):
    (error,) = errors_of(f'interval: "{written}"')
    assert error.startswith("m.yaml:2:36: interval ")
    assert "5m, 1h30m, 45s, 2d" in error


@pytest.mark.parametrize(
    ("nicknames", "fields"),
    [
        (("@yearly", "@annually"), "0 0 1 1 *"),
        (("@monthly",), "0 0 1 * *"),
        (("@weekly",), "0 0 * * 0"),
        (("@daily", "@midnight"), "0 0 * * *"),
        (("@hourly",), "0 * * * *"),
    ],
)
def test_every_nickname_is_vixie_crons_meaning(nicknames: tuple[str, ...], fields: str):
    for nickname in nicknames:
        assert CRON_NICKNAMES[nickname] == fields
        long_form = TaskSpec(name="a", task="t.a", cron=fields).cron
        assert TaskSpec(name="a", task="t.a", cron=nickname).cron == long_form


def test_the_nicknames_are_vixie_crons_seven():
    assert sorted(CRON_NICKNAMES) == [
        "@annually", "@daily", "@hourly", "@midnight", "@monthly", "@weekly", "@yearly"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("task", "message"),
    [
        ('cron: "@reboot"', "beat has no start-up run ('@reboot')"),
        ('cron: "@Hourly"', None),  # accepted whatever its case, as the words of a field are
        ('cron: "0 @daily * * *"', "'@daily' is a whole schedule (0 0 * * *), not a field"),
        ('cron: {hour: "@weekly"}', "'@weekly' is a whole schedule (0 0 * * 0), not a field"),
        ('cron: "@every 5m"', "'@every' is not a cron field"),
    ],
)
def test_nicknames_out_of_place_say_what_they_mean(task: str, message: str | None):
    errors = errors_of(task)
    if message is None:
        assert errors == []
    else:
        assert len(errors) == 1 and message in errors[0], errors


def test_a_shorthand_normalises_to_the_same_state_as_its_long_form():
    result = load_manifest([SHORTHANDS])
    assert result.ok, result.errors
    states = {task.name: task.schedule for task in normalise(result.specs, "UTC")}
    assert states["Five minutes"] == IntervalSchedule(5, "minutes")
    assert states["Ninety minutes"] == IntervalSchedule(90, "minutes")
    assert states["Forty-five seconds"] == IntervalSchedule(45, "seconds")
    assert states["Two days"] == IntervalSchedule(2, "days")
    assert states["Hourly"] == CronSchedule("0", "*", "*", "*", "*", "UTC")
    assert states["Daily"] == states["Midnight"] == CronSchedule("0", "0", "*", "*", "*", "UTC")
    assert states["Weekly"] == CronSchedule("0", "0", "*", "*", "0", "UTC")
    assert states["Monthly"] == CronSchedule("0", "0", "1", "*", "*", "UTC")
    assert states["Yearly"] == states["Annually"] == CronSchedule("0", "0", "1", "1", "*", "UTC")
