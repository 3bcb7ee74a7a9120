"""The manifest's rules: cron fields (Celery's parser), JSON values, aware datetimes, cross-key."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from pydantic import ValidationError

from beat_sync.manifest import Problem, TaskSpec, did_you_mean, load_manifest_sources
from beat_sync.manifest.rules import (
    cron_combination_problem,
    cron_field_problem,
    json_problems,
    rule_problems,
    timezone_problem,
)

TASK = "styleguide_example.emails.tasks.email_purge_sent"


def test_iso_strings_and_yaml_timestamps_are_the_same_instant():
    text = (
        "periodic_tasks:\n"
        f"  - {{name: a, task: {TASK}, one_off: true, clocked: 2026-12-24T09:00:00+02:00}}\n"
        f"  - {{name: b, task: {TASK}, one_off: true, clocked: '2026-12-24T07:00:00Z'}}\n"
    )
    result = load_manifest_sources([("m.yaml", text.encode())])
    assert result.ok, result.errors
    assert result.specs[0].clocked == result.specs[1].clocked


def test_cron_fields_are_judged_by_celerys_parser_and_the_column():
    assert cron_field_problem("minute", "*/15") is None
    assert cron_field_problem("hour", "25") == "invalid cron hour '25': invalid end range: 25 > 23"
    assert cron_field_problem("minute", " ") == (
        "cron minute must not be empty (use '*' for every value)"
    )
    assert cron_field_problem("month_of_year", "1," * 40) == (
        "cron month_of_year is 80 characters, longer than django-celery-beat's 64-character column"
    )
    assert cron_combination_problem(("0", "3", "*", "*", "*")) is None
    assert cron_combination_problem(("0", "3", "30", "2", "*")) == (
        "day_of_month '30' never occurs in month_of_year '2'"
    )


def test_json_problems_name_each_place_json_cannot_hold():
    assert json_problems({"a": [1, "x", None, {"b": True}]}) == []
    assert json_problems({"a": [date(2026, 1, 1)], 3: {"b": {1, 2}}, "n": float("nan")}) == [
        Problem(("a", 0), "a date is not JSON-serialisable; quote it to pass a string", False),
        Problem((), "mapping key 3 is not a string", False),
        Problem((3, "b"), "a set is not JSON-serialisable", False),
        Problem(("n",), "the number nan is not JSON-serialisable", False),
    ]


def test_cross_key_rules_point_at_the_key_to_change():
    assert rule_problems({"cron": "x"}) == []
    assert rule_problems({"name": "a"}) == [
        Problem((), "no schedule: give exactly one of cron, interval, solar or clocked", False)
    ]
    clocked = datetime.fromisoformat("2026-01-01T00:00:00+00:00")
    assert rule_problems(
        {"interval": {}, "clocked": clocked, "expires": clocked, "expire_seconds": 5}
    ) == [
        Problem(
            ("clocked",), "more than one schedule (interval and clocked): keep exactly one", True
        ),
        Problem(("clocked",), "a clocked schedule runs once: set 'one_off: true' with it", True),
        Problem(("expire_seconds",), "'expires' and 'expire_seconds' cannot both be set", True),
    ]


def test_a_taskspec_built_in_python_obeys_the_same_rules():
    with pytest.raises(ValidationError) as caught:
        TaskSpec(name="a", task=TASK, one_off=True, clocked=date(2026, 1, 1))
    (error,) = caught.value.errors()
    assert error["type"] == "beat_sync"
    assert error["msg"] == (
        "'clocked' needs a time and a UTC offset, not just the date 2026-01-01 "
        "(e.g. 2026-01-01T00:00:00+00:00)"
    )
    with pytest.raises(ValidationError) as caught:
        TaskSpec(name="a", task=TASK)
    assert caught.value.errors()[0]["ctx"]["problems"] == rule_problems({"name": "a"})


def test_did_you_mean_and_time_zones():
    assert did_you_mean("enbled", ["enabled", "queue"]) == " (did you mean 'enabled'?)"
    assert did_you_mean("zzz", ["enabled"]) == ""
    assert timezone_problem("Europe/Sofia") is None
    assert timezone_problem("Europe/Sofa") == (
        "unknown time zone 'Europe/Sofa' (did you mean 'Europe/Sofia'?)"
    )


# Fields Celery's parser accepts but reads otherwise than they are written (what beat runs, then
# what a reader or cron-descriptor's plain words would take them to mean).
READ_OTHERWISE = [
    ("minute", "*/90", {0}),  # "every 90 minutes": at :00 only
    ("minute", "*/61", {0}),
    ("hour", "*/36", {0}),
    ("hour", "*/24", {0}),
    ("day_of_month", "*/45", {1}),
    ("day_of_month", "*/31", {1}),
    ("minute", "10-20/30", {10}),
    ("minute", "50-10/30", {50}),  # wrapping range
    ("month_of_year", "*/12", {1}),
    ("day_of_week", "*/7", {0}),
    ("day_of_week", "mon#2", {1}),  # "second Monday of the month": every Monday
    ("day_of_week", "fri-sat#1", {5, 6}),
    ("day_of_week", "monxyz", {1}),
    ("day_of_week", "friday", {5}),
    ("day_of_week", "jan", {1}),  # a month name: Monday
    ("month_of_year", "mon", {1}),  # a day name: January
    ("minute", "jan", {1}),
    ("hour", "fri", {5}),
    ("minute", "1-2-3", {1, 2}),
    ("minute", "*/15-3", {0, 15, 30, 45}),
    ("hour", "1-9/2/3", {1, 3, 5, 7, 9}),
]


@pytest.mark.parametrize(("field", "value", "celery_reads"), READ_OTHERWISE)
def test_a_field_celery_reads_otherwise_than_written_is_refused(field, value, celery_reads):
    from celery.schedules import crontab_parser

    from beat_sync.manifest.columns import CRON_FIELD_RANGES

    assert crontab_parser(*CRON_FIELD_RANGES[field]).parse(value) == celery_reads
    assert cron_field_problem(field, value).startswith(f"invalid cron {field} {value!r}: ")


def test_what_celery_reads_as_written_passes_spaces_and_case_aside():
    for field, value in [
        ("minute", "0, 30"),
        ("minute", "*/59"),
        ("minute", "50-10"),
        ("minute", "50-10/5"),
        ("hour", "*/12"),
        ("day_of_month", "*/2"),
        ("month_of_year", "JAN-mar/2"),
        ("day_of_week", "mon, tue"),
        ("day_of_week", "SAT-sun"),
        ("day_of_week", "1-5/2"),
    ]:
        assert cron_field_problem(field, value) is None, value
    assert cron_combination_problem(("0", "3", "*", "*", "mon, tue")) is None


def test_messages_name_the_field_and_what_it_takes():
    assert cron_field_problem("day_of_week", "7") == (
        "invalid cron day_of_week '7': invalid end range: 7 > 6 "
        "(the days are 0-6, and 0 is Sunday: write 0 or sun for Sunday)"
    )
    assert cron_field_problem("day_of_month", "L") == (
        "invalid cron day_of_month 'L': 'L' is not a number: day_of_month takes 1-31"
    )
    assert (
        cron_field_problem("minute", "*/0")
        == "invalid cron minute '*/0': a step must be at least 1"
    )
    assert (
        cron_field_problem("minute", "1,,2")
        == "invalid cron minute '1,,2': an empty item in the list"
    )
    assert cron_field_problem("minute", "1 5") == "invalid cron minute '1 5': a space inside '1 5'"


@pytest.mark.parametrize(
    ("zone", "message"),
    [
        ("utc", "unknown time zone 'utc' (did you mean 'UTC'?)"),
        ("europe/sofia", "unknown time zone 'europe/sofia' (did you mean 'Europe/Sofia'?)"),
        (
            "localtime",
            "time zone 'localtime' is the zone of whichever machine runs beat, not a place: "
            "name the zone, e.g. Europe/Sofia or UTC",
        ),
        (
            "Factory",
            "time zone 'Factory' is tzdata's placeholder for a machine whose zone is not set, "
            "not a place: name the zone, e.g. Europe/Sofia or UTC",
        ),
    ],
)
def test_zones_that_are_no_place_or_differ_in_case(zone, message):
    assert timezone_problem(zone) == message


def test_the_longest_interval_is_the_one_celery_can_still_add_to_now():
    from datetime import UTC, timedelta

    from beat_sync.manifest.rules import LATEST_INTERVAL_END, interval_problem

    for period in ("days", "hours", "minutes"):
        room = (LATEST_INTERVAL_END - datetime.now(UTC)) // timedelta(**{period: 1})
        assert interval_problem(room - 1, period) is None
        assert interval_problem(room + 1, period).startswith(f"an interval of {room + 1:,} ")
    assert interval_problem(2_147_483_647, "seconds") is None
    assert interval_problem(10**9, "days") is not None  # past timedelta's own bound


def test_times_are_refused_where_utc_or_another_zone_would_overflow():
    from beat_sync.manifest.rules import datetime_range_problem

    for text in ("0001-01-02T00:00:00+00:00", "9999-12-30T23:59:59+00:00"):
        assert datetime_range_problem("expires", datetime.fromisoformat(text)) is None
    for text in (
        "0001-01-01T00:00:00+01:00",  # overflows in UTC
        "9999-12-31T23:59:59-01:00",
        "0001-01-01T12:00:00+00:00",  # overflows a zone west of UTC
        "9999-12-31T00:00:00+00:00",
    ):
        assert datetime_range_problem("expires", datetime.fromisoformat(text)).startswith(
            f"'expires' {datetime.fromisoformat(text).isoformat(sep=' ')} is out of range"
        )
