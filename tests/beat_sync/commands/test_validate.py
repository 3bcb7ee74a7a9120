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


EVERY_MINUTE = f"""\
periodic_tasks:
  - name: Purge
    task: {PURGE}
    cron: {{minute: "*", hour: "3"}}
    kwargs: {{days: 30}}
"""
BS101 = (
    'BS101 minute "*" with hour "3" runs every minute of that hour: 60 runs a day; for one run '
    'at the start of the hour write minute: "0"'
)


def lint_project(tmp_path: Path, manifest: str = EVERY_MINUTE, table: str = "") -> Path:
    """A folder with a pyproject.toml ([tool.beat-sync] + `table`) and schedules/tasks.yaml."""
    (tmp_path / "pyproject.toml").write_text(f'[tool.beat-sync]\nschedules = "schedules"\n{table}')
    (tmp_path / "schedules").mkdir()
    (tmp_path / "schedules" / "tasks.yaml").write_text(manifest)
    return tmp_path


def test_a_lint_is_a_located_warning_that_keeps_exit_0(tmp_path, monkeypatch):
    monkeypatch.chdir(lint_project(tmp_path))
    result = validate("--no-check-tasks")
    assert (result.exit_code, result.stderr) == (0, f"schedules/tasks.yaml:4:11: {BS101}\n")
    assert result.stdout == "schedules: 1 file, 1 task (cron: 1), 1 warning - valid\n"


def test_strict_makes_a_warning_fail(tmp_path, monkeypatch):
    monkeypatch.chdir(lint_project(tmp_path))
    result = validate("--no-check-tasks", "--strict")
    assert result.exit_code == 1
    assert result.stderr == (
        f"schedules/tasks.yaml:4:11: {BS101}\n"
        "schedules: 1 file, 1 task (cron: 1), 1 warning - invalid (--strict: warnings are errors)\n"
    )
    assert result.stdout == ""


def test_strict_passes_a_lint_clean_manifest(in_repo):
    result = validate("--strict")
    assert (result.exit_code, result.stderr) == (0, "")


@pytest.mark.parametrize(
    ("table", "manifest"),
    [
        ('ignore = ["BS101"]\n', EVERY_MINUTE),
        ("", EVERY_MINUTE.replace("kwargs:", "ignore: [BS101]\n    kwargs:")),
    ],
    ids=["pyproject", "task"],
)
def test_ignore_silences_a_code(tmp_path, monkeypatch, table: str, manifest: str):
    monkeypatch.chdir(lint_project(tmp_path, manifest, table))
    result = validate("--no-check-tasks", "--strict")
    assert (result.exit_code, result.stderr) == (0, "")


def test_an_unknown_code_in_pyproject_is_located_there(tmp_path, monkeypatch):
    monkeypatch.chdir(lint_project(tmp_path, table='ignore = ["BS101", "BS110"]\n'))
    result = validate("--no-check-tasks")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "pyproject.toml:3:20: [tool.beat-sync] ignore: unknown lint code 'BS110' (did you mean "
        "'BS107'?); the codes are BS101, BS102, BS103, BS104, BS105, BS106, BS107"
    )


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            'ignore = "BS101"\n',
            'ignore must be an array of lint codes (strings), e.g. ["BS101"], not a string',
        ),
        ("ignore = [101]\n", 'ignore must be an array of lint codes (strings), e.g. ["BS101"]'),
        ("herd_limit = 0\n", "herd_limit must be a whole number of at least 1, not an integer (0)"),
        ('herd_limit = "10"\n', "herd_limit must be a whole number of at least 1, not a string"),
        ("herd_limit = true\n", "herd_limit must be a whole number of at least 1, not a boolean"),
    ],
)
def test_lint_settings_of_the_wrong_type_are_one_line(tmp_path, monkeypatch, table, message):
    monkeypatch.chdir(lint_project(tmp_path, table=table))
    result = validate("--no-check-tasks")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"beat-sync: error: {tmp_path / 'pyproject.toml'}:3: [tool.beat-sync] {message}"
    )
    assert len(result.stderr.splitlines()) == 1


def test_herd_limit_from_pyproject(tmp_path, monkeypatch):
    herd = "".join(
        f'  - {{name: t{i}, task: {PURGE}, cron: "0 3 * * *", kwargs: {{days: 1}}}}\n'
        for i in range(4)
    )
    monkeypatch.chdir(lint_project(tmp_path, "periodic_tasks:\n" + herd, "herd_limit = 3\n"))
    result = validate("--no-check-tasks")
    assert result.exit_code == 0
    assert (
        "schedules/tasks.yaml:2:78: BS104 4 enabled tasks start at the same minute" in result.stderr
    )
