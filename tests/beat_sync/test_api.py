"""The stage API from Python: values in, values out, nothing printed, no exit."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from beat_sync import api
from beat_sync.config import load_config
from beat_sync.errors import UserError
from beat_sync.tables import read_current_state
from tests.support.manifests import write_manifest
from tests.support.samples import PURGE, REQUEUE

MANIFEST = f"""\
periodic_tasks:
  - name: Re-queue stuck emails
    task: {REQUEUE}
    cron: {{minute: "*/15"}}
  - name: Purge sent emails
    task: {PURGE}
    cron: "30 3 * * *"
    kwargs: {{days: 30}}
"""


@pytest.fixture
def schedules(tmp_path: Path) -> Path:
    return write_manifest(tmp_path / "schedules", MANIFEST)


@pytest.fixture
def config(schedules: Path):
    return load_config(schedules=str(schedules))


@pytest.fixture(autouse=True)
def nothing_printed(capsys):
    yield
    assert capsys.readouterr() == ("", ""), "the stage API must never print"


@pytest.mark.django_db
def test_desired_plan_apply_export_round_trip(config):
    project = api.load_project(config)
    desired = api.desired_state(config=config, project=project)
    assert desired.ok and desired.problems == ()
    assert [t.name for t in desired.tasks] == ["Purge sent emails", "Re-queue stuck emails"]
    assert desired.tasks[0].schedule.timezone == project.default_timezone == "UTC"

    plan = api.plan_against_tables(desired=desired.tasks, project=project)
    assert (plan.summary.add, plan.in_sync) == (2, False)

    applied = api.apply(desired=desired.tasks, project=project)
    assert applied.applied and applied.plan.summary.add == 2
    assert [t.name for t in read_current_state().tasks] == [t.name for t in desired.tasks]
    assert api.plan_against_tables(desired=desired.tasks, project=project).in_sync
    assert not api.apply(desired=desired.tasks, project=project).applied

    exported = api.export(project=project)
    assert exported.ok and exported.exported == 2 and exported.left_out == ()
    assert "  - name: Purge sent emails\n" in exported.text
    assert "    cron: 30 3 * * *\n" in exported.text


@pytest.mark.django_db
def test_a_manifest_error_is_a_located_value_not_an_exit(config, schedules: Path):
    (schedules / "tasks.yaml").write_text(MANIFEST.replace(PURGE, PURGE + "x"))
    project = api.load_project(config)
    desired = api.desired_state(config=config, project=project)
    assert not desired.ok and desired.tasks == ()
    [problem] = desired.problems
    assert (problem.path, problem.line, problem.column) == (str(schedules / "tasks.yaml"), 6, 11)
    assert problem.message.startswith(f"task '{PURGE}x' is not registered with the Celery app")
    assert desired.validation.summary() == "1 file, 2 tasks (cron: 2), 1 error"

    unchecked = api.desired_state(config=config, project=project, check_tasks=False)
    assert unchecked.ok and len(unchecked.tasks) == 2


def test_validate_keeps_the_manifest_problems_when_the_project_cannot_load(schedules: Path):
    (schedules / "tasks.yaml").write_text(MANIFEST.replace("30 3 *", "30 27 *"))

    def unavailable():
        raise UserError("no Django settings")

    checked = api.validate(paths=[schedules], project=unavailable)
    assert checked.project_unavailable == "no Django settings"
    assert not checked.ok
    assert [p.message for p in checked.problems] == [
        "invalid cron hour '27': invalid end range: 27 > 23"
    ]


def test_validate_of_a_missing_folder_raises_one_line(tmp_path: Path):
    with pytest.raises(UserError, match="no such file or folder"):
        api.validate(paths=[tmp_path / "nowhere"])


@pytest.mark.django_db
def test_apply_refuses_an_empty_manifest_unless_allowed(config):
    project = api.load_project(config)
    desired = api.desired_state(config=config, project=project)
    api.apply(desired=desired.tasks, project=project)
    with pytest.raises(UserError, match="would remove all 2; pass --allow-empty"):
        api.apply(desired=(), project=project)
    assert len(read_current_state().tasks) == 2
    assert api.apply(desired=(), project=project, allow_empty=True).plan.summary.remove == 2
    assert read_current_state().tasks == ()


def test_desired_state_at_a_git_ref_and_the_plan_between_files(tmp_path: Path, schedules: Path):
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base")
    (schedules / "tasks.yaml").write_text(MANIFEST.replace("30 3", "45 3"))
    config = load_config(schedules=str(schedules))
    project = api.files_only_project()
    desired = api.desired_state(config=config, project=project, check_tasks=False)
    at_head = api.desired_state_at_ref(config=config, ref="HEAD")
    assert at_head.ok and [t.name for t in at_head.tasks] == [t.name for t in desired.tasks]
    plan = api.plan_between(desired=desired.tasks, current=at_head.tasks)
    [change] = plan.changes
    assert (change.action, change.name, [f.field for f in change.fields]) == (
        "change",
        "Purge sent emails",
        ["schedule"],
    )
    assert change.new.schedule.timezone == api.PROJECT_DEFAULT_ZONE
