"""`beat-sync export`: a project with tasks made in the admin adopts beat-sync without a change."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from beat_sync.cli import main
from beat_sync.tables import apply_plan, read_current_state
from tests.support.samples import PENDING, PURGE, REQUEUE
from tests.support.tables import install_beat_default_entries


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def admin_made_tasks():
    """Rows as people make them in the Django admin: every schedule kind, odd spacing and case."""
    from django_celery_beat import models as m

    sofia = m.CrontabSchedule.objects.create(
        minute="0, 30", hour="9-17", day_of_week="MON-FRI", timezone="Europe/Sofia"
    )
    utc = m.CrontabSchedule.objects.create(minute="*/15", timezone="UTC")
    every = m.IntervalSchedule.objects.create(every=30, period="minutes")
    sunset = m.SolarSchedule.objects.create(
        event="sunset", latitude="42.697708", longitude="23.321868"
    )
    once = m.ClockedSchedule.objects.create(clocked_time=datetime(2030, 12, 24, 7, tzinfo=UTC))
    m.PeriodicTask.objects.create(
        name="Purge sent emails", task=PURGE, crontab=sofia, kwargs='{"days":30}', queue=""
    )
    m.PeriodicTask.objects.create(
        name="Re-queue stuck emails",
        task=REQUEUE,
        crontab=utc,
        args="[15]",
        headers='{"x": 1}',
        priority=3,
        expire_seconds=60,
        description="Line one\nline two: 'quoted'",
    )
    m.PeriodicTask.objects.create(
        name="Send pending emails", task=PENDING, interval=every, enabled=False
    )
    m.PeriodicTask.objects.create(name="At sunset", task=PURGE, solar=sunset)
    m.PeriodicTask.objects.create(name="Year end", task=PENDING, clocked=once, one_off=True)


@pytest.mark.django_db(transaction=True)  # DatabaseScheduler closes connections (see test_tables)
def test_export_then_diff_shows_nothing_then_apply_recreates_the_same_tasks(tmp_path):
    from beat_sync.project import celery_app

    admin_made_tasks()
    install_beat_default_entries(celery_app())  # beat's celery.backend_cleanup
    before = read_current_state()

    folder = tmp_path / "schedules"
    folder.mkdir()
    result = cli("export", "-o", str(folder / "exported.yaml"))
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "beat-sync: left out 'celery.backend_cleanup' (written by beat itself)\n"
        f"Exported 5 periodic tasks to {folder / 'exported.yaml'}.\n"
    )
    assert cli("export").stdout == (folder / "exported.yaml").read_text()

    diff = cli("diff", "--exit-code", "--schedules", str(folder))
    assert (diff.exit_code, diff.stdout) == (
        0,
        "In sync: 0 to add, 0 to change, 0 to remove, 5 unchanged\n",
    )
    # The tables are in sync; the first apply records which rows beat-sync now manages.
    first = cli("apply", "--schedules", str(folder)).stdout
    assert first == "Already in sync: nothing to do (recorded which tasks beat-sync manages).\n"
    assert cli("apply", "--schedules", str(folder)).stdout == "Already in sync: nothing to do.\n"

    apply_plan([], beat_owned=())  # an empty database: everything the manifest says is created
    assert cli("apply", "--schedules", str(folder)).exit_code == 0
    after = read_current_state()
    managed = [t for t in before.tasks if t.name != "celery.backend_cleanup"]
    assert [t for t in after.tasks if t.name != "celery.backend_cleanup"] == managed


@pytest.mark.django_db
def test_a_row_the_manifest_cannot_hold_is_reported_where_it_lands(tmp_path):
    from django_celery_beat import models as m

    every = m.IntervalSchedule.objects.create(every=1, period="days")
    m.PeriodicTask.objects.create(name="Bad args", task=PURGE, interval=every, args='{"a": 1}')
    result = cli("export", "-o", str(tmp_path / "out.yaml"))
    assert result.exit_code == 1
    assert f"{tmp_path / 'out.yaml'}:" in result.stderr
    assert result.stderr.splitlines()[-1] == (
        "beat-sync: error: the exported manifest does not validate: fix those rows, then export "
        "again"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("task", "kwargs", "message"),
    [
        (PURGE, '{"weeks": 1}', "args/kwargs do not fit task '" + PURGE + "'"),
        (PENDING, '{"days": 1}', "args/kwargs do not fit task '" + PENDING + "'"),
        ("no.such.task", "{}", "task 'no.such.task' is not registered with the Celery app"),
    ],
    ids=["kwargs the task cannot take", "a task without parameters", "unregistered task"],
)
def test_export_checks_rows_as_diff_does_and_never_promises_a_clean_diff(
    tmp_path, task, kwargs, message
):
    from django_celery_beat import models as m

    every = m.IntervalSchedule.objects.create(every=1, period="days")
    m.PeriodicTask.objects.create(name="Weekly", task=task, interval=every, kwargs=kwargs)
    out = tmp_path / "schedules" / "out.yaml"
    result = cli("export", "-o", str(out))
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stderr.startswith(f"{out}:")
    assert result.stderr.splitlines()[-1] == (
        "beat-sync: error: the exported manifest does not validate: fix those rows, then export "
        "again"
    )
    text = out.read_text()
    assert "`beat-sync diff` shows nothing to change" not in text
    assert text.splitlines()[1] == (
        "# Some rows do not validate (export printed where): fix them before committing this file."
    )
    # diff says the same of the same text.
    diff = cli("diff", "--schedules", str(out.parent))
    assert diff.exit_code == 1
    assert message in diff.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("existing", ["file", "dangling symlink"])
def test_export_refuses_to_overwrite_a_file_without_force(tmp_path, existing):
    from django_celery_beat import models as m

    every = m.IntervalSchedule.objects.create(every=1, period="days")
    m.PeriodicTask.objects.create(name="Daily", task=PENDING, interval=every)
    out = tmp_path / "tasks.yaml"
    if existing == "file":
        out.write_text("# hand-written\n")
    else:
        out.symlink_to(tmp_path / "nowhere.yaml")

    refused = cli("export", "-o", str(out))
    assert (refused.exit_code, refused.stderr) == (
        1,
        f"beat-sync: error: {out} exists: pass --force to overwrite it\n",
    )
    assert out.is_symlink() or out.read_text() == "# hand-written\n"

    forced = cli("export", "-o", str(out), "--force")
    assert forced.exit_code == 0, forced.output
    assert "  - name: Daily\n" in out.read_text()


@pytest.mark.django_db
def test_export_to_dash_is_stdout_even_beside_a_file_named_dash(tmp_path, monkeypatch):
    from django_celery_beat import models as m

    every = m.IntervalSchedule.objects.create(every=1, period="days")
    m.PeriodicTask.objects.create(name="Daily", task=PENDING, interval=every)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-").write_text("# not a manifest\n")
    result = cli("export", "-o", "-")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == cli("export").stdout
    assert "  - name: Daily\n" in result.stdout
    assert (tmp_path / "-").read_text() == "# not a manifest\n"


@pytest.mark.django_db
def test_export_refuses_env_given_and_ignores_the_ambient_one(tmp_path, monkeypatch):
    from django_celery_beat import models as m

    every = m.IntervalSchedule.objects.create(every=1, period="days")
    m.PeriodicTask.objects.create(name="Daily", task=PENDING, interval=every)
    out = tmp_path / "tasks.yaml"

    refused = cli("export", "--env", "staging", "-o", str(out))
    assert (refused.exit_code, refused.stderr) == (
        1,
        "beat-sync: error: --env does not apply to export: it writes the tables as they are, "
        "whatever the environment (`beat-sync diff --env NAME` compares them with one)\n",
    )
    assert not out.exists()

    monkeypatch.setenv("BEAT_SYNC_ENV", "production")  # a deploy's: export still works
    exported = cli("export", "-o", str(out))
    assert exported.exit_code == 0, exported.output
    assert "  - name: Daily\n" in out.read_text()


@pytest.mark.django_db
@pytest.mark.parametrize("force", [[], ["--force"]])
def test_export_to_a_folder_is_one_line_exit_1_with_or_without_force(tmp_path, force):
    from django_celery_beat import models as m

    every = m.IntervalSchedule.objects.create(every=1, period="days")
    m.PeriodicTask.objects.create(name="Daily", task=PENDING, interval=every)
    result = cli("export", "-o", str(tmp_path), *force)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"beat-sync: error: cannot write {tmp_path}: Is a directory\n"
