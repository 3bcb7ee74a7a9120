"""`beat-sync validate`: what a user sees on stdout/stderr, and the exit status."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from beat_sync.cli import main
from tests.support.processes import run_beat_sync, user_env

ROOT = Path(__file__).resolve().parents[3]
EMAILS = ROOT / "schedules" / "emails.yaml"
PURGE = "styleguide_example.emails.tasks.email_purge_sent"
TYPO = "styleguide_example.emails.tasks.email_purge_snt"


@pytest.fixture
def in_repo(monkeypatch):
    monkeypatch.chdir(ROOT)


@pytest.fixture
def typo_manifest(tmp_path: Path) -> Path:
    path = tmp_path / "typo.yaml"
    path.write_text(f"periodic_tasks:\n  - name: Purge\n    task: {TYPO}\n    cron: '0 3 * * *'\n")
    return path


def validate(*args: str):
    return CliRunner().invoke(main, ["validate", *args])


def test_the_example_schedules_are_valid_with_the_task_check(in_repo):
    result = validate()
    assert result.exit_code == 0, result.output
    assert result.stdout == "schedules: 1 file, 3 tasks (cron: 2, interval: 1) - valid\n"
    assert result.stderr == ""


def test_a_task_name_typo_is_caught_with_a_suggestion(typo_manifest: Path):
    result = validate(str(typo_manifest))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{typo_manifest}:3:11: task '{TYPO}' is not registered with the Celery app "
        f"(did you mean '{PURGE}'?)",
        f"{typo_manifest}: 1 file, 1 task (cron: 1), 1 error - invalid",
    ]
    assert result.stdout == ""


def test_kwargs_the_task_does_not_take_are_caught(tmp_path: Path):
    path = tmp_path / "kwargs.yaml"
    path.write_text(
        f"periodic_tasks:\n  - name: Purge\n    task: {PURGE}\n    cron: '0 3 * * *'\n"
        "    kwargs: {dayz: 30}\n"
    )
    result = validate(str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{path}:5:13: args/kwargs do not fit task '{PURGE}': "
        "email_purge_sent() got an unexpected keyword argument 'dayz'"
    )


def test_no_check_tasks_skips_only_the_task_check(typo_manifest: Path):
    result = validate("--no-check-tasks", str(typo_manifest))
    assert (result.exit_code, result.stdout) == (
        0,
        f"{typo_manifest}: 1 file, 1 task (cron: 1) - valid\n",
    )
    typo_manifest.write_text(typo_manifest.read_text() + "    enbled: true\n")
    result = validate("--no-check-tasks", str(typo_manifest))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{typo_manifest}:5:5: unknown key 'enbled' (did you mean 'enabled'?)"
    )


def test_errors_of_several_paths_come_sorted(tmp_path: Path):
    (tmp_path / "b.yaml").write_text("periodic_tasks:\n  - {name: b, task: t}\n")
    (tmp_path / "a.yaml").write_text(
        "periodic_tasks:\n  - {name: a, task: t, cron: '61 * * * *'}\n"
    )
    result = validate("--no-check-tasks", str(tmp_path / "b.yaml"), str(tmp_path / "a.yaml"))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        f"{tmp_path}/a.yaml:2:30: invalid cron minute '61': invalid end range: 61 > 59",
        f"{tmp_path}/b.yaml:2:5: no schedule: give exactly one of cron, interval, solar or clocked",
    ]


def test_warnings_are_printed_but_do_not_fail(tmp_path: Path):
    (tmp_path / "empty.yaml").write_text("")
    (tmp_path / "ok.yaml").write_text(
        f"periodic_tasks:\n  - {{name: a, task: {PURGE}, cron: '0 3 * * *'}}\n"
    )
    result = validate("--no-check-tasks", str(tmp_path))
    assert result.exit_code == 0
    assert result.stderr == f"{tmp_path}/empty.yaml:1:1: warning: empty file: no periodic tasks\n"
    assert result.stdout == f"{tmp_path}: 2 files, 1 task (cron: 1), 1 warning - valid\n"


def test_a_missing_path_is_one_error_line(tmp_path: Path):
    result = validate(str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1
    assert result.stderr == f"beat-sync: error: {tmp_path / 'nope.yaml'}: no such file or folder\n"


def test_the_configured_schedules_folder_is_the_default(tmp_path: Path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.beat-sync]\nschedules = "periodic"\n')
    (tmp_path / "periodic").mkdir()
    (tmp_path / "periodic" / "x.yml").write_text("periodic_tasks: []\n")
    monkeypatch.chdir(tmp_path)
    result = validate("--no-check-tasks")
    assert (result.exit_code, result.stdout) == (0, "periodic: 1 file, 0 tasks - valid\n")
    result = validate("--no-check-tasks", "--schedules", "elsewhere")
    assert result.stderr == "beat-sync: error: elsewhere: no such file or folder\n"


def beat_sync_process(*args: str) -> subprocess.CompletedProcess:
    """The installed `beat-sync` script in a fresh process, without an inherited settings module."""
    return run_beat_sync(*args, env=user_env())


def test_when_the_project_cannot_load_the_error_suggests_no_check_tasks(typo_manifest: Path):
    done = beat_sync_process("validate", "--settings", "no_such_settings", str(typo_manifest))
    assert done.returncode == 1
    assert done.stderr == (
        "beat-sync: error: cannot check task names: cannot import the Django settings "
        "'no_such_settings': No module named 'no_such_settings' "
        "(check --settings and --pythonpath); pass --no-check-tasks to skip this check\n"
    )


def test_a_real_process_prints_located_errors_and_exits_1():
    corpus = ROOT / "tests" / "beat_sync" / "manifest" / "corpus" / "unknown_key_typo.yaml"
    done = beat_sync_process("validate", "--no-check-tasks", str(corpus))
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"{corpus}:6:5: unknown key 'enbled' (did you mean 'enabled'?)",
        f"{corpus}: 1 file, 0 tasks, 1 error - invalid",
    ]


def test_a_real_process_validates_the_example_with_the_task_check():
    done = beat_sync_process("validate")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "schedules: 1 file, 3 tasks (cron: 2, interval: 1) - valid\n"
