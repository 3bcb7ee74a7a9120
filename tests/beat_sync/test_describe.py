"""beat_sync.describe: what a reviewer reads for each schedule kind and field value."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from beat_sync.describe import (
    describe_cron,
    schedule_json,
    schedule_note,
    schedule_text,
    value_json,
    value_text,
)
from beat_sync.state import ClockedSchedule, IntervalSchedule, SolarSchedule
from tests.support.samples import cron

SOFIA_CRON = cron("0,30 9-17 * * mon-fri", "Europe/Sofia")
SOFIA_WORDS = "At 0 and 30 minutes past the hour, between 09:00 and 17:59, Monday through Friday"
SOFIA_URL = "https://crontab.guru/#0,30_9-17_*_*_mon-fri"
SOLAR = SolarSchedule("sunset", Decimal("42.690000"), Decimal("23.321868"))
CLOCKED = ClockedSchedule(datetime(2030, 12, 24, 7, 0, tzinfo=UTC))


def test_each_kind_is_one_line_of_text():
    assert schedule_text(SOFIA_CRON) == "cron 0,30 9-17 * * mon-fri (Europe/Sofia)"
    assert schedule_text(IntervalSchedule(30, "minutes")) == "interval every 30 minutes"
    assert schedule_text(IntervalSchedule(1, "hours")) == "interval every 1 hour"
    assert schedule_text(SOLAR) == "solar sunset at 42.69, 23.321868"
    assert schedule_text(CLOCKED) == "clocked 2030-12-24T07:00:00+00:00"


def test_only_a_cron_gets_a_note_in_plain_words_with_its_link():
    assert schedule_note(SOFIA_CRON) == f"{SOFIA_WORDS} (Europe/Sofia), {SOFIA_URL}"
    for schedule in (IntervalSchedule(30, "minutes"), SOLAR, CLOCKED):
        assert schedule_note(schedule) is None


def test_a_cron_the_descriptor_cannot_read_keeps_its_link():
    odd = cron("foo bar baz qux quux")
    assert describe_cron(odd.expression) is None
    assert schedule_note(odd) == "https://crontab.guru/#foo_bar_baz_qux_quux"
    assert schedule_json(odd)["description"] is None


def test_each_kind_as_json_with_its_keys_in_order():
    assert json.dumps(schedule_json(SOFIA_CRON)) == json.dumps(
        {
            "kind": "cron",
            "expression": "0,30 9-17 * * mon-fri",
            "minute": "0,30",
            "hour": "9-17",
            "day_of_month": "*",
            "month_of_year": "*",
            "day_of_week": "mon-fri",
            "timezone": "Europe/Sofia",
            "description": SOFIA_WORDS,
            "url": SOFIA_URL,
        }
    )
    assert json.dumps(schedule_json(IntervalSchedule(30, "minutes"))) == (
        '{"kind": "interval", "every": 30, "period": "minutes"}'
    )
    assert json.dumps(schedule_json(SOLAR)) == (
        '{"kind": "solar", "event": "sunset", "latitude": "42.69", "longitude": "23.321868"}'
    )
    assert json.dumps(schedule_json(CLOCKED)) == (
        '{"kind": "clocked", "clocked_time": "2030-12-24T07:00:00+00:00"}'
    )


@pytest.mark.parametrize("view", [schedule_text, schedule_json])
def test_a_value_that_is_not_a_schedule_is_a_type_error(view):
    with pytest.raises(TypeError, match="not a schedule"):
        view("0 3 * * *")


def test_field_values_as_a_diff_line_shows_them():
    assert value_text("schedule", CLOCKED) == "clocked 2030-12-24T07:00:00+00:00"
    assert value_text("kwargs", '{"a": 1}') == '{"a": 1}'
    assert value_text("queue", "emails") == '"emails"'
    assert value_text("description", "") == '""'
    assert value_text("priority", 3) == "3"
    assert value_text("enabled", False) == "false"
    assert value_text("expires", None) == "null"
    assert value_text("start_time", CLOCKED.clocked_time) == "2030-12-24T07:00:00+00:00"


def test_field_values_as_the_json_output_carries_them():
    assert value_json("kwargs", '{"a": 1}') == {"a": 1}
    assert value_json("args", "not json") == "not json"
    assert value_json("schedule", IntervalSchedule(5, "seconds"))["kind"] == "interval"
    assert value_json("expires", CLOCKED.clocked_time) == "2030-12-24T07:00:00+00:00"
    assert value_json("queue", None) is None
    assert value_json("one_off", True) is True
