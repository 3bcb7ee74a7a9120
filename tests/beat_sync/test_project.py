"""What the manifest asks of the project: registered task names, and ephem for solar schedules."""

import sys

from beat_sync.errors import LocatedError
from beat_sync.manifest import load_manifest_sources
from beat_sync.project import project_errors

MANIFEST = b"""\
periodic_tasks:
  - name: At sunset
    task: app.tasks.lights_on
    solar: {event: sunset, latitude: 42.69, longitude: 23.32}
  - name: Hourly
    task: app.tasks.hourly_report
    cron: "0 * * * *"
"""


def specs():
    result = load_manifest_sources([("s.yaml", MANIFEST)])
    assert result.ok, result.errors
    return result.specs


def test_a_project_that_runs_everything_has_no_errors():
    assert project_errors(specs(), ["app.tasks.lights_on", "app.tasks.hourly_report"]) == []


def test_an_unregistered_task_is_located_with_a_suggestion():
    assert project_errors(specs(), ["app.tasks.lights_on", "app.tasks.hourly_reports"]) == [
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

    errors = project_errors(specs(), ["app.tasks.lights_on", "app.tasks.hourly_report"])

    assert [(e.line, e.column) for e in errors] == [(4, 12)]
    assert errors[0].message.startswith("solar schedules need the ephem library")
