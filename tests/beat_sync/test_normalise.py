"""normalise(): TaskSpecs to canonical TaskState; one schedule written two ways compares equal."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from beat_sync.manifest import load_manifest, load_manifest_sources
from beat_sync.normalise import normalise
from beat_sync.state import (
    ClockedSchedule,
    CronSchedule,
    IntervalSchedule,
    SolarSchedule,
    TaskState,
)

EVERY_FIELD = Path(__file__).parent / "manifest" / "valid" / "every_field.yaml"
TASK = "styleguide_example.emails.tasks.email_purge_sent"


def states(text: str, default_timezone: str = "UTC") -> tuple[TaskState, ...]:
    result = load_manifest_sources([("m.yaml", text.encode())])
    assert result.ok, result.errors
    return normalise(result.specs, default_timezone)


def test_every_field_becomes_its_canonical_column_value():
    result = load_manifest([EVERY_FIELD])
    by_name = {state.name: state for state in normalise(result.specs, "Asia/Tokyo")}
    assert by_name["Cron mapping with every field"] == TaskState(
        name="Cron mapping with every field",
        task="styleguide_example.emails.tasks.email_requeue_stuck",
        schedule=CronSchedule("0,30", "9-17", "*", "1-12/3", "mon-fri", "Europe/Sofia"),
        args='[1, "two", 3.5, null, true, [4], {"five": 5}]',
        kwargs='{"minutes": 15, "nested": {"list": [1, 2]}}',
        headers='{"x-origin": "beat-sync"}',
        queue="maintenance",
        exchange="maintenance",
        routing_key="maintenance.cleanup",
        priority=9,
        expires=datetime(2029, 12, 31, 22, tzinfo=UTC),
        one_off=False,
        start_time=datetime(2026, 1, 1, tzinfo=UTC),
        enabled=False,
        description="Every optional column set.",
    )
    assert by_name["Cron string"].schedule == CronSchedule("30", "3", "*", "*", "sun", "Asia/Tokyo")
    assert by_name["Cron string"].expire_seconds == 3600
    assert by_name["Cron numbers"].schedule == CronSchedule("5", "017", "*", "*", "*", "Asia/Tokyo")
    assert by_name["Interval"].schedule == IntervalSchedule(30, "seconds")
    assert by_name["Solar"].schedule == SolarSchedule(
        "sunset", Decimal("42.690000"), Decimal("23.320000")
    )
    assert by_name["Clocked"].schedule == ClockedSchedule(datetime(2026, 12, 24, 7, tzinfo=UTC))
    assert by_name["Clocked"].one_off is True


def test_the_result_is_sorted_by_name():
    names = [state.name for state in normalise(load_manifest([EVERY_FIELD]).specs, "UTC")]
    assert names == sorted(names)


def test_a_cron_string_and_the_same_cron_mapping_are_equal():
    as_string = states(f"periodic_tasks:\n  - {{name: a, task: {TASK}, cron: '0,30 9 * * MON'}}\n")
    as_mapping = states(
        f"periodic_tasks:\n  - name: a\n    task: {TASK}\n"
        "    cron: {minute: '0, 30', hour: 9, day_of_week: mon, timezone: UTC}\n"
    )
    assert as_string == as_mapping


def test_defaults_are_the_columns_defaults():
    (state,) = states(f"periodic_tasks:\n  - {{name: a, task: {TASK}, cron: '0 3 * * *'}}\n")
    assert (state.args, state.kwargs, state.headers) == ("[]", "{}", "{}")
    assert (state.queue, state.exchange, state.routing_key, state.priority) == (None,) * 4
    assert (state.expires, state.expire_seconds, state.start_time) == (None, None, None)
    assert (state.one_off, state.enabled, state.description) == (False, True, "")


def test_blank_routing_fields_are_null_and_json_keys_sorted():
    (state,) = states(
        f"periodic_tasks:\n  - name: a\n    task: {TASK}\n    cron: '0 3 * * *'\n"
        "    queue: ''\n    kwargs: {b: 1, a: 2}\n"
    )
    assert state.queue is None
    assert state.kwargs == '{"a": 2, "b": 1}'
