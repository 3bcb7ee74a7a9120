"""The Django system check of the manifest: in-process, and `manage.py check` as a user runs it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from beat_sync.checks import check_manifest, manifest_path
from beat_sync.tables import read_current_state
from tests.support.manifests import write_manifest
from tests.support.processes import run_manage, user_env

REPO = Path(__file__).resolve().parents[2]
MANAGE_PY = REPO / "example_project" / "manage.py"

BROKEN = """\
periodic_tasks:
  - name: one
    task: styleguide_example.emails.tasks.email_send_pendin
    interval: {every: 1, period: seconds}
  - name: two
    task: styleguide_example.emails.tasks.email_purge_sent
    cron: {minute: "61"}
"""
CRON_ERROR = "7:20: invalid cron minute '61': invalid end range: 61 > 59"
TASK_ERROR = (
    "3:11: task 'styleguide_example.emails.tasks.email_send_pendin' is not registered with the "
    "Celery app (did you mean 'styleguide_example.emails.tasks.email_send_pending'?)"
)


@pytest.fixture
def broken_manifest(tmp_path: Path) -> Path:
    return write_manifest(tmp_path / "schedules", BROKEN, "emails.yaml")


def test_the_example_projects_own_manifest_passes_and_is_found_from_base_dir(
    settings, tmp_path, monkeypatch
):
    assert not hasattr(settings, "BEAT_SYNC_SCHEDULES")
    monkeypatch.chdir(tmp_path)  # not found from the current folder
    assert manifest_path() == REPO / "schedules"
    assert check_manifest() == []


def test_each_problem_is_one_located_message_with_its_id(settings, broken_manifest):
    settings.BEAT_SYNC_SCHEDULES = str(broken_manifest)
    file = broken_manifest / "emails.yaml"

    assert check_manifest() == [
        checks.Error(f"{file}:{CRON_ERROR}", obj="beat_sync", id="beat_sync.E001"),
        checks.Error(f"{file}:{TASK_ERROR}", obj="beat_sync", id="beat_sync.E002"),
    ]


def test_a_manifest_warning_is_a_check_warning(settings, tmp_path):
    (tmp_path / "empty.yaml").write_text("")
    settings.BEAT_SYNC_SCHEDULES = str(tmp_path)

    assert check_manifest() == [
        checks.Warning(
            f"{tmp_path / 'empty.yaml'}:1:1: empty file: no periodic tasks",
            obj="beat_sync",
            id="beat_sync.W001",
        )
    ]


def test_no_manifest_yet_is_a_warning_that_says_where_it_looked(settings, tmp_path):
    settings.BEAT_SYNC_SCHEDULES = str(tmp_path / "missing")

    [message] = check_manifest()

    assert message.level == checks.WARNING
    assert message.id == "beat_sync.W002"
    assert message.msg == f"no manifest to check: {tmp_path / 'missing'}: no such file or folder"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('schedules = ["schedules"]', "schedules must be a folder or file (a string), not an"),
        ("pythonpath = 5", "pythonpath must be a folder or an array of folders (strings), not"),
        ("settings = 5", "settings must be a module name (a string), not an integer (5)"),
    ],
)
def test_a_pyproject_value_of_the_wrong_type_is_e003_not_a_crash(settings, tmp_path, line, message):
    (tmp_path / "pyproject.toml").write_text(f"[tool.beat-sync]\n{line}\n")
    settings.BASE_DIR = tmp_path / "project"
    [error] = check_manifest()
    assert (error.level, error.id) == (checks.ERROR, "beat_sync.E003")
    assert error.msg.startswith(f"{tmp_path / 'pyproject.toml'}:2: [tool.beat-sync] {message}")
    # What `manage.py check`, migrate and runserver run: a check error, not a TypeError.
    with pytest.raises(SystemCheckError, match="beat_sync.E003"):
        call_command("check", tags=["beat_sync"])


@pytest.mark.parametrize("value", [5, ["schedules"]])
def test_a_beat_sync_schedules_setting_of_the_wrong_type_is_e003(settings, value):
    settings.BEAT_SYNC_SCHEDULES = value
    [error] = check_manifest()
    assert error.id == "beat_sync.E003"
    assert error.msg.startswith("the BEAT_SYNC_SCHEDULES setting must be a folder or file")


def test_the_check_command_runs_it_and_fails_with_and_without_tag_beat_sync(
    settings, broken_manifest
):
    settings.BEAT_SYNC_SCHEDULES = str(broken_manifest)
    error = f"(beat_sync.E001) {broken_manifest / 'emails.yaml'}:{CRON_ERROR}"

    for tags in (None, ["beat_sync"]):
        with pytest.raises(SystemCheckError) as raised:
            call_command("check", tags=tags)
        assert error in str(raised.value), tags


def _manage_py(args: list[str], cwd: Path, pythonpath: Path | None = None):
    env = user_env(PYTHONPATH=str(pythonpath)) if pythonpath else user_env()
    return run_manage(*args, env=env, cwd=cwd)


@pytest.mark.slow
def test_manage_py_check_from_another_folder_on_a_broken_manifest_exits_1(
    tmp_path, broken_manifest
):
    (tmp_path / "broken_settings.py").write_text(
        textwrap.dedent(f"""\
            from config.settings import *  # noqa: F403
            BEAT_SYNC_SCHEDULES = {str(broken_manifest)!r}
        """)
    )

    completed = _manage_py(["check", "--settings", "broken_settings"], tmp_path, tmp_path)

    assert completed.returncode == 1, completed.stderr
    assert "Traceback" not in completed.stderr
    assert f"beat_sync: (beat_sync.E001) schedules/emails.yaml:{CRON_ERROR}\n" in completed.stderr
    assert f"beat_sync: (beat_sync.E002) schedules/emails.yaml:{TASK_ERROR}\n" in completed.stderr


@pytest.mark.slow
def test_manage_py_check_from_another_folder_finds_the_projects_manifest(tmp_path):
    completed = _manage_py(["check"], tmp_path)

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == "System check identified no issues (0 silenced).\n"


def test_a_lint_is_a_check_warning_numbered_as_its_code(settings, tmp_path):
    manifest = (
        "periodic_tasks:\n"
        "  - name: Purge sent emails\n"
        "    task: styleguide_example.emails.tasks.email_purge_sent\n"
        '    cron: {minute: "*", hour: "3"}\n'
    )
    folder = write_manifest(tmp_path / "schedules", manifest, "emails.yaml")
    settings.BEAT_SYNC_SCHEDULES = str(folder)

    (warning,) = check_manifest()
    assert warning.id == "beat_sync.W101"
    assert warning.level == checks.WARNING
    assert warning.msg.startswith(f'{folder / "emails.yaml"}:4:11: BS101 minute "*" with hour')


def test_a_problem_only_an_environment_has_is_reported_with_its_name(settings, tmp_path):
    folder = write_manifest(tmp_path / "schedules", BROKEN.split("  - name: two")[0], "a.yaml")
    (folder / "a.yaml").write_text(
        (folder / "a.yaml").read_text().replace("email_send_pendin", "email_send_pending")
    )
    overlay = write_manifest(folder / "env" / "staging", "periodic_tasks:\n  - name: onee\n")
    settings.BEAT_SYNC_SCHEDULES = str(folder)
    [message] = check_manifest()
    assert message.id == "beat_sync.E001"
    assert message.msg.startswith(f"[staging] {overlay / 'tasks.yaml'}:2:11: no base task named")


@pytest.mark.django_db
def test_setup_periodic_tasks_takes_env(tmp_path):
    folder = write_manifest(tmp_path / "schedules", BROKEN.split("  - name: two")[0])
    (folder / "tasks.yaml").write_text(
        (folder / "tasks.yaml").read_text().replace("email_send_pendin", "email_send_pending")
    )
    write_manifest(folder / "env" / "off", "defaults: {enabled: false}\n")
    call_command("setup_periodic_tasks", "--env", "off", "--schedules", str(folder))
    assert [task.enabled for task in read_current_state().tasks] == [False]
