"""Saved plans (beat_sync.saved_plan): `diff --save-plan FILE` then `apply --plan FILE` applies
what was reviewed, never the manifest of the moment, and refuses tables changed since, a damaged
file or one of another version, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from beat_sync.cli import main
from beat_sync.tables import read_current_state
from tests.support.manifests import MANIFEST, write_manifest
from tests.support.samples import PENDING
from tests.support.tables import checksum_tables, dump_ownership

pytestmark = pytest.mark.django_db

# The saved plan's manifest: one cron changed, one task added.
REVIEWED = MANIFEST.replace('cron: "30 3 * * *"', 'cron: "45 3 * * *"') + (
    f"  - name: Send pending emails\n    task: {PENDING}\n"
    "    interval: {every: 1, period: minutes}\n"
)
# What the manifest says by the time the deploy runs (not what was reviewed).
LATER = MANIFEST.replace('cron: "30 3 * * *"', 'cron: "0 5 * * *"')


def cli(*args: str | Path):
    return CliRunner().invoke(main, [str(arg) for arg in args])


def state():
    """Every task with its run history, as apply keeps it, and the ownership record."""
    current = read_current_state()
    records = [
        {k: v for k, v in row.items() if k != "id"} for row in dump_ownership()["ManagedTask"]
    ]
    return current.tasks, current.history, records


@pytest.fixture
def saved(tmp_path) -> tuple[Path, Path]:
    """The tables hold MANIFEST; REVIEWED's plan against them saved: (plan file, its folder)."""
    assert cli("apply", "--schedules", write_manifest(tmp_path / "now")).exit_code == 0
    folder = write_manifest(tmp_path / "reviewed", REVIEWED)
    plan = tmp_path / "plan.json"
    diff = cli("diff", "--save-plan", plan, "--schedules", folder)
    assert diff.exit_code == 0, diff.stderr
    assert diff.stdout.endswith("1 to add, 1 to change, 0 to remove, 1 unchanged\n")
    assert diff.stderr == (
        f"beat-sync: plan saved to {plan}: apply it with `beat-sync apply --plan {plan}`\n"
    )
    return plan, folder


def test_apply_plan_prints_and_writes_what_apply_of_the_reviewed_manifest_does(saved, tmp_path):
    plan, folder = saved
    dry = cli("apply", "--dry-run", "--schedules", folder)
    applied = cli("apply", "--plan", plan, "--schedules", tmp_path / "missing")
    assert (applied.exit_code, applied.stderr) == (0, "")
    assert applied.stdout == dry.stdout.replace(
        "Dry run: nothing was changed.\n",
        "Applied: 1 added, 1 changed, 0 removed (1 unchanged).\n",
    )
    from_plan = state()
    # The same start, then a plain apply of the reviewed manifest: the same rows and record.
    assert cli("apply", "--schedules", write_manifest(tmp_path / "now")).exit_code == 0
    assert cli("apply", "--schedules", folder).exit_code == 0
    assert state() == from_plan
    assert cli("diff", "--exit-code", "--schedules", folder).exit_code == 0


def test_apply_plan_applies_the_saved_plan_not_the_manifest_edited_since(saved, tmp_path):
    plan, folder = saved
    write_manifest(folder, LATER)  # the manifest moved on after the review
    applied = cli("apply", "--plan", plan, "--schedules", folder)
    assert applied.exit_code == 0, applied.stderr
    assert "    schedule: cron 30 3 * * * (UTC) -> cron 45 3 * * * (UTC)\n" in applied.stdout
    assert "0 5 * * *" not in applied.stdout
    assert (
        cli(
            "diff", "--exit-code", "--schedules", write_manifest(tmp_path / "r", REVIEWED)
        ).exit_code
        == 0
    )


def _edit_a_cron() -> None:
    from django_celery_beat.models import PeriodicTask

    crontab = PeriodicTask.objects.get(name="Re-queue stuck emails").crontab
    crontab.minute = "*/5"
    crontab.save()


def _add_a_task() -> None:
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every = IntervalSchedule.objects.create(every=3, period="hours")
    PeriodicTask.objects.create(name="made in the admin", task=PENDING, interval=every)


def _disable_a_task() -> None:
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="Purge sent emails")
    task.enabled = False
    task.save()


@pytest.mark.parametrize("edit", [_edit_a_cron, _add_a_task, _disable_a_task])
def test_an_admin_edit_after_saving_refuses_the_plan_and_writes_nothing(saved, edit):
    plan, _ = saved
    edit()
    before, record = checksum_tables(), dump_ownership()
    refused = cli("apply", "--plan", plan)
    assert (refused.exit_code, refused.stdout) == (1, "")
    assert refused.stderr == (
        f"beat-sync: error: the tables changed since the plan was saved ({plan}): "
        "run diff --save-plan again\n"
    )
    assert (checksum_tables(), dump_ownership()) == (before, record)


def test_a_beat_run_after_saving_keeps_the_plan_valid_and_its_history(saved):
    from django_celery_beat.models import PeriodicTask, PeriodicTasks
    from django_celery_beat.utils import now

    plan, _ = saved
    marker = PeriodicTasks.last_change()
    # What DatabaseScheduler's ModelEntry.save() does after sending a task.
    for name in ("Purge sent emails", "Re-queue stuck emails"):
        row = PeriodicTask.objects.get(name=name)
        row.last_run_at = now()
        row.total_run_count += 7
        row.no_changes = True
        row.save()
    assert PeriodicTasks.last_change() == marker  # beat's save does not bump the marker
    applied = cli("apply", "--plan", plan)
    assert applied.exit_code == 0, applied.stderr
    assert applied.stdout.endswith("Applied: 1 added, 1 changed, 0 removed (1 unchanged).\n")
    history = read_current_state().history
    assert history["Purge sent emails"].total_run_count == 7
    assert history["Re-queue stuck emails"].total_run_count == 7
    assert history["Send pending emails"].total_run_count == 0


def _document(plan: Path) -> dict:
    return json.loads(plan.read_text())


def _rewrite(plan: Path, document: dict) -> None:
    plan.write_text(json.dumps(document, indent=2))


def _resealed(document: dict) -> dict:
    """The document with a digest that matches its (edited) content, as a careful forger would."""
    from beat_sync.saved_plan import _sha256

    document.pop("digest")
    return {**document, "digest": _sha256(document)}


def _truncated(plan: Path) -> str:
    text = plan.read_text()[:200]
    plan.write_text(text)
    with pytest.raises(json.JSONDecodeError) as error:
        json.loads(text)
    return (
        f"{plan} is not a beat-sync plan (damaged? JSONDecodeError: {error.value}); "
        "run diff --save-plan again"
    )


def _edited_content(plan: Path) -> str:
    document = _document(plan)
    document["tasks"][0]["schedule"]["minute"] = "0"
    _rewrite(plan, document)
    return f"{plan} is damaged: its content does not match its digest; run diff --save-plan again"


def _edited_digest(plan: Path) -> str:
    document = _document(plan)
    document["digest"] = "sha256:" + "0" * 64
    _rewrite(plan, document)
    return f"{plan} is damaged: its content does not match its digest; run diff --save-plan again"


def _other_format_version(plan: Path) -> str:
    _rewrite(plan, _resealed({**_document(plan), "version": 2}))
    return (
        f"{plan} is a plan of format version 2; this beat-sync reads version 1: "
        "run diff --save-plan again"
    )


def _other_beat_sync(plan: Path) -> str:
    _rewrite(plan, _resealed({**_document(plan), "beat_sync_version": "0.0.1"}))
    return f"{plan} was saved by beat-sync '0.0.1', this is 0.1.0: run diff --save-plan again"


def _not_a_plan(plan: Path) -> str:
    plan.write_text('{"periodic_tasks": []}\n')
    return (
        f'{plan} is not a beat-sync plan (no "format": "beat-sync plan"); '
        "run diff --save-plan again"
    )


def _missing_key(plan: Path) -> str:
    document = _document(plan)
    del document["tasks"][0]["previous_names"]
    _rewrite(plan, _resealed(document))
    return f"{plan} is damaged: KeyError: 'previous_names'; run diff --save-plan again"


@pytest.mark.parametrize(
    "damage",
    [
        _truncated,
        _edited_content,
        _edited_digest,
        _other_format_version,
        _other_beat_sync,
        _not_a_plan,
        _missing_key,
    ],
)
def test_a_damaged_plan_or_one_of_another_version_is_one_line_and_writes_nothing(saved, damage):
    plan, _ = saved
    message = damage(plan)
    before, record = checksum_tables(), dump_ownership()
    refused = cli("apply", "--plan", plan)
    assert (refused.exit_code, refused.stdout) == (1, "")
    assert refused.stderr == f"beat-sync: error: {message}\n"
    assert (checksum_tables(), dump_ownership()) == (before, record)


def test_a_missing_plan_file_is_one_line(tmp_path):
    refused = cli("apply", "--plan", tmp_path / "nowhere.json")
    assert (refused.exit_code, refused.stdout) == (1, "")
    assert refused.stderr == (
        f"beat-sync: error: cannot read {tmp_path / 'nowhere.json'}: No such file or directory\n"
    )


def test_a_plan_with_nothing_to_do_writes_nothing(tmp_path):
    folder = write_manifest(tmp_path / "s")
    assert cli("apply", "--schedules", folder).exit_code == 0
    plan = tmp_path / "plan.json"
    saving = cli("diff", "--save-plan", plan, "--schedules", folder)
    assert saving.stdout == "In sync: 0 to add, 0 to change, 0 to remove, 2 unchanged\n"
    before, record = checksum_tables(), dump_ownership()
    applied = cli("apply", "--plan", plan)
    assert (applied.exit_code, applied.stdout) == (0, "Already in sync: nothing to do.\n")
    assert (checksum_tables(), dump_ownership()) == (before, record)


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (
            ("--env", "staging"),
            "{plan} was saved for the base (no --env), not environment 'staging' (--env, "
            "BEAT_SYNC_ENV or [tool.beat-sync] env): apply it without one, or run diff "
            "--save-plan again",
        ),
        (
            ("--manage", "owned"),
            '{plan} was saved with manage = "all", not "owned" (the command line or '
            "[tool.beat-sync]): apply it with the same, or run diff --save-plan again",
        ),
    ],
)
def test_an_env_or_manage_other_than_the_plan_s_is_refused(saved, option, message):
    plan, _ = saved
    before = checksum_tables()
    refused = cli("apply", "--plan", plan, *option)
    assert (refused.exit_code, refused.stdout) == (1, "")
    assert refused.stderr == f"beat-sync: error: {message.format(plan=plan)}\n"
    assert checksum_tables() == before


def test_save_plan_and_base_or_plan_and_dry_run_do_not_combine(saved):
    plan, folder = saved
    base = cli("diff", "--save-plan", plan, "--base", "HEAD", "--schedules", folder)
    assert (base.exit_code, base.stderr) == (
        1,
        "beat-sync: error: --save-plan needs the database: it cannot be combined with --base\n",
    )
    dry = cli("apply", "--plan", plan, "--dry-run")
    assert (dry.exit_code, dry.stderr) == (
        1,
        "beat-sync: error: --plan cannot be combined with --dry-run: `diff` showed the plan "
        "it saved\n",
    )


def test_save_plan_keeps_json_output_json_and_the_exit_code(tmp_path):
    folder = write_manifest(tmp_path / "s")
    plan = tmp_path / "plan.json"
    diff = cli(
        "diff", "--format", "json", "--exit-code", "--save-plan", plan, "--schedules", folder
    )
    assert diff.exit_code == 2
    assert json.loads(diff.stdout)["summary"]["add"] == 2
    assert diff.stderr == (
        f"beat-sync: plan saved to {plan}: apply it with `beat-sync apply --plan {plan}`\n"
    )
    document = json.loads(plan.read_text())
    assert [task["name"] for task in document["tasks"]] == [
        "Purge sent emails",
        "Re-queue stuck emails",
    ]
    assert document["tasks"][0]["location"] == [f"{folder}/tasks.yaml", 2, 11]


def test_a_plan_file_that_cannot_be_written_is_one_line_and_exit_1(tmp_path):
    folder = write_manifest(tmp_path / "s")
    plan = tmp_path / "no such folder" / "plan.json"
    diff = cli("diff", "--save-plan", plan, "--schedules", folder)
    assert (diff.exit_code, diff.stderr) == (
        1,
        f"beat-sync: error: cannot write {plan}: No such file or directory\n",
    )
