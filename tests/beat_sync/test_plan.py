"""make_plan: per-name add / remove / change (field old -> new) / unchanged, sorted, pure."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from beat_sync.plan import FieldChange, make_plan
from beat_sync.state import CurrentState, IntervalSchedule, TaskState
from tests.support.samples import PURGE, cron, every_kind


def task(name: str, **fields) -> TaskState:
    return TaskState(
        name=name, task=PURGE, schedule=fields.pop("schedule", cron("15 * * * *")), **fields
    )


def test_add_remove_change_and_unchanged_by_name_sorted():
    current = [task("b-change"), task("a-remove"), task("c-same")]
    desired = [task("d-add"), task("c-same"), task("b-change", schedule=cron("30 * * * *"))]

    plan = make_plan(desired, CurrentState(tasks=tuple(current)))

    assert [(c.action, c.name) for c in plan.changes] == [
        ("remove", "a-remove"),
        ("change", "b-change"),
        ("add", "d-add"),
    ]
    assert plan.unchanged == ("c-same",)
    assert plan.changes[1].fields == (
        FieldChange("schedule", cron("15 * * * *"), cron("30 * * * *")),
    )
    assert str(plan.summary) == "1 to add, 1 to change, 1 to remove, 1 unchanged"
    assert not plan.in_sync
    assert [t.name for t in plan.desired] == ["b-change", "c-same", "d-add"]


def test_every_changed_field_is_listed_in_field_order():
    old = task("t", queue="a", priority=1)
    new = task("t", queue="b", priority=2, enabled=False, schedule=IntervalSchedule(1, "days"))
    (change,) = make_plan([new], [old]).changes
    assert [(f.field, f.old, f.new) for f in change.fields] == [
        ("schedule", cron("15 * * * *"), IntervalSchedule(1, "days")),
        ("queue", "a", "b"),
        ("priority", 1, 2),
        ("enabled", True, False),
    ]


def test_added_and_removed_tasks_show_task_schedule_and_non_default_fields():
    added = task("t", queue="emails", one_off=True)
    (change,) = make_plan([added], []).changes
    assert [(f.field, f.old, f.new) for f in change.fields] == [
        ("task", None, PURGE),
        ("schedule", None, cron("15 * * * *")),
        ("queue", None, "emails"),
        ("one_off", None, True),
    ]
    (change,) = make_plan([], [added]).changes
    assert change.action == "remove"
    assert [(f.field, f.new) for f in change.fields] == [
        ("task", None),
        ("schedule", None),
        ("queue", None),
        ("one_off", None),
    ]


def test_same_tasks_in_any_order_are_in_sync_and_the_plan_is_deterministic():
    tasks = every_kind()
    plan = make_plan(list(reversed(tasks)), CurrentState(tasks=tuple(tasks)))
    assert plan.in_sync
    assert str(plan.summary) == "0 to add, 0 to change, 0 to remove, 5 unchanged"
    assert make_plan(tasks, tasks[:2]) == make_plan(list(reversed(tasks)), tasks[:2][::-1])


def test_rows_beat_writes_itself_are_left_alone_unless_the_manifest_declares_them():
    cleanup = task("celery.backend_cleanup", schedule=cron("0 4 * * *"))
    from_settings = task("from CELERY_BEAT_SCHEDULE")
    plan = make_plan(
        [task("mine")],
        [cleanup, from_settings, task("mine")],
        beat_owned={"from CELERY_BEAT_SCHEDULE"},
    )
    assert plan.in_sync
    assert plan.left_alone == ("celery.backend_cleanup", "from CELERY_BEAT_SCHEDULE")

    declared = replace(cleanup, schedule=cron("0 5 * * *"))
    plan = make_plan([declared], [cleanup])
    assert [(c.action, c.name) for c in plan.changes] == [("change", "celery.backend_cleanup")]
    assert plan.left_alone == ()

    # Without beat_owned, a settings name is an ordinary row the manifest does not declare.
    assert [c.action for c in make_plan([], [from_settings]).changes] == ["remove"]


def test_a_one_off_task_beat_disabled_after_its_run_stays_disabled():
    declared = task("once", one_off=True)
    spent = replace(declared, enabled=False)  # what beat leaves after running it
    plan = make_plan([declared], [spent])
    assert plan.in_sync
    assert plan.desired == (spent,)


def test_a_spent_one_off_given_a_new_schedule_is_enabled_again():
    declared = task("once", one_off=True, schedule=cron("0 9 * * *"))
    spent = replace(task("once", one_off=True), enabled=False)
    (change,) = make_plan([declared], [spent]).changes
    assert [f.field for f in change.fields] == ["schedule", "enabled"]


def test_an_expired_task_beat_disabled_counts_as_unchanged_only_once_expired():
    expires = datetime(2026, 1, 1, tzinfo=UTC)
    declared = task("until new year", expires=expires)
    disabled = replace(declared, enabled=False)
    after = make_plan([declared], [disabled], now=datetime(2026, 1, 2, tzinfo=UTC))
    assert after.in_sync and after.desired == (disabled,)
    before = make_plan([declared], [disabled], now=datetime(2025, 12, 31, tzinfo=UTC))
    assert [f.field for f in before.changes[0].fields] == ["enabled"]


def test_a_name_twice_is_a_programming_error():
    with pytest.raises(ValueError, match="desired state holds the name 'x' twice"):
        make_plan([task("x"), task("x")], [])
