"""Lints: each code fires on a real case and stays quiet on its near miss, at a fixed instant."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from beat_sync.lints import LintSettings, lint
from beat_sync.manifest import load_manifest, load_manifest_sources
from beat_sync.manifest.lint_codes import LINT_CODES

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def warnings(tasks: str, now: datetime = NOW, **settings) -> list[str]:
    """The lint lines of a manifest whose task lines are `tasks` (one `- {...}` per line)."""
    text = "periodic_tasks:\n" + "".join(f"  - {line}\n" for line in tasks.strip().splitlines())
    result = load_manifest_sources([("m.yaml", text.encode())])
    assert result.ok, result.errors
    return [
        str(warning) for warning in lint(result.specs, now=now, settings=LintSettings(**settings))
    ]


def codes(tasks: str, now: datetime = NOW, **settings) -> list[str]:
    return [line.split(": ", 1)[1].split(" ", 1)[0] for line in warnings(tasks, now, **settings)]


def herd(count: int, cron: str = '"0 3 * * *"', prefix: str = "t") -> str:
    return "\n".join(f"{{name: {prefix}{i}, task: t.a, cron: {cron}}}" for i in range(count))


# One real case and one near miss per code: every code is in both tables.
FIRES = {
    "BS101": '{name: a, task: t.a, cron: {minute: "*", hour: "3"}}',
    "BS102": '{name: a, task: t.a, cron: {minute: "30", hour: "2", timezone: America/New_York}}',
    "BS103": "{name: a, task: t.a, clocked: 2026-01-01T09:00:00+00:00, one_off: true}",
    "BS104": herd(11),
    "BS105": '{name: a, task: t.a, cron: "0 3 * * *", one_off: true}',
    "BS106": '{name: a, task: t.a, cron: "0 9 1-7 * mon"}',
    "BS107": '{name: a, task: t.a, cron: "0 0 31 * *"}',
}
QUIET = {
    "BS101": '{name: a, task: t.a, cron: {minute: "0", hour: "3"}}',
    "BS102": '{name: a, task: t.a, cron: {minute: "30", hour: "3", timezone: America/New_York}}',
    "BS103": "{name: a, task: t.a, clocked: 2027-01-01T09:00:00+00:00, one_off: true}",
    "BS104": herd(10),
    "BS105": "{name: a, task: t.a, clocked: 2027-01-01T09:00:00+00:00, one_off: true}",
    "BS106": '{name: a, task: t.a, cron: "0 9 1-7 * *"}',
    "BS107": '{name: a, task: t.a, cron: "0 0 30 1,3 *"}',
}


def test_every_code_has_a_case_and_a_near_miss():
    assert set(FIRES) == set(QUIET) == set(LINT_CODES)


@pytest.mark.parametrize("code", sorted(LINT_CODES))
def test_each_lint_fires_on_its_case(code: str):
    assert code in codes(FIRES[code])


@pytest.mark.parametrize("code", sorted(LINT_CODES))
def test_each_lint_is_quiet_on_its_near_miss(code: str):
    assert codes(QUIET[code]) == []


def test_the_example_projects_manifest_is_lint_clean():
    result = load_manifest([ROOT / "schedules"])
    assert lint(result.specs, now=NOW) == []


def test_bs101_says_how_many_runs_a_day_and_suggests_minute_0():
    assert warnings('{name: a, task: t.a, cron: {minute: "*", hour: "3"}}') == [
        'm.yaml:2:32: BS101 minute "*" with hour "3" runs every minute of that hour: 60 runs a '
        'day; for one run at the start of the hour write minute: "0"'
    ]
    (line,) = warnings('{name: a, task: t.a, cron: "0-59 9-17 * * mon-fri"}')
    assert "every minute of those 9 hours: 540 runs a day" in line
    assert codes('{name: a, task: t.a, cron: "* * * * *"}') == []  # every minute, all day
    assert codes('{name: a, task: t.a, cron: "*/5 3 * * *"}') == []


def test_bs102_names_the_spring_date_new_york_skips_and_what_celery_does_instead():
    (line,) = warnings(FIRES["BS102"])
    assert line == (
        "m.yaml:2:32: BS102 30 2 * * * in America/New_York: on 2027-03-14 (Sunday) clocks jump "
        "from 02:00 to 03:00, so 02:30 does not exist: beat runs it at 03:30 EDT instead"
    )


def test_bs102_in_the_autumn_fold_celery_runs_the_time_once():
    (line,) = warnings('{name: a, task: t.a, cron: {minute: "30", hour: "1"}}',
                       default_timezone="America/New_York")  # fmt: skip
    assert line.endswith(
        "BS102 30 1 * * * in America/New_York: on 2027-11-07 (Sunday) clocks go back from "
        "02:00 to 01:00, so 01:30 happens twice: beat runs it once, at the first 01:30 (EDT), and "
        "not again in the repeated hour"
    )


def test_bs102_several_times_in_the_gap_celery_shifts_the_first_and_skips_the_rest():
    (line,) = warnings(
        '{name: a, task: t.a, cron: {minute: "*/30", hour: "3", timezone: Europe/Sofia}}'
    )
    assert line.endswith(
        "on 2027-03-28 (Sunday) clocks jump from 03:00 to 04:00, so 03:00, 03:30 do not exist: "
        "beat runs the first at 04:00 EEST instead and skips the other 1"
    )


@pytest.mark.parametrize(
    ("now", "message"),
    [
        (
            NOW,
            "on 2027-03-28 (Sunday) clocks jump from 03:00 to 04:00, so 03:30 does not exist: "
            "beat runs it at 04:30 EEST instead",
        ),
        (
            datetime(2027, 4, 1, tzinfo=UTC),
            "on 2027-10-31 (Sunday) clocks go back from 04:00 to 03:00, so 03:30 happens twice: "
            "beat runs it once, at the first 03:30 (EEST), and not again in the repeated hour",
        ),
    ],
    ids=["spring", "autumn"],
)
def test_bs102_names_the_next_change_after_now_in_sofia(now: datetime, message: str):
    cron = '{name: a, task: t.a, cron: {minute: "30", hour: "3", timezone: Europe/Sofia}}'
    (line,) = warnings(cron, now=now)
    assert line.endswith(f"BS102 30 3 * * * in Europe/Sofia: {message}")


@pytest.mark.parametrize(
    "cron",
    [
        '{minute: "30", hour: "2", timezone: UTC}',  # no daylight saving
        '{minute: "30", hour: "2", day_of_week: "mon-fri", timezone: America/New_York}',  # Sundays
        '{minute: "*/15", timezone: America/New_York}',  # every hour: no time of day to move
        '{minute: "30", hour: "2", month_of_year: "6-8", timezone: America/New_York}',
    ],
)
def test_bs102_is_quiet_when_no_change_moves_a_run(cron: str):
    assert codes(f"{{name: a, task: t.a, cron: {cron}}}") == []


def test_bs102_reads_a_cron_without_zone_in_the_default_zone():
    task = '{name: a, task: t.a, cron: "30 2 * * *"}'
    assert codes(task) == []
    assert codes(task, default_timezone="America/New_York") == ["BS102"]


@pytest.mark.parametrize(
    ("task", "message"),
    [
        (
            "{name: a, task: t.a, clocked: 2026-01-01T09:00:00+00:00, one_off: true}",
            "m.yaml:2:35: BS103 clocked time 2026-01-01 09:00:00+00:00 is in the past: beat "
            "sends the task at once on a database where it has not run (a new one), and never "
            "again",
        ),
        (
            '{name: a, task: t.a, cron: "0 3 * * *", expires: 2026-11-01T00:00:00+00:00}',
            "m.yaml:2:54: BS103 expires 2026-11-01 00:00:00+00:00 is in the past: beat "
            "disables the task at its first check without running it",
        ),
        (
            "{name: a, task: t.a, interval: 1h, start_time: 2027-02-01T00:00:00+00:00, "
            "expires: 2027-01-01T00:00:00+00:00}",
            "m.yaml:2:52: BS103 start_time 2027-02-01 00:00:00+00:00 is not before expires "
            "2027-01-01 00:00:00+00:00: the task never runs",
        ),
        (
            '{name: a, task: t.a, cron: "@yearly", expires: 2026-12-31T00:00:00+00:00}',
            "m.yaml:2:52: BS103 no run of its schedule comes before expires 2026-12-31 "
            "00:00:00+00:00: beat disables the task without running it",
        ),
    ],
    ids=["clocked", "expires", "start after expires", "no run before expires"],
)
def test_bs103_a_task_that_never_runs_again(task: str, message: str):
    assert warnings(task) == [message]


@pytest.mark.parametrize(
    "task",
    [
        "{name: a, task: t.a, clocked: 2026-01-01T09:00:00+00:00, one_off: true, enabled: false}",
        '{name: a, task: t.a, cron: "@daily", expires: 2026-12-31T00:00:00+00:00}',
        "{name: a, task: t.a, interval: 1h, start_time: 2026-01-01T00:00:00+00:00, "
        "expires: 2027-01-01T00:00:00+00:00}",
    ],
)
def test_bs103_is_quiet_for_a_task_that_still_runs_or_is_off(task: str):
    assert codes(task) == []


def test_bs103_uses_the_instant_it_is_given():
    task = FIRES["BS103"]
    assert codes(task, now=datetime(2025, 12, 31, tzinfo=UTC)) == []
    assert codes(task, now=datetime(2026, 1, 1, 9, tzinfo=UTC)) == ["BS103"]


def test_bs104_names_the_herd_once_at_its_first_task():
    (line,) = warnings(herd(12))
    assert line == (
        "m.yaml:2:33: BS104 12 enabled tasks start at the same minute (03:00 UTC), more than "
        "herd_limit 10: 't0', 't1', 't2', 't3', 't4', 't5', 't6', 't7', 't8', 't9' and 2 "
        "more; spread them over other minutes, or raise herd_limit in [tool.beat-sync]"
    )


def test_bs104_counts_crons_that_meet_at_a_minute_whatever_their_spelling_and_zone():
    tasks = "\n".join(
        [
            herd(6, '"*/30 * * * *"'),
            # 05:00 in Sofia is 03:00 UTC in winter (NOW is in November)
            "\n".join(
                f'{{name: s{i}, task: t.a, cron: {{minute: "0", hour: "5", '
                f"timezone: Europe/Sofia}}}}"
                for i in range(5)
            ),
        ]
    )
    (line,) = warnings(tasks)
    assert "BS104 11 enabled tasks start at the same minute (03:00 UTC)" in line


@pytest.mark.parametrize(
    ("tasks", "settings"),
    [
        (herd(6, '"0 3 * * mon"') + "\n" + herd(5, '"0 3 * * tue"', "u"), {}),
        (herd(11), {"herd_limit": 11}),
        (herd(10) + '\n{name: disabled, task: t.a, cron: "0 3 * * *", enabled: false}', {}),
        (herd(10) + '\n{name: x, task: t.a, cron: "0 3 * * *", ignore: [BS104]}', {}),
        (herd(6, '"0 3 1-15 * *"') + "\n" + herd(5, '"0 3 16-31 * *"', "u"), {}),
    ],
    ids=["no common weekday", "herd_limit", "disabled", "ignored", "no common day of month"],
)  # fmt: skip
def test_bs104_is_quiet_below_the_limit_or_without_a_common_day(tasks: str, settings: dict):
    assert codes(tasks, **settings) == []


@pytest.mark.parametrize(
    "schedule",
    [
        'cron: "0 3 * * *"',
        "interval: 1h",
        "solar: {event: sunrise, latitude: 42.7, longitude: 23.3}",
    ],
)
def test_bs105_one_off_on_a_repeating_schedule_points_at_clocked(schedule: str):
    (line,) = warnings(f"{{name: a, task: t.a, {schedule}, one_off: true}}")
    assert " BS105 one_off: true on a" in line
    assert "beat runs it once, then disables it, and every later deploy keeps it disabled" in line
    assert "use clocked: <date and time> with one_off: true" in line


def test_bs106_says_celery_wants_both_day_fields():
    (line,) = warnings(FIRES["BS106"])
    assert line == (
        'm.yaml:2:32: BS106 day_of_month "1-7" and day_of_week "mon" are both restricted: '
        "Celery runs it only on days that match both (Vixie cron, and crontab.guru, on days "
        "that match either)"
    )


@pytest.mark.parametrize(
    ("cron", "message"),
    [
        ('"0 0 31 * *"', 'day_of_month "31" does not exist in Feb, Apr, Jun, Sep, Nov: beat '
         "skips those months (Celery's crontab has no last day of the month)"),
        ('"0 0 30 * *"', 'day_of_month "30" does not exist in Feb: beat skips those months'),
        ('"0 0 29 2 *"', 'day_of_month "29" exists in February only in leap years: beat skips '
         "February in other years"),
        ('"0 0 30,31 1-3 *"', 'day_of_month "30,31" does not exist in Feb: beat skips those '
         "months"),
    ],
)  # fmt: skip
def test_bs107_names_the_months_without_that_day(cron: str, message: str):
    (line,) = warnings(f"{{name: a, task: t.a, cron: {cron}}}")
    assert f" BS107 {message}" in line


@pytest.mark.parametrize("cron", ['"0 0 15,31 * *"', '"0 0 28 * *"', '"0 0 31 1,3 *"'])
def test_bs107_is_quiet_when_every_month_has_a_run(cron: str):
    assert codes(f"{{name: a, task: t.a, cron: {cron}}}") == []


def test_ignored_codes_are_not_reported():
    task = '{name: a, task: t.a, cron: {minute: "*", hour: "3"}, one_off: true}'
    assert codes(task) == ["BS101", "BS105"]
    assert codes(task, ignore=frozenset({"BS101"})) == ["BS105"]
    assert codes(task.replace("one_off: true", "one_off: true, ignore: [BS105]")) == ["BS101"]


def test_an_unknown_code_in_a_tasks_ignore_is_a_located_error():
    text = 'periodic_tasks:\n  - {name: a, task: t.a, cron: "@daily", ignore: [BS101, BS9]}\n'
    result = load_manifest_sources([("m.yaml", text.encode())])
    assert [str(error) for error in result.errors] == [
        "m.yaml:2:58: unknown lint code 'BS9'; the codes are "
        "BS101, BS102, BS103, BS104, BS105, BS106, BS107"
    ]


def test_now_must_be_aware():
    with pytest.raises(ValueError, match="aware"):
        lint([], now=datetime(2026, 1, 1))


def test_readme_lists_every_code_with_an_example():
    readme = (ROOT / "README.md").read_text()
    for code in LINT_CODES:
        (row,) = [line for line in readme.splitlines() if line.startswith(f"| `{code}` |")]
        assert row.count("|") >= 4 and "`" in row.split("|")[3], row
