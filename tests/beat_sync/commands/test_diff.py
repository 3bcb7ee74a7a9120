"""`beat-sync diff`: what a reviewer sees, its formats, colour, exit codes and error lines."""

from __future__ import annotations

import json
import os
import pty
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from beat_sync.cli import main
from beat_sync.state import IntervalSchedule, TaskState
from beat_sync.tables import apply_plan
from tests.support.manifests import MANIFEST, write_manifest
from tests.support.processes import BEAT_SYNC, user_env
from tests.support.processes import REPO as ROOT
from tests.support.processes import run_beat_sync as beat_sync
from tests.support.samples import PENDING, PURGE, REQUEUE, cron

CHANGED = MANIFEST.replace('cron: "30 3 * * *"', 'cron: "45 3 * * *"')


def cli(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def applied_manifest():
    """The tables as MANIFEST describes them."""
    apply_plan(
        [
            TaskState(
                name="Purge sent emails",
                task=PURGE,
                schedule=cron("30 3 * * *"),
                kwargs='{"days": 30}',
            ),
            TaskState(name="Re-queue stuck emails", task=REQUEUE, schedule=cron("*/15 * * * *")),
        ]
    )


@pytest.fixture
def changed(tmp_path) -> str:
    return str(write_manifest(tmp_path / "schedules", CHANGED))


@pytest.mark.django_db
def test_a_changed_cron_shows_old_and_new_with_words_and_link(changed):
    applied_manifest()
    result = cli("diff", "--schedules", changed)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "~ Purge sent emails\n"
        "    schedule: cron 30 3 * * * (UTC) -> cron 45 3 * * * (UTC)\n"
        "      was: At 03:30 (UTC), https://crontab.guru/#30_3_*_*_*\n"
        "      now: At 03:45 (UTC), https://crontab.guru/#45_3_*_*_*\n"
        "    next: Sun 29 Nov 2026 03:45 UTC, Mon 30 Nov 2026 03:45 UTC, "
        "Tue 01 Dec 2026 03:45 UTC\n"
        "\n"
        "0 to add, 1 to change, 0 to remove, 1 unchanged\n"
    )


@pytest.mark.django_db
def test_exit_code_2_on_changes_only_with_the_flag(changed, tmp_path):
    applied_manifest()
    assert cli("diff", "--exit-code", "--schedules", changed).exit_code == 2
    in_sync = str(write_manifest(tmp_path / "same", MANIFEST))
    result = cli("diff", "--exit-code", "--schedules", in_sync)
    assert (result.exit_code, result.stdout) == (
        0,
        "In sync: 0 to add, 0 to change, 0 to remove, 2 unchanged\n",
    )


@pytest.mark.django_db
def test_json_and_markdown(changed):
    applied_manifest()
    document = json.loads(cli("diff", "--format", "json", "--schedules", changed).stdout)
    summary = {key: document["summary"][key] for key in ("add", "change", "remove", "unchanged")}
    assert summary == {"add": 0, "change": 1, "remove": 0, "unchanged": 1}
    assert document["summary"]["drift"] == document["summary"]["unmanaged"] == 0
    (change,) = document["changes"]
    assert (change["action"], change["name"], list(change["fields"])) == (
        "change",
        "Purge sent emails",
        ["schedule"],
    )
    assert change["fields"]["schedule"]["new"]["expression"] == "45 3 * * *"
    markdown = cli("diff", "--format", "markdown", "--schedules", changed).stdout
    assert markdown.startswith("**beat-sync**: 0 to add, 1 to change, 0 to remove, 1 unchanged\n")
    assert "| ✏️ change | `Purge sent emails` | schedule: `cron 30 3 * * * (UTC)` → " in markdown
    assert change["next_runs"] == [
        "2026-11-29T03:45:00+00:00",
        "2026-11-30T03:45:00+00:00",
        "2026-12-01T03:45:00+00:00",
    ]
    assert markdown.endswith(
        "<br>next: Sun 29 Nov 2026 03:45 UTC, Mon 30 Nov 2026 03:45 UTC, "
        "Tue 01 Dec 2026 03:45 UTC |\n"
    )


@pytest.mark.django_db
def test_next_runs_of_an_added_task_in_its_zone_and_of_a_changed_one_from_its_last_run(tmp_path):
    from django_celery_beat.models import PeriodicTask

    apply_plan([TaskState(name="Hourly", task=PENDING, schedule=IntervalSchedule(1, "hours"))])
    # beat ran it at 11:40 (BEAT_SYNC_NOW is 12:00): apply keeps that, so runs count from it.
    PeriodicTask.objects.filter(name="Hourly").update(
        last_run_at=datetime(2026, 11, 28, 11, 40, tzinfo=UTC), total_run_count=3
    )
    folder = write_manifest(
        tmp_path / "s",
        f"""\
periodic_tasks:
  - name: Hourly
    task: {PENDING}
    interval: {{every: 1, period: hours}}
    description: now described
  - name: Sofia morning
    task: {PURGE}
    cron: {{minute: "0", hour: "7", timezone: Europe/Sofia}}
""",
    )
    result = cli("diff", "--schedules", str(folder))
    assert result.exit_code == 0
    runs = [line for line in result.stdout.splitlines() if line.startswith("    next: ")]
    assert runs == [
        "    next: Sat 28 Nov 2026 12:40 UTC, Sat 28 Nov 2026 13:40 UTC, Sat 28 Nov 2026 14:40 UTC",
        "    next: Sun 29 Nov 2026 07:00 EET (UTC+02:00), Mon 30 Nov 2026 07:00 EET (UTC+02:00), "
        "Tue 01 Dec 2026 07:00 EET (UTC+02:00)",
    ]
    document = json.loads(cli("diff", "--format", "json", "--schedules", str(folder)).stdout)
    assert [change.get("next_runs") for change in document["changes"]] == [
        ["2026-11-28T12:40:00+00:00", "2026-11-28T13:40:00+00:00", "2026-11-28T14:40:00+00:00"],
        ["2026-11-29T07:00:00+02:00", "2026-11-30T07:00:00+02:00", "2026-12-01T07:00:00+02:00"],
    ]


@pytest.mark.django_db
def test_no_colour_when_piped_or_with_no_color_and_colour_when_asked(changed):
    applied_manifest()
    assert "\x1b[" not in cli("diff", "--schedules", changed).stdout  # CliRunner: not a tty
    assert "\x1b[33m" in cli("diff", "--color", "--schedules", changed).stdout
    assert "\x1b[" not in cli("diff", "--no-color", "--schedules", changed).stdout


@pytest.mark.django_db(transaction=True)
def test_colour_on_a_terminal_unless_no_color(own_database_env, changed):
    assert (
        beat_sync(
            "apply",
            "--schedules",
            str(write_manifest(Path(changed).parent / "a")),
            env=own_database_env,
        ).returncode
        == 0
    )

    def on_a_terminal(env) -> str:
        leader, follower = pty.openpty()
        process = subprocess.Popen(
            [BEAT_SYNC, "diff", "--schedules", changed],
            cwd=ROOT,
            env=env,
            stdout=follower,
            stderr=follower,
        )
        os.close(follower)
        output = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        process.wait(timeout=60)
        os.close(leader)
        return output.decode()

    assert "\x1b[33m\x1b[1m~ Purge sent emails" in on_a_terminal(own_database_env)
    plain = on_a_terminal({**own_database_env, "NO_COLOR": "1"})
    assert "~ Purge sent emails" in plain and "\x1b[" not in plain


@pytest.mark.django_db
def test_an_invalid_manifest_is_reported_with_locations_and_nothing_is_read(tmp_path):
    folder = write_manifest(
        tmp_path / "bad", MANIFEST.replace('cron: "30 3 * * *"', 'cron: "61 3 * * *"')
    )
    result = cli("diff", "--schedules", str(folder))
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{folder}/tasks.yaml:4:11: invalid cron minute '61'")
    assert (
        lines[-1]
        == f"{folder}: 1 file, 1 task (cron: 1), 1 error - invalid; nothing was read or changed"
    )


@pytest.mark.django_db
def test_an_unregistered_task_fails_unless_no_check_tasks(tmp_path):
    folder = write_manifest(tmp_path / "typo", MANIFEST.replace(REQUEUE, REQUEUE + "x"))
    result = cli("diff", "--schedules", str(folder))
    assert result.exit_code == 1
    assert (
        f"task '{REQUEUE}x' is not registered with the Celery app (did you mean '{REQUEUE}'?)"
        in result.stderr
    )
    skipped = cli("diff", "--no-check-tasks", "--schedules", str(folder))
    assert skipped.exit_code == 0, skipped.output
    assert "+ Re-queue stuck emails\n" in skipped.stdout


def test_tables_not_migrated_is_one_line_exit_1(tmp_path):
    (tmp_path / "empty.sqlite3").touch()  # an empty SQLite database
    env = {**user_env(), "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    result = beat_sync("diff", "--schedules", str(write_manifest(tmp_path / "s")), env=env)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"beat-sync: error: django-celery-beat tables not found in database 'default' "
        f"(sqlite {tmp_path / 'empty.sqlite3'}) — run `python manage.py migrate`\n"
    )


def test_an_unreachable_database_is_one_line_exit_1(tmp_path):
    env = {**user_env(), "DATABASE_URL": "postgres://postgres@127.0.0.1:9/nowhere"}
    result = beat_sync("diff", "--schedules", str(write_manifest(tmp_path / "s")), env=env)
    assert result.returncode == 1
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("beat-sync: error: cannot use database 'default' (postgresql nowhere): ")
    assert "Traceback" not in result.stderr


def test_an_unknown_database_alias_is_one_line():
    result = cli("diff", "--database", "replica", "--schedules", str(ROOT / "schedules"))
    assert (result.exit_code, result.stderr) == (
        1,
        "beat-sync: error: unknown database alias 'replica' (DATABASES has: default)\n",
    )


def test_base_compares_with_the_manifest_committed_at_a_git_ref(tmp_path):
    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("config", "user.email", "t@example.com")
    git("config", "user.name", "t")
    folder = write_manifest(tmp_path / "schedules", MANIFEST)
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    write_manifest(folder, CHANGED)

    result = cli("diff", "--base", "HEAD", "--exit-code", "--schedules", str(folder))
    assert result.exit_code == 2, result.output
    assert result.stdout.startswith(
        "~ Purge sent emails\n"
        "    schedule: cron 30 3 * * * (project default) -> cron 45 3 * * * (project default)\n"
    )


LONG_FORMS = f"""\
periodic_tasks:
  - {{name: Ninety minutes, task: {PURGE}, interval: {{every: 90, period: minutes}}}}
  - {{name: Two days, task: {PURGE}, interval: {{every: 2, period: days}}}}
  - {{name: Daily, task: {PURGE}, cron: "0 0 * * *"}}
  - {{name: Weekly, task: {PURGE}, cron: {{minute: "0", hour: "0", day_of_week: "0"}}}}
"""
SHORT_FORMS = f"""\
periodic_tasks:
  - {{name: Ninety minutes, task: {PURGE}, interval: 1h30m}}
  - {{name: Two days, task: {PURGE}, interval: 48h}}
  - {{name: Daily, task: {PURGE}, cron: "@daily"}}
  - {{name: Weekly, task: {PURGE}, cron: "@weekly"}}
"""


@pytest.mark.django_db
def test_a_shorthand_and_its_long_form_diff_as_unchanged(tmp_path):
    long = str(write_manifest(tmp_path / "long", LONG_FORMS))
    short = str(write_manifest(tmp_path / "short", SHORT_FORMS))
    assert cli("apply", "--no-check-tasks", "--schedules", long).exit_code == 0
    result = cli("diff", "--exit-code", "--no-check-tasks", "--schedules", short)
    assert (result.exit_code, result.stdout) == (
        0,
        "In sync: 0 to add, 0 to change, 0 to remove, 4 unchanged\n",
    )


@pytest.mark.django_db
def test_a_lint_is_printed_on_stderr_and_keeps_the_exit_code_unless_strict(tmp_path):
    applied_manifest()
    linted = str(write_manifest(tmp_path / "linted", MANIFEST + "    one_off: true\n"))

    result = cli("diff", "--exit-code", "--schedules", linted)
    assert result.exit_code == 2  # the change, not the warning
    assert result.stderr.startswith(f"{linted}/tasks.yaml:9:14: BS105 one_off: true on a cron")
    assert result.stdout.startswith("~ Re-queue stuck emails\n    one_off: false -> true\n")

    strict = cli("diff", "--strict", "--schedules", linted)
    assert (strict.exit_code, strict.stdout) == (1, "")
    assert strict.stderr.splitlines()[-1].endswith(
        "1 warning - invalid (--strict: warnings are errors); nothing was read or changed"
    )
