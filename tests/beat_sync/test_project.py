"""What the manifest asks of the project: registered tasks, their signatures, ephem for solar."""

import sys

import pytest
from celery import Celery

from beat_sync.errors import LocatedError
from beat_sync.manifest import load_manifest_sources
from beat_sync.project import project_errors
from tests.support.manifests import write_manifest
from tests.support.processes import run_beat_sync, user_env

MANIFEST = b"""\
periodic_tasks:
  - name: At sunset
    task: app.tasks.lights_on
    solar: {event: sunset, latitude: 42.69, longitude: 23.32}
  - name: Hourly
    task: app.tasks.hourly_report
    cron: "0 * * * *"
    kwargs: {days: 7}
"""


def specs(raw=MANIFEST):
    result = load_manifest_sources([("s.yaml", raw)])
    assert result.ok, result.errors
    return result.specs


# A real Celery app (not the project's), with the tasks the manifests above name.
app = Celery("test_project", set_as_current=False)


@app.task(name="app.tasks.lights_on")
def lights_on():
    pass


@app.task(name="app.tasks.hourly_report")
def hourly_report(days=1):
    pass


@app.task(name="app.tasks.hourly_reports", bind=True)
def hourly_reports(self, days):
    pass


def celery_tasks(*names):
    """The registry as the project would have it, holding only these tasks."""
    return {name: app.tasks[name] for name in names}


def test_a_project_that_runs_everything_has_no_errors():
    assert (
        project_errors(specs(), celery_tasks("app.tasks.lights_on", "app.tasks.hourly_report"))
        == []
    )


def test_an_unregistered_task_is_located_with_a_suggestion():
    tasks = celery_tasks("app.tasks.lights_on", "app.tasks.hourly_reports")
    assert project_errors(specs(), tasks) == [
        LocatedError(
            "s.yaml",
            6,
            11,
            "task 'app.tasks.hourly_report' is not registered with the Celery app "
            "(did you mean 'app.tasks.hourly_reports'?)",
        )
    ]


def test_a_solar_schedule_without_ephem_is_located(monkeypatch):
    # A None entry in sys.modules is how Python spells "this module cannot be imported".
    monkeypatch.setitem(sys.modules, "ephem", None)

    tasks = celery_tasks("app.tasks.lights_on", "app.tasks.hourly_report")
    errors = project_errors(specs(), tasks)

    assert [(e.line, e.column) for e in errors] == [(4, 12)]
    assert errors[0].message.startswith("solar schedules need the ephem library")


def test_kwargs_that_do_not_fit_the_task_signature_are_located():
    raw = MANIFEST.replace(b"{days: 7}", b"{dayz: 7}")
    tasks = celery_tasks("app.tasks.lights_on", "app.tasks.hourly_report")

    assert [str(error) for error in project_errors(specs(raw), tasks)] == [
        "s.yaml:8:13: args/kwargs do not fit task 'app.tasks.hourly_report': "
        "hourly_report() got an unexpected keyword argument 'dayz'"
    ]


def test_a_bound_task_is_checked_without_its_self_argument():
    raw = MANIFEST.replace(b"app.tasks.hourly_report\n", b"app.tasks.hourly_reports\n")
    tasks = celery_tasks("app.tasks.lights_on", "app.tasks.hourly_reports")
    assert project_errors(specs(raw), tasks) == []

    missing = raw.replace(b"    kwargs: {days: 7}\n", b"")
    assert [error.message for error in project_errors(specs(missing), tasks)] == [
        "args/kwargs do not fit task 'app.tasks.hourly_reports': "
        "hourly_reports() missing 1 required positional argument: 'days'"
    ]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            'import os\nSECRET_KEY = os.environ["BEAT_SYNC_NO_SUCH_VARIABLE"]\n',
            "KeyError: 'BEAT_SYNC_NO_SUCH_VARIABLE' (broken_settings.py:2)",
        ),
        ("DEBUG = (\n", "SyntaxError: '(' was never closed (broken_settings.py:1)"),
        (
            'raise RuntimeError("first line\\nsecond line")\n',
            "RuntimeError: first line (broken_settings.py:1)",
        ),
    ],
    ids=["KeyError", "SyntaxError", "RuntimeError"],
)
def test_settings_that_raise_are_one_line_and_exit_1(tmp_path, settings, message):
    (tmp_path / "broken_settings.py").write_text(settings)
    write_manifest(tmp_path / "schedules")
    result = run_beat_sync(
        "diff", "--settings", "broken_settings", "--pythonpath", ".", env=user_env(), cwd=tmp_path
    )
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"beat-sync: error: cannot set up Django with the settings 'broken_settings': {message}\n"
    )
