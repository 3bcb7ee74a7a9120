"""`beat-sync next`: the manifest's runs as beat computes them, merged in time order, without a
database; its formats and its refusals (one line, exit 1)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from beat_sync.cli import main
from tests.support.manifests import write_manifest
from tests.support.processes import REPO
from tests.support.samples import PENDING, PURGE

# A New York night job (02:30 is skipped by the clocks on 14 March 2027), an interval, a
# disabled task and a one-off.
FIXTURE = f"""\
periodic_tasks:
  - name: Nightly report
    task: {PURGE}
    cron: {{minute: "30", hour: "2", timezone: America/New_York}}
  - name: Every 6 hours
    task: {PENDING}
    interval: {{every: 6, period: hours}}
  - name: Switched off
    task: {PENDING}
    interval: {{every: 1, period: minutes}}
    enabled: false
  - name: Once
    task: {PENDING}
    clocked: "2027-03-13T12:00:00+00:00"
    one_off: true
"""
FROM = "2027-03-13T00:00:00-05:00"
README_WEEK_FROM = "2026-11-30T00:00:00+00:00"  # a Monday
# The lint beside it names the same day and says what the runs show (README: Lints).
BS102 = (
    "BS102 30 2 * * * in America/New_York: on 2027-03-14 (Sunday) clocks jump from 02:00 to "
    "03:00, so 02:30 does not exist: beat runs it at 03:30 EDT instead\n"
)


def cli(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env)


@pytest.fixture
def schedules(tmp_path) -> str:
    return str(write_manifest(tmp_path / "schedules", FIXTURE))


def test_a_new_york_night_job_runs_at_0330_on_the_spring_forward_day(schedules):
    result = cli("next", "--schedules", schedules, "--from", FROM, "--count", "3", "Nightly report")
    assert (result.exit_code, result.stderr) == (0, f"{schedules}/tasks.yaml:4:11: {BS102}")
    assert result.stdout == (
        "Sat 13 Mar 2027 02:30 EST (UTC-05:00)  Nightly report\n"
        "Sun 14 Mar 2027 03:30 EDT (UTC-04:00)  Nightly report\n"
        "Mon 15 Mar 2027 02:30 EDT (UTC-04:00)  Nightly report\n"
    )


def test_all_tasks_merge_in_time_order_in_text_and_json(schedules):
    result = cli("next", "--schedules", schedules, "--from", FROM, "--count", "6")
    assert (result.exit_code, result.stderr) == (0, f"{schedules}/tasks.yaml:4:11: {BS102}")
    assert result.stdout == (
        "Sat 13 Mar 2027 02:30 EST (UTC-05:00)  Nightly report\n"
        "Sat 13 Mar 2027 11:00 UTC  Every 6 hours\n"
        "Sat 13 Mar 2027 12:00 UTC  Once\n"
        "Sat 13 Mar 2027 17:00 UTC  Every 6 hours\n"
        "Sat 13 Mar 2027 23:00 UTC  Every 6 hours\n"
        "Sun 14 Mar 2027 05:00 UTC  Every 6 hours\n"
    )
    document = json.loads(
        cli(
            "next", "--schedules", schedules, "--from", FROM, "--count", "3", "--format", "json"
        ).stdout
    )
    assert document == {
        "runs": [
            {"name": "Nightly report", "at": "2027-03-13T02:30:00-05:00"},
            {"name": "Every 6 hours", "at": "2027-03-13T11:00:00+00:00"},
            {"name": "Once", "at": "2027-03-13T12:00:00+00:00"},
        ]
    }


def test_a_disabled_task_has_no_runs_and_now_is_beat_sync_now(schedules):
    result = cli(
        "next",
        "--schedules",
        schedules,
        "--count",
        "1",
        "Switched off",
        "Once",
        env={"BEAT_SYNC_NOW": "2027-03-13T11:59:00+00:00"},
    )
    assert (result.exit_code, result.stdout) == (0, "Sat 13 Mar 2027 12:00 UTC  Once\n")


def test_runs_written_to_a_file(schedules, tmp_path):
    target = tmp_path / "out" / "runs.txt"
    result = cli(
        "next", "--schedules", schedules, "--from", FROM, "--count", "1", "-o", str(target)
    )
    assert (result.exit_code, result.stdout) == (0, "")
    assert target.read_text() == "Sat 13 Mar 2027 02:30 EST (UTC-05:00)  Nightly report\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--count", "0"], "--count must be between 1 and 10,000, not 0"),
        (["--count", "-3"], "--count must be between 1 and 10,000, not -3"),
        (["--count", "10001"], "--count must be between 1 and 10,000, not 10001"),
        (["--from", "next tuesday"], "--from 'next tuesday' is not an ISO 8601 date and time"),
        (["--from", "2027-03-13T00:00:00"], "--from '2027-03-13T00:00:00' needs a UTC offset"),
        (["--from", "2027-03-13"], "--from '2027-03-13' needs a UTC offset"),
        (["Nightly reprot"], "no periodic task named 'Nightly reprot' in the manifest (did you"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(schedules, args, message):
    result = cli("next", "--schedules", schedules, "--from", FROM, *args)
    assert result.exit_code == 1
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if BS102.strip() not in line]
    assert len(errors) == 1
    assert errors[0].startswith(f"beat-sync: error: {message}")


def test_a_bad_beat_sync_now_is_one_line(schedules):
    result = cli("next", "--schedules", schedules, env={"BEAT_SYNC_NOW": "noon"})
    assert result.exit_code == 1
    assert result.stderr == (
        "beat-sync: error: BEAT_SYNC_NOW 'noon' is not an ISO 8601 date and time "
        "(e.g. 2027-03-13T00:00:00-05:00)\n"
    )


@pytest.mark.parametrize(
    ("names", "why"),
    [
        (["Switched off"], "'Switched off' is disabled"),
        (["Expired"], "'Expired' will not run again"),
        (["Switched off", "Expired"], "'Switched off' is disabled, 'Expired' will not run again"),
        ([], "no enabled task of the manifest runs again"),
    ],
)
def test_tasks_without_runs_say_why_instead_of_printing_nothing(tmp_path, names, why):
    folder = write_manifest(
        tmp_path / "schedules",
        f"""\
periodic_tasks:
  - name: Switched off
    task: {PENDING}
    interval: 1m
    enabled: false
  - name: Expired
    task: {PENDING}
    interval: 1h
    expires: "2027-03-01T00:00:00+00:00"
""",
    )
    args = ("next", "--schedules", str(folder), "--from", FROM, *names)
    result = cli(*args)
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr.splitlines()[-1] == (
        f"beat-sync: no runs after Sat 13 Mar 2027 05:00 UTC: {why}"
    )
    as_json = cli(*args, "--format", "json")
    assert (as_json.exit_code, json.loads(as_json.stdout)) == (0, {"runs": []})
    assert "no runs" not in as_json.stderr  # the JSON says it: a program reads no prose


# --- --format svg: the week's picture (beat_sync.week; tests/beat_sync/test_week.py) ----------


def test_svg_goes_to_stdout_to_dash_or_to_a_file(schedules, tmp_path):
    args = ("next", "--schedules", schedules, "--from", FROM, "--format", "svg")
    shown = cli(*args)
    assert shown.exit_code == 0
    assert shown.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')
    assert "Sat 13 Mar 2027 11:00-12:00 UTC: 1 start\nEvery 6 hours</title>" in shown.stdout
    assert cli(*args, "-o", "-").stdout == shown.stdout
    target = tmp_path / "pictures" / "week.svg"
    written = cli(*args, "-o", str(target))
    assert (written.exit_code, written.stdout) == (0, "")
    assert target.read_text() == shown.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--count", "20"], "--count does not apply to --format svg: it draws every run of the "
         "week from --from"),
        (["-o", "{file}/week.svg"], "cannot write {file}/week.svg: "),
        (["Nightly reprot"], "no periodic task named 'Nightly reprot' in the manifest (did you"),
    ],
)  # fmt: skip
def test_svg_bad_input_is_one_line_and_exit_1(schedules, tmp_path, args, message):
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    args = [arg.format(file=a_file) for arg in args]
    result = cli("next", "--schedules", schedules, "--from", FROM, "--format", "svg", *args)
    assert (result.exit_code, result.stdout) == (1, "")
    errors = [line for line in result.stderr.splitlines() if BS102.strip() not in line]
    assert len(errors) == 1
    assert errors[0].startswith(f"beat-sync: error: {message.format(file=a_file)}")


def test_readme_week_picture_is_what_its_command_draws(monkeypatch):
    """docs/img/week.svg, which README shows, is the example project's week as drawn now."""
    monkeypatch.chdir(REPO)
    result = cli("next", "--format", "svg", "--from", README_WEEK_FROM)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (REPO / "docs" / "img" / "week.svg").read_text()
    assert (
        f"beat-sync next --format svg --from {README_WEEK_FROM} -o docs/img/week.svg"
        in (REPO / "README.md").read_text()
    )
