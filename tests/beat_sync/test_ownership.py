"""Ownership against a real database (SQLite and PostgreSQL), through the commands a user runs:
the record every apply writes, manage = owned (rows made elsewhere left byte-identical, adoption),
renames that keep history, on_remove = disable, and drift."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.db import connection
from django.test.utils import CaptureQueriesContext

from beat_sync.cli import main
from tests.support.manifests import MANIFEST, write_manifest
from tests.support.processes import REPO
from tests.support.samples import PENDING, PURGE, REQUEUE
from tests.support.tables import dump_tables

pytestmark = pytest.mark.django_db


def models():
    from django_celery_beat import models

    return models


def ownership():
    from beat_sync.models import ApplyRecord, ManagedTask

    return ManagedTask, ApplyRecord


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A folder with its own pyproject.toml (the example project's settings) as the current
    directory; `project(manage=..., on_remove=...)` rewrites its [tool.beat-sync] table."""

    def configure(**keys: str) -> Path:
        extra = "".join(f'{key} = "{value}"\n' for key, value in keys.items())
        (tmp_path / "pyproject.toml").write_text(
            "[tool.beat-sync]\n"
            'settings = "config.settings"\n'
            f'pythonpath = ["{REPO / "example_project"}"]\n'
            'schedules = "schedules"\n' + extra
        )
        return tmp_path

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
    configure()
    write_manifest(tmp_path / "schedules", MANIFEST, "emails.yaml")
    return configure


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def manifest(text: str) -> None:
    write_manifest(Path("schedules"), text, "emails.yaml")


def admin_rows():
    """Two tasks made in the admin: one shares its CrontabSchedule row with the manifest's
    'Purge sent emails' (same cron, same zone), one has an interval of its own."""
    m = models()
    shared = m.CrontabSchedule.objects.create(minute="30", hour="3", timezone="UTC")
    every = m.IntervalSchedule.objects.create(every=7, period="minutes")
    m.PeriodicTask.objects.create(
        name="Admin nightly", task=PURGE, crontab=shared, kwargs='{"days": 9}', queue=""
    )
    m.PeriodicTask.objects.create(
        name="Admin pending",
        task=PENDING,
        interval=every,
        total_run_count=4,
        last_run_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
    )


def rows_of(names: set[str]) -> dict[str, list[dict]]:
    """Every column of the named PeriodicTask rows and of the schedule rows they use."""
    dump = dump_tables()
    tasks = [row for row in dump["PeriodicTask"] if row["name"] in names]
    crontabs = {row["crontab_id"] for row in tasks}
    intervals = {row["interval_id"] for row in tasks}
    return {
        "tasks": tasks,
        "crontabs": [row for row in dump["CrontabSchedule"] if row["id"] in crontabs],
        "intervals": [row for row in dump["IntervalSchedule"] if row["id"] in intervals],
    }


def task(name: str):
    return models().PeriodicTask.objects.get(name=name)


def test_every_apply_records_the_rows_it_manages_and_the_apply(project):
    assert cli("apply").exit_code == 0
    managed, applies = ownership()
    assert sorted(managed.objects.values_list("name", "source", "retired")) == [
        ("Purge sent emails", "schedules/emails.yaml:2", False),
        ("Re-queue stuck emails", "schedules/emails.yaml:6", False),
    ]
    (record,) = applies.objects.all()
    assert (record.manage, record.on_remove, record.environment) == ("all", "delete", "")
    assert record.summary == "2 to add, 0 to change, 0 to remove, 0 unchanged"
    # In sync and recorded: a second apply writes nothing, not even a record.
    assert cli("apply").stdout == "Already in sync: nothing to do.\n"
    assert applies.objects.count() == 1


def test_owned_mode_leaves_rows_made_elsewhere_byte_identical(project):
    project(manage="owned")
    admin_rows()
    admin = {"Admin nightly", "Admin pending"}
    before = rows_of(admin)

    applied = cli("apply")
    assert applied.exit_code == 0, applied.output
    assert applied.stdout.endswith(
        "Applied: 2 added, 0 changed, 0 removed (0 unchanged, 2 not managed (left alone)).\n"
    )
    # The manifest's 30 3 * * * shares the admin task's CrontabSchedule row, untouched.
    assert task("Purge sent emails").crontab_id == task("Admin nightly").crontab_id
    assert rows_of(admin) == before

    manifest(MANIFEST.replace('"30 3 * * *"', '"45 3 * * *"').replace("*/15", "*/20"))
    again = cli("apply")
    assert again.exit_code == 0, again.output
    assert "2 changed" in again.stdout
    assert rows_of(admin) == before
    assert str(task("Purge sent emails").crontab.minute) == "45"
    diff = cli("diff", "--exit-code")
    assert (diff.exit_code, diff.stdout) == (
        0,
        "In sync: 0 to add, 0 to change, 0 to remove, 2 unchanged, 2 not managed (left alone)\n",
    )
    data = json.loads(cli("diff", "--format", "json").stdout)
    assert data["summary"]["unmanaged"] == 2 and data["changes"] == []

    # Removing a task from the manifest removes only that managed row.
    manifest(MANIFEST.split("  - name: Re-queue")[0])
    assert cli("apply").exit_code == 0
    assert set(models().PeriodicTask.objects.values_list("name", flat=True)) == {
        "Purge sent emails",
        *admin,
    }
    assert rows_of(admin) == before


def test_all_mode_still_owns_every_row(project):
    admin_rows()
    result = cli("diff")
    assert "- Admin nightly" in result.stdout and "- Admin pending" in result.stdout
    assert cli("diff", "--manage", "owned").stdout.endswith("2 not managed (left alone)\n")


def test_switching_from_all_to_owned_adopts_nothing_unexpected(project):
    assert cli("apply").exit_code == 0  # manage = "all" records what it applied
    admin_rows()
    owned = cli("diff", "--exit-code", "--manage", "owned")
    assert (owned.exit_code, owned.stdout) == (
        0,
        "In sync: 0 to add, 0 to change, 0 to remove, 2 unchanged, 2 not managed (left alone)\n",
    )


def test_owned_apply_takes_a_constant_number_of_statements(project):
    from beat_sync.tables import apply_plan
    from tests.support.samples import numbered

    admin_rows()
    apply_plan(numbered(1), manage="owned")  # the first apply also records the environment
    counts = {}
    for count in (10, 300):
        apply_plan([], manage="owned")
        with CaptureQueriesContext(connection) as queries:
            assert apply_plan(numbered(count), manage="owned").applied
        counts[count] = len(queries)
    assert counts[10] == counts[300]
    assert len(dump_tables()["PeriodicTask"]) == 302


def test_adoption_keeps_the_row_its_id_and_history(project):
    project(manage="owned")
    m = models()
    every = m.IntervalSchedule.objects.create(every=15, period="minutes")
    last_run = datetime(2026, 3, 1, 12, tzinfo=UTC)
    made = m.PeriodicTask.objects.create(
        name="Re-queue stuck emails",
        task=REQUEUE,
        interval=every,
        total_run_count=11,
        last_run_at=last_run,
    )

    diff = cli("diff", "--exit-code")
    assert diff.exit_code == 2
    assert "~ Re-queue stuck emails (adopt)\n    schedule: interval every 15 minutes -> cron" in (
        diff.stdout
    )
    assert diff.stdout.endswith(
        "1 to add, 0 to change, 0 to remove, 1 to adopt, 0 unchanged, 0 not managed (left alone)\n"
    )
    (adopt,) = [
        c
        for c in json.loads(cli("diff", "--format", "json").stdout)["changes"]
        if c["name"] == made.name
    ]
    assert adopt["action"] == "adopt" and set(adopt["fields"]) == {"schedule"}

    assert "1 adopted" in cli("apply").stdout
    row = task("Re-queue stuck emails")
    assert (row.id, row.total_run_count, row.last_run_at) == (made.id, 11, last_run)
    assert ownership()[0].objects.filter(name=made.name).exists()
    assert cli("diff", "--exit-code").exit_code == 0


@pytest.mark.parametrize("manage", ["all", "owned"])
def test_a_rename_keeps_the_id_and_run_history(project, manage: str):
    project(manage=manage)
    cli("apply")
    old = task("Purge sent emails")
    last_run = datetime(2026, 4, 5, 6, 7, tzinfo=UTC)
    models().PeriodicTask.objects.filter(pk=old.pk).update(total_run_count=21, last_run_at=last_run)
    manifest(
        MANIFEST.replace(
            "  - name: Purge sent emails\n",
            "  - name: Purge old emails\n    previous_names: [Purge sent emails]\n",
        ).replace("{days: 30}", "{days: 40}")
    )

    diff = cli("diff")
    assert "~ Purge sent emails -> Purge old emails\n" in diff.stdout
    assert '    kwargs: {"days": 30} -> {"days": 40}\n' in diff.stdout
    assert "0 to remove, 1 to rename, 1 unchanged" in diff.stdout
    (rename,) = json.loads(cli("diff", "--format", "json").stdout)["changes"]
    assert (rename["action"], rename["name"], rename["old_name"]) == (
        "rename",
        "Purge old emails",
        "Purge sent emails",
    )

    assert "1 renamed" in cli("apply").stdout
    new = task("Purge old emails")
    assert (new.id, new.total_run_count, new.last_run_at) == (old.id, 21, last_run)
    assert not models().PeriodicTask.objects.filter(name="Purge sent emails").exists()
    managed = set(ownership()[0].objects.values_list("name", flat=True))
    assert managed == {"Purge old emails", "Re-queue stuck emails"}
    assert cli("diff", "--exit-code").exit_code == 0


def test_a_rename_onto_a_name_a_row_not_managed_holds_is_refused(project):
    project(manage="owned")
    cli("apply")
    every = models().IntervalSchedule.objects.create(every=1, period="days")
    models().PeriodicTask.objects.create(name="Purge old emails", task=PURGE, interval=every)
    manifest(
        MANIFEST.replace(
            "  - name: Purge sent emails\n",
            "  - name: Purge old emails\n    previous_names: [Purge sent emails]\n",
        )
    )
    before = dump_tables(), list(ownership()[0].objects.values())
    for command in ("diff", "apply"):
        result = cli(command)
        assert result.exit_code == 1
        assert result.stderr == (
            "beat-sync: error: schedules/emails.yaml:2:11: cannot rename 'Purge sent emails' to "
            "'Purge old emails': a periodic task not managed by beat-sync is already named "
            "'Purge old emails' (rename or delete it, or adopt it by removing 'Purge sent "
            "emails' from previous_names)\n"
        )
    assert (dump_tables(), list(ownership()[0].objects.values())) == before


def test_on_remove_disable_keeps_the_row_disabled_with_its_history(project):
    project(on_remove="disable")
    cli("apply")
    gone = task("Re-queue stuck emails")
    models().PeriodicTask.objects.filter(pk=gone.pk).update(total_run_count=5)
    manifest(MANIFEST.split("  - name: Re-queue")[0])

    diff = cli("diff")
    assert diff.stdout == (
        "- Re-queue stuck emails (disable)\n"
        "    enabled: true -> false\n"
        "\n"
        "0 to add, 0 to change, 0 to remove, 1 to disable, 1 unchanged\n"
    )
    assert json.loads(cli("diff", "--format", "json").stdout)["changes"][0]["action"] == "disable"
    assert "1 disabled" in cli("apply").stdout
    row = task("Re-queue stuck emails")
    assert (row.id, row.enabled, row.total_run_count) == (gone.id, False, 5)
    assert ownership()[0].objects.get(name=row.name).retired
    # Not shown again; declared again, it is enabled with its history.
    assert cli("diff").stdout == "In sync: 0 to add, 0 to change, 0 to remove, 1 unchanged\n"
    manifest(MANIFEST)
    assert "enabled: false -> true" in cli("apply").stdout
    row = task("Re-queue stuck emails")
    assert (row.id, row.enabled, row.total_run_count) == (gone.id, True, 5)


@pytest.mark.parametrize("manage", ["all", "owned"])
def test_an_empty_manifest_disables_everything_only_with_allow_empty(project, manage):
    # With on_remove = "disable", a truncated file would stop every task as surely as the
    # default would delete them: the same guard as for removing (README, apply).
    project(manage=manage, on_remove="disable")
    assert cli("apply").exit_code == 0
    before = dump_tables()
    manifest("")  # a truncated file: a warning, not an error
    refused = cli("apply")
    assert (refused.exit_code, refused.stdout) == (1, "")
    assert refused.stderr.endswith(
        "beat-sync: error: the manifest declares no periodic tasks: applying it would disable "
        "all 2; pass --allow-empty if that is what you want\n"
    )
    assert dump_tables() == before
    allowed = cli("apply", "--allow-empty")
    assert allowed.exit_code == 0, allowed.output
    assert "Applied: 0 added, 0 changed, 0 removed, 2 disabled" in allowed.stdout


def test_an_edit_made_outside_the_manifest_is_drift_and_apply_restores_it(project):
    cli("apply")
    m = models()
    edited = m.CrontabSchedule.objects.create(minute="0", hour="4", timezone="UTC")
    m.PeriodicTask.objects.filter(name="Purge sent emails").update(
        crontab=edited, description="edited in the admin"
    )

    diff = cli("diff", "--exit-code")
    assert diff.exit_code == 2
    assert diff.stdout.startswith(
        "~ Purge sent emails (changed outside the manifest)\n"
        "    (each field: applied -> now -> manifest)\n"
        "    schedule: cron 30 3 * * * (UTC) -> cron 0 4 * * * (UTC) -> cron 30 3 * * * (UTC)\n"
    )
    assert '    description: "" -> "edited in the admin" -> ""\n' in diff.stdout
    (change,) = json.loads(cli("diff", "--format", "json").stdout)["changes"]
    assert change["action"] == "change" and change["drift"] is True
    assert change["fields"]["description"] == {
        "applied": "",
        "old": "edited in the admin",
        "new": "",
    }

    assert cli("apply").exit_code == 0
    assert task("Purge sent emails").description == ""
    assert cli("diff", "--exit-code").exit_code == 0


def test_beat_bookkeeping_and_a_spent_one_off_are_not_drift(project):
    once = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    manifest(
        MANIFEST + f"  - name: Once\n    task: {PENDING}\n    clocked: {once}\n    one_off: true\n"
    )
    cli("apply")
    m = models()
    m.PeriodicTask.objects.filter(name="Purge sent emails").update(
        total_run_count=3, last_run_at=datetime.now(UTC)
    )
    m.PeriodicTask.objects.filter(name="Once").update(enabled=False, total_run_count=1)
    assert cli("diff", "--exit-code").exit_code == 0


def test_owned_mode_and_export_unmanaged_need_the_app(project, settings):
    settings.INSTALLED_APPS = [app for app in settings.INSTALLED_APPS if app != "beat_sync"]
    for args in (("diff", "--manage", "owned"), ("apply", "--manage", "owned")):
        result = cli(*args)
        assert (result.exit_code, result.stderr) == (
            1,
            'beat-sync: error: manage = "owned" needs the ownership record: add "beat_sync" to '
            "INSTALLED_APPS and run `python manage.py migrate`\n",
        )
    assert "export --unmanaged needs" in cli("export", "--unmanaged").stderr
    # Without the app, apply keeps its behaviour and records nothing.
    assert cli("apply").exit_code == 0
    assert cli("diff", "--exit-code").exit_code == 0


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"manage": "mine"}, '[tool.beat-sync] manage must be "all" or "owned", not \'mine\''),
        (
            {"on_remove": "keep"},
            '[tool.beat-sync] on_remove must be "delete" or "disable", not \'keep\'',
        ),
    ],
)
def test_unknown_manage_or_on_remove_values_are_one_error(project, keys, message):
    folder = project(**keys)
    result = cli("diff")
    assert (result.exit_code, result.stderr) == (
        1,
        f"beat-sync: error: {folder / 'pyproject.toml'}:5: {message}\n",
    )
    assert cli("diff", "--manage", "mine").exit_code == 1


def test_export_writes_the_managed_rows_in_owned_mode_and_the_others_with_unmanaged(project):
    project(manage="owned")
    admin_rows()
    cli("apply")
    owned = cli("export").stdout
    assert "name: Purge sent emails" in owned and "Admin" not in owned
    others = cli("export", "--unmanaged").stdout
    assert "name: Admin nightly" in others and "name: Admin pending" in others
    assert "Purge sent emails" not in others
    everything = cli("export", "--manage", "all").stdout
    assert "Admin nightly" in everything and "Purge sent emails" in everything


def test_status_shows_drift_and_with_manage_owned_the_rows_not_managed(project):
    cli("apply")
    admin_rows()
    models().PeriodicTask.objects.filter(name="Purge sent emails").update(description="edited")

    def healths(*args: str) -> dict[str, str]:
        result = cli("status", "--format", "json", *args)
        assert result.exit_code == 0, result.output
        return {t["name"]: t["health"] for t in json.loads(result.stdout)["tasks"]}

    assert healths() == {
        "Admin nightly": "not in manifest",
        "Admin pending": "not in manifest",
        "Purge sent emails": "drift",
        "Re-queue stuck emails": "never run",
    }
    assert healths("--manage", "owned") == {
        "Admin nightly": "not managed",
        "Admin pending": "not managed",
        "Purge sent emails": "drift",
        "Re-queue stuck emails": "never run",
    }
    assert cli("status").stdout.endswith(
        "4 periodic tasks: 1 never run, 1 drift, 2 not in manifest\n"
    )


def test_a_rename_of_a_row_not_managed_is_shown_as_an_adoption(project):
    project(manage="owned")
    made_elsewhere = models().PeriodicTask.objects.create(
        name="Purge sent emails",
        task=PURGE,
        interval=models().IntervalSchedule.objects.create(every=1, period="days"),
        total_run_count=5,
    )
    manifest(
        MANIFEST.replace(
            "  - name: Purge sent emails\n",
            "  - name: Purge old emails\n    previous_names: [Purge sent emails]\n",
        )
    )

    diff = cli("diff")
    assert "~ Purge sent emails -> Purge old emails (adopt)\n" in diff.stdout
    assert diff.stdout.endswith(
        "\n1 to add, 0 to change, 0 to remove, 1 to adopt, 0 unchanged, "
        "0 not managed (left alone)\n"
    )
    (adopt,) = [
        change
        for change in json.loads(cli("diff", "--format", "json").stdout)["changes"]
        if change["name"] == "Purge old emails"
    ]
    assert (adopt["action"], adopt["old_name"]) == ("adopt", "Purge sent emails")
    assert "1 adopted" in cli("apply").stdout
    new = task("Purge old emails")
    assert (new.id, new.total_run_count) == (made_elsewhere.id, 5)
    assert cli("diff", "--exit-code").exit_code == 0


def test_a_record_written_in_another_form_of_the_same_state_is_not_drift(project):
    # An earlier version may have written the applied state's JSON otherwise (key order,
    # spacing, a JSON column's text not yet canonical): status and diff then decode it and
    # compare the states, and only a different state is drift.
    cli("apply")
    ManagedTask, _ = ownership()
    record = ManagedTask.objects.get(name="Purge sent emails")
    applied = json.loads(record.applied)
    assert applied["kwargs"] == '{"days": 30}'
    rewritten = {**applied, "kwargs": '{"days":30}'}
    ManagedTask.objects.filter(pk=record.pk).update(
        applied=json.dumps(dict(reversed(rewritten.items())), indent=2)
    )

    def health() -> str:
        result = cli("status", "--format", "json")
        assert result.exit_code == 0, result.output
        return {t["name"]: t["health"] for t in json.loads(result.stdout)["tasks"]}[
            "Purge sent emails"
        ]

    assert health() == "never run"
    assert cli("diff", "--exit-code").exit_code == 0

    ManagedTask.objects.filter(pk=record.pk).update(
        applied=json.dumps({**rewritten, "description": "as applied once"})
    )
    assert health() == "drift"
