"""What the manifest asks of the project: registered tasks, their signatures, ephem for solar."""

import os
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


def test_reading_the_celery_app_runs_no_system_check(monkeypatch):
    # Celery's Django fixup runs every system check (and discards them) when the task modules
    # are imported; beat-sync's commands read the app and skip that, leaving the variable as
    # it found it.
    from django.core import checks

    from beat_sync.project import SKIP_CHECKS, celery_app

    ran = []

    def spy(app_configs=None, **kwargs):
        ran.append(True)
        return []

    checks.register(spy, "beat_sync_test_spy")
    try:
        for before in (None, "0"):
            if before is None:
                monkeypatch.delenv(SKIP_CHECKS, raising=False)
            else:
                monkeypatch.setenv(SKIP_CHECKS, before)
            assert "styleguide_example.emails.tasks.email_send" in celery_app().tasks
            assert ran == []
            assert os.environ.get(SKIP_CHECKS) == before
        checks.run_checks()
        assert ran == [True]  # the spy is live: the checks did not run above
    finally:
        checks.registry.registry.registered_checks.discard(spy)


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


def test_a_name_beat_writes_itself_at_every_start_is_located():
    tasks = celery_tasks("app.tasks.lights_on", "app.tasks.hourly_report")
    assert [str(error) for error in project_errors(specs(), tasks, beat_owned={"Hourly"})] == [
        "s.yaml:5:11: task name 'Hourly' is also a key of the Celery app's beat_schedule "
        "(CELERY_BEAT_SCHEDULE): DatabaseScheduler overwrites its row at every beat start, "
        "undoing each deploy; keep it in one of them"
    ]
    raw = MANIFEST.replace(b"name: At sunset", b"name: celery.backend_cleanup")
    errors = project_errors(specs(raw), tasks, beat_owned={"celery.backend_cleanup"})
    assert [error.message for error in errors] == [
        "task name 'celery.backend_cleanup' is also the task beat installs itself while "
        "result_expires is set: DatabaseScheduler overwrites its row at every beat start, "
        "undoing each deploy; set CELERY_RESULT_EXPIRES = None to run it from the manifest"
    ]


def test_beat_writes_the_beat_schedule_and_backend_cleanup_while_results_expire():
    from datetime import timedelta

    from beat_sync.project import beat_written_names

    beat_app = Celery("beat_written", set_as_current=False)
    beat_app.conf.beat_schedule = {"nightly": {"task": "x", "schedule": 60.0}}
    assert beat_app.conf.result_expires == timedelta(days=1)  # Celery's default
    assert beat_written_names(beat_app) == {"nightly", "celery.backend_cleanup"}
    beat_app.conf.result_expires = None
    assert beat_written_names(beat_app) == {"nightly"}


def test_one_run_reports_a_tasks_schedule_error_and_its_unregistered_task(tmp_path):
    from beat_sync import api
    from beat_sync.project import Project

    raw = MANIFEST.replace(b'cron: "0 * * * *"', b'cron: "0 27 * * *"').replace(
        b"app.tasks.hourly_report\n", b"app.tasks.hourly_reprot\n"
    )
    (tmp_path / "s.yaml").write_bytes(raw)
    registered = celery_tasks("app.tasks.lights_on", "app.tasks.hourly_report")
    project = Project("UTC", frozenset(), registered)
    problems = api.validate(paths=[tmp_path / "s.yaml"], project=project).problems
    assert [(error.line, error.column, error.message) for error in problems] == [
        (
            6,
            11,
            "task 'app.tasks.hourly_reprot' is not registered with the Celery app "
            "(did you mean 'app.tasks.hourly_report'?)",
        ),
        (7, 11, "invalid cron hour '27': invalid end range: 27 > 23"),
    ]
