"""Environments from the command line: --env, BEAT_SYNC_ENV, [tool.beat-sync] env; apply, diff
and validate with overlays (docs/environments.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from beat_sync.cli import main
from beat_sync.tables import applied_environment, read_current_state
from tests.support.manifests import write_manifest
from tests.support.samples import PENDING, PURGE, REQUEUE
from tests.support.tables import checksum_tables

BASE = f"""\
periodic_tasks:
  - name: A
    task: {PURGE}
    cron: "0 3 * * *"
  - name: B
    task: {REQUEUE}
    interval: {{every: 5, period: minutes}}
  - name: C
    task: {PENDING}
    interval: {{every: 1, period: hours}}
"""

STAGING = f"""\
periodic_tasks:
  - name: A
    cron: "0 4 * * *"
  - name: B
    enabled: false
  - name: C
    absent: true
  - name: D
    task: {PENDING}
    interval: {{every: 2, period: hours}}
"""


def cli(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def schedules(tmp_path: Path, staging: str = STAGING, **more: str) -> str:
    folder = write_manifest(tmp_path / "schedules", BASE)
    write_manifest(folder / "env" / "staging", staging)
    for name, text in more.items():
        write_manifest(folder / "env" / name, text)
    return str(folder)


@pytest.mark.django_db
def test_apply_an_environment_then_diff_it_in_sync(tmp_path):
    folder = schedules(tmp_path)
    result = cli("apply", "--env", "staging", "--schedules", folder)
    assert result.exit_code == 0, result.output
    state = {task.name: task for task in read_current_state().tasks}
    assert sorted(state) == ["A", "B", "D"]
    assert (state["A"].schedule.minute, state["A"].schedule.hour) == ("0", "4")
    assert state["B"].enabled is False
    assert state["D"].enabled is True
    diff = cli("diff", "--env", "staging", "--exit-code", "--schedules", folder)
    assert (diff.exit_code, diff.stdout.splitlines()[-1]) == (
        0,
        "In sync: 0 to add, 0 to change, 0 to remove, 3 unchanged",
    )


@pytest.mark.django_db
def test_no_environment_on_a_fresh_database_applies_the_base(tmp_path):
    result = cli("apply", "--schedules", schedules(tmp_path))
    assert result.exit_code == 0, result.output
    state = {task.name: task for task in read_current_state().tasks}
    assert sorted(state) == ["A", "B", "C"]
    assert (state["A"].schedule.hour, state["B"].enabled) == ("3", True)


@pytest.mark.django_db
def test_overlay_defaults_off_and_one_entry_on_leaves_exactly_one_task_enabled(tmp_path):
    overlay = "defaults: {enabled: false}\nperiodic_tasks:\n  - name: B\n    enabled: true\n"
    folder = schedules(tmp_path, development=overlay)
    result = cli("apply", "--schedules", folder, env={"BEAT_SYNC_ENV": "development"})
    assert result.exit_code == 0, result.output
    assert [task.name for task in read_current_state().tasks if task.enabled] == ["B"]


def test_an_unknown_environment_lists_the_available_ones(tmp_path):
    folder = schedules(tmp_path, production="defaults: {queue: prod}\n")
    for command in ("validate", "diff", "apply"):
        result = cli(command, "--env", "stagin", "--schedules", folder, "--no-check-tasks")
        assert (result.exit_code, result.stderr) == (
            1,
            "beat-sync: error: unknown environment 'stagin' (available: production, staging)\n",
        ), command


def test_validate_without_env_reports_an_error_only_one_environment_has(tmp_path):
    folder = schedules(tmp_path, STAGING.replace('"0 4 * * *"', '"0 24 * * *"'))
    result = cli("validate", "--schedules", folder, "--no-check-tasks")
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    overlay = f"{folder}/env/staging/tasks.yaml"
    assert first.startswith(f"[staging] {overlay}:3:11: "), first
    assert "hour" in first
    only_base = cli("validate", "--schedules", folder, "--no-check-tasks", "--env", "staging")
    assert only_base.stderr.splitlines()[0].startswith(f"{overlay}:3:11: ")


def test_validate_with_an_environment_says_which(tmp_path):
    folder = schedules(tmp_path)
    result = cli("validate", "--env", "staging", "--schedules", folder, "--no-check-tasks")
    assert (result.exit_code, result.stdout) == (
        0,
        f"{folder} (environment staging): 2 files, 3 tasks (cron: 1, interval: 2) - valid\n",
    )


def test_an_env_folder_is_never_read_as_base(tmp_path):
    folder = schedules(tmp_path, "periodic_tasks: [not a task]\n")
    result = cli("validate", "--schedules", folder, "--no-check-tasks", "--env", "staging")
    assert result.exit_code == 1
    base = cli("validate", f"{folder}", "--no-check-tasks")
    assert (base.exit_code, base.stdout) == (
        0,
        f"{folder}: 1 file, 3 tasks (cron: 1, interval: 2) - valid\n",
    )


def test_an_overlay_folder_without_yaml_is_an_error(tmp_path):
    folder = schedules(tmp_path)
    (Path(folder) / "env" / "empty").mkdir()
    result = cli("validate", "--env", "empty", "--schedules", folder, "--no-check-tasks")
    assert (result.exit_code, result.stderr) == (
        1,
        f"beat-sync: error: no manifest files (*.yaml, *.yml) in {folder}/env/empty\n",
    )


@pytest.mark.django_db
def test_the_guard_refuses_another_environment_unless_told(tmp_path):
    folder = schedules(tmp_path, production="defaults: {queue: prod}\n")
    assert cli("apply", "--env", "production", "--schedules", folder).exit_code == 0
    before = checksum_tables()
    for command in (
        ("apply", "--env", "staging"),
        ("apply", "--env", "staging", "--dry-run"),
        ("apply",),
    ):
        refused = cli(*command, "--schedules", folder)
        wanted = "'staging'" if "staging" in command else "the base (no --env)"
        assert (refused.exit_code, refused.stdout, refused.stderr) == (
            1,
            "",
            f"beat-sync: error: this database was last applied as 'production', not {wanted}: "
            "pass --allow-env-switch to apply it anyway (a database restored from another "
            "environment's backup)\n",
        ), command
        assert checksum_tables() == before
    diff = cli("diff", "--env", "staging", "--schedules", folder)
    assert diff.exit_code == 0
    assert diff.stderr == (
        "beat-sync: warning: environment: staging (last applied: production); apply refuses "
        "it without --allow-env-switch\n"
    )
    switched = cli("apply", "--env", "staging", "--allow-env-switch", "--schedules", folder)
    assert switched.exit_code == 0, switched.output
    assert sorted(task.name for task in read_current_state().tasks) == ["A", "B", "D"]
    assert applied_environment() == "staging"
    again = cli("apply", "--env", "staging", "--schedules", folder)
    assert (again.exit_code, again.stdout) == (0, "Already in sync: nothing to do.\n")
    assert cli("diff", "--env", "staging", "--schedules", folder).stderr == ""


@pytest.mark.django_db
def test_an_in_sync_apply_of_another_environment_is_refused_and_recorded_when_told(tmp_path):
    folder = schedules(tmp_path, same="defaults: {enabled: true}\n")
    assert cli("apply", "--schedules", folder).exit_code == 0
    assert applied_environment() == ""
    assert cli("apply", "--env", "same", "--schedules", folder).exit_code == 1
    told = cli("apply", "--env", "same", "--allow-env-switch", "--schedules", folder)
    assert (told.exit_code, told.stdout) == (
        0,
        "Already in sync: nothing to do (recorded environment same).\n",
    )
    assert applied_environment() == "same"


def test_next_shows_the_environments_runs(tmp_path):
    folder = schedules(tmp_path)
    args = ("next", "--count", "1", "--from", "2027-01-01T00:00:00+00:00", "--schedules", folder)
    base = cli(*args)
    staging = cli(*args, "--env", "staging")
    assert (base.exit_code, base.stdout) == (0, "Fri 01 Jan 2027 00:05 UTC  B\n")
    assert (staging.exit_code, staging.stdout) == (0, "Fri 01 Jan 2027 02:00 UTC  D\n")


@pytest.mark.django_db
def test_without_the_app_there_is_no_record_and_no_guard(tmp_path, settings):
    folder = schedules(tmp_path)
    settings.INSTALLED_APPS = [app for app in settings.INSTALLED_APPS if app != "beat_sync"]
    assert cli("apply", "--env", "staging", "--schedules", folder).exit_code == 0
    assert applied_environment() is None
    base = cli("apply", "--schedules", folder)
    assert base.exit_code == 0, base.output
    assert sorted(task.name for task in read_current_state().tasks) == ["A", "B", "C"]


@pytest.mark.django_db
def test_an_overlay_renaming_one_row_into_several_tasks_is_refused_before_the_database(tmp_path):
    z_task = f"periodic_tasks:\n  - name: Z\n    task: {PENDING}\n    interval: 5m\n"
    folder = schedules(tmp_path, z=z_task, bad="defaults: {previous_names: [Z]}\n")
    assert cli("apply", "--env", "z", "--schedules", folder).exit_code == 0
    before = checksum_tables()
    for command in (("validate",), ("diff",), ("apply", "--allow-env-switch")):
        result = cli(*command, "--env", "bad", "--schedules", folder)
        assert (result.exit_code, result.stdout) == (1, ""), command
        assert result.stderr.startswith(
            f"{folder}/env/bad/tasks.yaml:1:28: previous name 'Z' is listed by 'A', 'B', 'C': "
            "one row cannot be renamed into several tasks\n"
        ), (command, result.stderr)
        assert checksum_tables() == before


@pytest.mark.django_db
def test_an_environment_name_longer_than_its_record_is_refused_before_the_database(tmp_path):
    from beat_sync.manifest.files import MAX_ENVIRONMENT_NAME
    from beat_sync.models import ApplyRecord

    assert ApplyRecord._meta.get_field("environment").max_length == MAX_ENVIRONMENT_NAME
    fits, too_long = "e" * MAX_ENVIRONMENT_NAME, "e" * (MAX_ENVIRONMENT_NAME + 1)
    folder = schedules(tmp_path, **{fits: "defaults: {queue: q}\n", too_long: STAGING})
    assert cli("apply", "--env", fits, "--schedules", folder).exit_code == 0
    assert applied_environment() == fits
    before = checksum_tables()
    for command in (("apply", "--allow-env-switch"), ("diff",), ("validate",)):
        result = cli(*command, "--env", too_long, "--schedules", folder)
        assert (result.exit_code, result.stdout) == (1, ""), command
        assert result.stderr == (
            f"beat-sync: error: environment name '{too_long}' is 101 characters: at most 100, "
            f"the length beat-sync records for the environment guard (rename "
            f"{folder}/env/{too_long})\n"
        ), command
        assert checksum_tables() == before


@pytest.mark.django_db
def test_a_recorded_environment_is_shown_escaped(tmp_path):
    # The record is a table row: written by SQL with a newline, it forged a line of the log.
    from beat_sync.models import ApplyRecord

    folder = schedules(tmp_path)
    assert cli("apply", "--schedules", folder).exit_code == 0
    forged = "prod\x1b[31m\nIn sync: 0 to add"
    ApplyRecord.objects.filter(pk=ApplyRecord.objects.latest("id").pk).update(environment=forged)
    before = checksum_tables()
    shown = "prod\\x1b[31m\\nIn sync: 0 to add"
    diff = cli("diff", "--schedules", folder)
    assert (diff.exit_code, diff.stderr) == (
        0,
        f"beat-sync: warning: environment: base (last applied: {shown}); apply refuses it "
        "without --allow-env-switch\n",
    )
    apply = cli("apply", "--schedules", folder)
    assert (apply.exit_code, apply.stdout) == (1, "")
    assert apply.stderr.startswith(
        f"beat-sync: error: this database was last applied as '{shown}', not the base"
    )
    assert len(apply.stderr.splitlines()) == 1
    assert checksum_tables() == before


def test_an_unknown_environment_lists_a_strange_folder_name_escaped(tmp_path):
    folder = schedules(tmp_path, **{"dev\x1b[2J": "defaults: {queue: q}\n"})
    result = cli("validate", "--env", "nope", "--schedules", folder, "--no-check-tasks")
    assert (result.exit_code, result.stderr) == (
        1,
        "beat-sync: error: unknown environment 'nope' (available: 'dev\\x1b[2J', staging)\n",
    )


def test_a_strange_environment_name_is_shown_escaped_in_summaries(tmp_path):
    strange = "dev\x1b[2J"
    folder = schedules(tmp_path, **{strange: "defaults: {queue: q}\n"})
    args = ("--env", strange, "--schedules", folder, "--no-check-tasks")
    result = cli("validate", *args)
    assert (result.exit_code, result.stdout) == (
        0,
        f"{folder} (environment dev\\x1b[2J): 2 files, 3 tasks (cron: 1, interval: 2) - valid\n",
    )
    invalid = schedules(tmp_path / "invalid", **{strange: "defaults: {queue: 1}\n"})
    diff = cli("diff", "--env", strange, "--schedules", invalid)
    assert diff.exit_code == 1
    assert diff.stderr.splitlines()[-1].startswith(f"{invalid} (environment dev\\x1b[2J): ")


def test_validate_checks_every_environment_whatever_beat_sync_env_says(tmp_path):
    # BEAT_SYNC_ENV (or [tool.beat-sync] env) names the environment apply uses; a pre-commit
    # hook or a CI job with it set still validates every one, as the system check does.
    folder = schedules(tmp_path, broken="periodic_tasks:\n  - name: B\n    interval: 5x\n")
    result = cli(
        "validate", "--schedules", folder, "--no-check-tasks", env={"BEAT_SYNC_ENV": "staging"}
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(f"[broken] {folder}/env/broken/tasks.yaml:3:15: interval '5x'")
    alone = cli("validate", "--schedules", folder, "--no-check-tasks", "--env", "staging")
    assert (alone.exit_code, alone.stdout) == (
        0,
        f"{folder} (environment staging): 2 files, 3 tasks (cron: 1, interval: 2) - valid\n",
    )


@pytest.mark.parametrize("command", ["validate", "diff", "apply", "next", "status"])
def test_an_overlay_given_as_the_schedules_is_one_line_naming_the_base_and_env(tmp_path, command):
    folder = schedules(tmp_path)
    overlay = Path(folder) / "env" / "staging"
    expected = (
        f"beat-sync: error: {overlay}{{}} is the overlay of environment 'staging': it changes "
        f"the tasks of {folder}, so give --schedules {folder} --env staging\n"
    )
    for given, shown in [(overlay, ""), (overlay / "tasks.yaml", "/tasks.yaml")]:
        result = cli(command, "--schedules", str(given))
        assert (result.exit_code, result.stdout, result.stderr) == (1, "", expected.format(shown))


def test_a_base_manifest_in_a_folder_named_env_is_not_an_overlay(tmp_path):
    # deploy/env/prod/ holding a manifest of its own, with no manifest beside deploy/env/
    folder = write_manifest(tmp_path / "deploy" / "env" / "prod", BASE)
    result = cli("validate", "--schedules", str(folder), "--no-check-tasks")
    assert (result.exit_code, result.stdout) == (
        0,
        f"{folder}: 1 file, 3 tasks (cron: 1, interval: 2) - valid\n",
    )
