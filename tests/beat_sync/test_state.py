"""beat_sync.state: the canonical forms that make two ways of writing one task compare equal."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from beat_sync.state import (
    COLUMNS,
    JSON_COLUMNS,
    ClockedSchedule,
    CronSchedule,
    IntervalSchedule,
    SolarSchedule,
    TaskState,
    canonical_datetime,
    canonical_json,
    canonical_json_text,
)


def test_cron_fields_lose_spaces_and_case_and_a_zoneinfo_becomes_its_key():
    cron = CronSchedule.from_columns(
        minute="0, 30",
        hour="9",
        day_of_month="*",
        month_of_year="*",
        day_of_week="MON-FRI",
        timezone=ZoneInfo("Europe/Sofia"),
    )
    assert cron == CronSchedule("0,30", "9", "*", "*", "mon-fri", "Europe/Sofia")
    assert cron.expression == "0,30 9 * * mon-fri"


def test_a_manifest_cron_without_a_zone_is_in_the_default_zone():
    written = SimpleNamespace(
        minute="15", hour="*", day_of_month="*", month_of_year="*", day_of_week="*", timezone=None
    )
    assert CronSchedule.from_spec(written, "Asia/Tokyo").timezone == "Asia/Tokyo"
    in_sofia = SimpleNamespace(**{**vars(written), "timezone": "Europe/Sofia"})
    assert CronSchedule.from_spec(in_sofia, "Asia/Tokyo").timezone == "Europe/Sofia"


def test_solar_coordinates_have_the_columns_six_decimal_places():
    solar = SolarSchedule.from_columns(event="sunset", latitude=42.69, longitude="23.3218684")
    assert solar == SolarSchedule("sunset", Decimal("42.690000"), Decimal("23.321868"))
    from_spec = SolarSchedule.from_spec(
        SimpleNamespace(event="sunset", latitude=42.69, longitude=23.3218684), "UTC"
    )
    assert from_spec == solar


def test_interval_and_clocked_from_their_columns_and_the_manifest():
    assert IntervalSchedule.from_spec(SimpleNamespace(every=5, period="minutes"), "UTC") == (
        IntervalSchedule(5, "minutes")
    )
    sofia = datetime(2030, 12, 24, 9, 0, tzinfo=timezone(timedelta(hours=2)))
    utc = datetime(2030, 12, 24, 7, 0, tzinfo=UTC)
    assert ClockedSchedule.from_spec(sofia, "UTC") == ClockedSchedule(utc)
    assert ClockedSchedule.from_columns(clocked_time=sofia).clocked_time.tzinfo is UTC


def test_datetimes_are_aware_and_in_utc():
    assert canonical_datetime(None) is None
    with pytest.raises(ValueError, match="naive datetime"):
        canonical_datetime(datetime(2030, 1, 1))


def test_json_text_has_sorted_keys_and_text_that_is_not_json_is_kept():
    assert canonical_json({"b": 1, "a": "ü"}) == '{"a": "ü", "b": 1}'
    assert canonical_json_text('{"b": 1,  "a": 2}', "{}") == '{"a": 2, "b": 1}'
    assert canonical_json_text("", "[]") == "[]"
    assert canonical_json_text(None, "{}") == "{}"
    assert canonical_json_text("not json", "{}") == "not json"


def test_every_field_but_the_schedule_is_a_column_of_the_same_name():
    # `location` and `previous_names` say where the manifest declares a task: not compared.
    names = [f.name for f in dataclasses.fields(TaskState) if f.compare]
    assert [f.name for f in COLUMNS] == [name for name in names if name != "schedule"]
    assert {"args", "kwargs", "headers"} == JSON_COLUMNS


def test_a_row_as_the_admin_saves_it_reads_canonical():
    row = {f.name: None for f in COLUMNS}
    row.update(name="a", task="t", args="", kwargs='{"b": 1, "a": 2}', queue="", one_off=0)
    row.update(enabled=1, description=None, expires=datetime(2030, 1, 1, tzinfo=UTC))
    schedule = IntervalSchedule(1, "days")
    state = TaskState.from_columns(row, schedule)
    assert state == TaskState(
        name="a",
        task="t",
        schedule=schedule,
        kwargs='{"a": 2, "b": 1}',
        expires=datetime(2030, 1, 1, tzinfo=UTC),
    )
    assert state.columns() == {
        f.name: getattr(state, f.name)
        for f in dataclasses.fields(TaskState)
        if f.name != "schedule" and f.compare
    }


def test_a_manifest_task_reads_canonical():
    spec = SimpleNamespace(**{f.name: None for f in COLUMNS})
    spec.__dict__.update(
        name="a", task="t", args=[1], kwargs={"b": 1, "a": 2}, headers={}, queue="", enabled=True
    )
    spec.__dict__.update(one_off=False, description="", location=None, previous_names=[])
    state = TaskState.from_spec(spec, IntervalSchedule(1, "days"))
    assert (state.args, state.kwargs, state.headers) == ("[1]", '{"a": 2, "b": 1}', "{}")
    assert state.queue is None
