"""beat_sync.kinds: the kind table walked kind by kind, each schedule round-tripping through the
manifest, a real database and export: spec -> state -> row -> state -> export -> spec -> state."""

from __future__ import annotations

import typing

import pytest

from beat_sync.export import export_manifest
from beat_sync.kinds import KINDS, kind_of
from beat_sync.manifest import TaskSpec, load_manifest_sources
from beat_sync.manifest.rules import SCHEDULE_KINDS
from beat_sync.normalise import normalise
from beat_sync.state import Schedule
from beat_sync.tables import apply_plan, periodic_task, read_current_state, schedule_model
from tests.support.samples import PURGE

DEFAULT_ZONE = "Europe/Sofia"
# Each kind as a manifest writes it; a kind with two export layouts has one sample for each.
SAMPLES: dict[str, list[str]] = {
    "cron": [
        "cron: '0,30 9-17 * * MON-FRI'",  # the default zone: exported as a string
        "cron: {minute: '*/15', hour: 3, day_of_week: sun, timezone: Asia/Tokyo}",  # a mapping
    ],
    "interval": ["interval: {every: 1, period: hours}", "interval: {every: 30, period: seconds}"],
    "solar": ["solar: {event: sunset, latitude: 42.6977082, longitude: -23.32}"],
    "clocked": ["clocked: 2030-12-24T09:00:00+02:00\n    one_off: true"],
}


def manifest(schedule: str) -> str:
    return f"periodic_tasks:\n  - name: the task\n    task: {PURGE}\n    {schedule}\n"


def desired(text: str):
    result = load_manifest_sources([("schedules/tasks.yaml", text.encode())])
    assert result.ok, result.errors
    return normalise(result.specs, DEFAULT_ZONE)


def test_the_table_covers_every_schedule_class_once_in_the_order_beat_picks_them():
    assert {kind.state for kind in KINDS} == set(typing.get_args(Schedule))
    assert [kind.foreign_key for kind in KINDS] == ["interval", "crontab", "solar", "clocked"]
    assert {kind.key for kind in KINDS} == set(SAMPLES)


def test_the_manifest_declares_a_key_for_every_kind_and_no_other():
    # The manifest core keeps its own order of the keys (its messages and summary list cron
    # first); the set must be the kind table's.
    assert set(SCHEDULE_KINDS) == {kind.key for kind in KINDS}
    assert {kind.key for kind in KINDS} <= set(TaskSpec.model_fields)


@pytest.mark.django_db
def test_each_kind_names_its_model_foreign_key_and_columns():
    for kind in KINDS:
        model = schedule_model(kind)
        assert model.__name__ == kind.model
        assert periodic_task()._meta.get_field(kind.foreign_key).related_model is model
        assert set(kind.columns) <= {f.name for f in model._meta.get_fields()}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.key)
def test_every_kind_round_trips_through_the_tables_and_export(kind):
    for sample in SAMPLES[kind.key]:
        (state,) = desired(manifest(sample))  # spec -> state
        assert kind_of(state.schedule) is kind and isinstance(state.schedule, kind.state)

        assert apply_plan([state]).applied  # state -> row
        row = periodic_task().objects.values(f"{kind.foreign_key}_id").get()
        schedule_row = (
            schedule_model(kind).objects.values(*kind.columns).get(pk=row[f"{kind.foreign_key}_id"])
        )
        assert kind.from_columns(schedule_row) == state.schedule  # row -> state
        (read,) = read_current_state().tasks
        assert read == state

        text = export_manifest([read], DEFAULT_ZONE)  # state -> export -> spec -> state
        assert f"    {kind.key}:" in text
        assert desired(text) == (state,)
        assert not apply_plan(desired(text)).applied


@pytest.mark.django_db
def test_a_row_with_several_schedules_reads_as_the_one_beat_runs():
    states = [desired(manifest(SAMPLES[kind.key][0]))[0].schedule for kind in KINDS]
    apply_plan(desired(manifest(SAMPLES[KINDS[0].key][0])))
    ids = {}
    for kind, schedule in zip(KINDS, states, strict=True):
        ids[f"{kind.foreign_key}_id"] = (
            schedule_model(kind).objects.create(**kind.columns_of(schedule)).pk
        )
    tasks = periodic_task().objects
    for index, kind in enumerate(KINDS):
        # PeriodicTask.save() refuses two schedules: set them behind its back, as SQL would.
        set_from_here = dict(list(ids.items())[index:])
        tasks.update(**{fk: set_from_here.get(fk) for fk in ids})
        (read,) = read_current_state().tasks
        assert read.schedule == states[index]
        task = tasks.get()
        assert type(task.schedule) is type(getattr(task, kind.foreign_key).schedule)
