"""beat_sync.when: the runs Celery's own schedule classes give, as DatabaseScheduler asks them,
across daylight-saving changes and with start_time, expires, one_off and a row's history.
(tests/faults/test_next_runs_property.py checks them against a real ModelEntry.)"""

from __future__ import annotations

import heapq
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import islice
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beat_sync.state import ClockedSchedule, IntervalSchedule, SolarSchedule, TaskState
from beat_sync.when import iter_runs, merged_runs, next_runs, zone_of
from tests.support.samples import PURGE, cron

NEW_YORK = ZoneInfo("America/New_York")
SOFIA = ZoneInfo("Europe/Sofia")


def task(schedule, **fields) -> TaskState:
    return TaskState(name="t", task=PURGE, schedule=schedule, **fields)


def local(runs, zone) -> list[str]:
    return [run.astimezone(zone).isoformat() for run in runs]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_a_new_york_cron_in_the_spring_gap_runs_an_hour_late_that_day():
    runs = next_runs(
        task(cron("30 2 * * *", "America/New_York")), after=at("2027-03-13T00:00:00-05:00"), count=4
    )
    assert local(runs, NEW_YORK) == [
        "2027-03-13T02:30:00-05:00",
        "2027-03-14T03:30:00-04:00",  # 02:30 does not exist on 14 March 2027
        "2027-03-15T02:30:00-04:00",
        "2027-03-16T02:30:00-04:00",
    ]


@pytest.mark.parametrize(
    ("expression", "zone", "after", "expected"),
    [
        # The repeated hour: once, at its first occurrence (summer time).
        (
            "30 1 * * *",
            "America/New_York",
            "2027-11-06T12:00:00-04:00",
            ["2027-11-07T01:30:00-04:00", "2027-11-08T01:30:00-05:00"],
        ),
        (
            "30 3 * * *",
            "Europe/Sofia",
            "2027-10-30T12:00:00+03:00",
            ["2027-10-31T03:30:00+03:00", "2027-11-01T03:30:00+02:00"],
        ),
        # Sofia's spring gap (03:00 -> 04:00 on 28 March 2027).
        (
            "30 3 * * *",
            "Europe/Sofia",
            "2027-03-27T12:00:00+02:00",
            ["2027-03-28T04:30:00+03:00", "2027-03-29T03:30:00+03:00"],
        ),
        # Celery's hourly crontab skips the repeated 01:00 (celery #10107).
        (
            "0 * * * *",
            "America/New_York",
            "2027-11-07T00:30:00-04:00",
            ["2027-11-07T01:00:00-04:00", "2027-11-07T02:00:00-05:00"],
        ),
    ],
)
def test_crons_across_daylight_saving_changes(expression, zone, after, expected):
    runs = next_runs(task(cron(expression, zone)), after=at(after), count=len(expected))
    assert local(runs, ZoneInfo(zone)) == expected


def test_an_interval_counts_from_last_run_at_then_date_changed_then_from_now():
    every_hour = task(IntervalSchedule(1, "hours"))
    now = at("2027-01-01T12:00:00+00:00")
    ran = at("2027-01-01T11:30:00+00:00")
    assert next_runs(every_hour, after=now, count=2, last_run_at=ran) == (
        at("2027-01-01T12:30:00+00:00"),
        at("2027-01-01T13:30:00+00:00"),
    )
    changed = at("2027-01-01T11:50:00+00:00")
    assert next_runs(every_hour, after=now, count=1, date_changed=changed) == (
        at("2027-01-01T12:50:00+00:00"),
    )
    assert next_runs(every_hour, after=now, count=1) == (at("2027-01-01T13:00:00+00:00"),)
    # Overdue: beat sends it at its first check, then counts from that run.
    long_ago = at("2026-12-25T00:00:00+00:00")
    assert next_runs(every_hour, after=now, count=2, last_run_at=long_ago) == (
        now,
        at("2027-01-01T13:00:00+00:00"),
    )


def test_nothing_runs_before_start_time_and_a_new_row_runs_at_it():
    start = at("2027-06-01T08:10:00+00:00")
    now = at("2027-01-01T00:00:00+00:00")
    interval = task(IntervalSchedule(30, "minutes"), start_time=start)
    assert next_runs(interval, after=now, count=2) == (start, start + timedelta(minutes=30))
    hourly = task(cron("0 * * * *"), start_time=start)
    assert next_runs(hourly, after=now, count=2) == (start, at("2027-06-01T09:00:00+00:00"))
    # Once it has run, start_time only holds it back.
    ran = at("2027-06-01T07:00:00+00:00")
    assert next_runs(hourly, after=now, count=1, last_run_at=ran) == (start,)


def test_expires_ends_the_runs_and_one_off_runs_once():
    now = at("2027-01-01T00:00:00+00:00")
    expiring = task(IntervalSchedule(1, "days"), expires=at("2027-01-03T12:00:00+00:00"))
    assert next_runs(expiring, after=now, count=5) == (
        at("2027-01-02T00:00:00+00:00"),
        at("2027-01-03T00:00:00+00:00"),
    )
    once = task(IntervalSchedule(1, "days"), one_off=True)
    assert next_runs(once, after=now, count=5) == (at("2027-01-02T00:00:00+00:00"),)
    assert next_runs(once, after=now, count=5, total_run_count=1) == ()


def test_clocked_runs_at_its_time_or_at_once_when_past_and_disabled_never():
    now = at("2027-01-01T00:00:00+00:00")
    later = at("2027-02-01T09:00:00+00:00")
    assert next_runs(task(ClockedSchedule(later), one_off=True), after=now, count=3) == (later,)
    past = task(ClockedSchedule(at("2026-02-01T09:00:00+00:00")), one_off=True)
    assert next_runs(past, after=now, count=3) == (now,)
    off = task(IntervalSchedule(1, "days"), enabled=False)
    assert next_runs(off, after=now, count=3) == ()
    assert next(iter_runs(off, after=now)) == at("2027-01-02T00:00:00+00:00")


def test_a_solar_event_runs_daily_at_the_sun():
    sunset = task(SolarSchedule("sunset", Decimal("42.697708"), Decimal("23.321868")))
    runs = next_runs(sunset, after=at("2027-06-21T00:00:00+03:00"), count=2)
    assert [run.astimezone(SOFIA).strftime("%d %H:%M") for run in runs] == ["21 21:08", "22 21:08"]


def test_a_naive_start_is_refused():
    with pytest.raises(ValueError, match="naive"):
        next_runs(task(IntervalSchedule(1, "days")), after=datetime(2027, 1, 1), count=1)


def test_runs_are_read_in_a_crons_zone_else_the_project_default():
    assert zone_of(cron("0 3 * * *", "Europe/Sofia"), "UTC") == SOFIA
    assert zone_of(IntervalSchedule(1, "days"), "America/New_York") == NEW_YORK
    assert zone_of(IntervalSchedule(1, "days"), "project default") == ZoneInfo("UTC")
    assert next_runs(task(cron("0 0 1 1 *")), after=datetime(2027, 1, 1, tzinfo=UTC), count=1)


def test_a_run_past_the_year_9999_ends_the_runs_instead_of_raising():
    # The longest interval validate accepts: its first run is in the year 9998, its next one
    # past what a datetime holds.
    after = at("2026-11-28T12:00:00+00:00")
    days = (at("9999-01-01T00:00:00+00:00") - after).days - 1
    runs = next_runs(task(IntervalSchedule(days, "days")), after=after, count=3)
    assert [run.year for run in runs] == [9998]


def one_stream_per_task(tasks, after, count):
    """What merged_runs gives, the long way: every enabled task's own runs, merged by (time,
    name)."""

    def runs(t):
        for moment in iter_runs(t, after=after):
            yield moment, t.name

    return list(islice(heapq.merge(*(runs(t) for t in tasks if t.enabled)), count))


def test_tasks_sharing_a_schedule_merge_as_if_each_had_its_own_runs():
    after = at("2027-03-13T22:10:00-05:00")
    schedules = [
        cron("*/15 * * * *"),
        cron("0 * * * *"),
        cron("30 2 * * *", "America/New_York"),  # the spring gap: 03:30 EDT on 14 March
        IntervalSchedule(20, "minutes"),
        IntervalSchedule(1, "hours"),
        ClockedSchedule(at("2027-03-14T04:00:00+00:00")),
    ]
    # Names out of order and interleaved across schedules; ties at the same moment both between
    # tasks sharing a schedule and between schedules (every hour: */15, 0 * and 1 hour).
    tasks = [
        TaskState(
            name=f"task {(i * 37) % 60:02d}",
            task=PURGE,
            schedule=schedules[i % len(schedules)],
            one_off=isinstance(schedules[i % len(schedules)], ClockedSchedule),
            enabled=i % 7 != 3,
            expires=at("2027-03-14T06:00:00+00:00") if i % 11 == 5 else None,
        )
        for i in range(60)
    ]
    for count in (1, 7, 50, 400):
        merged = [(moment, t.name) for moment, t in merged_runs(tasks, after=after, count=count)]
        assert merged == one_stream_per_task(tasks, after, count)
    assert len(merged) == 400
    assert merged_runs([], after=after, count=5) == []


def test_asking_for_more_runs_continues_the_runs_already_asked_for():
    after = at("2027-03-13T00:00:00-05:00")
    nightly = task(cron("30 2 * * *", "America/New_York"))
    ran = at("2027-03-12T07:30:01+00:00")
    first = next_runs(nightly, after=after, count=1, last_run_at=ran, total_run_count=1)
    more = next_runs(nightly, after=after, count=3, last_run_at=ran, total_run_count=1)
    assert more[:1] == first
    assert local(more, NEW_YORK) == [
        "2027-03-13T02:30:00-05:00",
        "2027-03-14T03:30:00-04:00",
        "2027-03-15T02:30:00-04:00",
    ]
    assert next_runs(nightly, after=after, count=2, last_run_at=ran, total_run_count=1) == more[:2]
    once = task(IntervalSchedule(1, "days"), one_off=True)
    assert next_runs(once, after=after, count=1) == next_runs(once, after=after, count=5)
    assert len(next_runs(once, after=after, count=5)) == 1


# Property: iter_runs, which asks Celery for the estimate alone and skips the check it knows is
# due, gives the runs of the plain loop beat runs: `is_due(last_run_at)` at every check, on the
# schedule objects django-celery-beat's own models build (not beat-sync's), across the 2027
# daylight-saving changes, with start_time, expires, one_off and a run history.
_NEAR_CHANGES = [
    at("2027-03-14T06:00:00+00:00"),  # New York springs forward
    at("2027-03-28T01:00:00+00:00"),  # Sofia
    at("2027-10-31T01:00:00+00:00"),  # Sofia falls back
    at("2027-11-07T06:00:00+00:00"),  # New York
]
_moments = st.builds(
    lambda base, seconds: base + timedelta(seconds=seconds),
    st.sampled_from(_NEAR_CHANGES),
    st.integers(-3 * 86400, 3 * 86400),
)
_schedules = st.one_of(
    st.builds(
        cron,
        st.builds(
            " ".join,
            st.tuples(
                st.sampled_from(["0", "30", "*/20", "15,45", "59", "*"]),
                st.sampled_from(["*", "1", "2", "3", "1-4", "0,2", "*/3"]),
                st.sampled_from(["*", "1-15"]),
                st.just("*"),
                st.sampled_from(["*", "mon-fri", "sun"]),
            ),
        ),
        st.sampled_from(["America/New_York", "Europe/Sofia", "UTC"]),
    ),
    st.builds(
        IntervalSchedule,
        st.integers(1, 500),
        st.sampled_from(["days", "hours", "minutes", "seconds", "microseconds"]),
    ),
    st.builds(
        SolarSchedule,
        st.sampled_from(["sunrise", "sunset", "solar_noon", "dawn_astronomical"]),
        st.sampled_from([Decimal("42.697708"), Decimal("69.649208")]),
        st.sampled_from([Decimal("23.321868"), Decimal("18.955324")]),
    ),
    st.builds(ClockedSchedule, _moments),
)


def _model_schedule(schedule):
    """The Celery schedule object django-celery-beat's model of that kind builds."""
    from django_celery_beat import models

    if schedule.kind == "cron":
        row = models.CrontabSchedule(
            minute=schedule.minute,
            hour=schedule.hour,
            day_of_month=schedule.day_of_month,
            month_of_year=schedule.month_of_year,
            day_of_week=schedule.day_of_week,
            timezone=ZoneInfo(schedule.timezone),
        )
    elif schedule.kind == "interval":
        row = models.IntervalSchedule(every=schedule.every, period=schedule.period)
    elif schedule.kind == "solar":
        row = models.SolarSchedule(
            event=schedule.event, latitude=schedule.latitude, longitude=schedule.longitude
        )
    else:
        row = models.ClockedSchedule(clocked_time=schedule.clocked_time)
    return row.schedule


def _is_due_replay(state: TaskState, *, after, last_run_at, total_run_count, count):
    """beat's loop on a stopped clock: is_due at every check, the next check where it says."""
    if state.one_off and total_run_count:
        return []
    schedule = _model_schedule(state.schedule)
    last = last_run_at or after
    if last_run_at is None and state.start_time is not None:
        last -= timedelta(days=365 * 30)
    now = max(after, state.start_time) if state.start_time else after
    runs, checks = [], 0
    while len(runs) < count and checks < 1000:
        if state.expires is not None and now >= state.expires:
            break
        schedule.nowfun = lambda moment=now: moment
        try:
            due, next_check = schedule.is_due(last)
        except Exception:
            break
        if due:
            runs.append(now)
            if state.one_off:
                break
            last, checks = now, 0
        else:
            checks += 1
        try:
            now += timedelta(seconds=max(next_check, 0.000001))
        except OverflowError:
            break
    return runs


@settings(max_examples=300, deadline=None)
@given(
    schedule=_schedules,
    after=_moments,
    ran_before=st.one_of(st.none(), st.integers(0, 5 * 86400)),
    one_off=st.booleans(),
    start=st.one_of(st.none(), _moments),
    expires=st.one_of(st.none(), _moments),
)
def test_runs_are_those_of_a_plain_is_due_replay(
    schedule, after, ran_before, one_off, start, expires
):
    state = task(schedule, one_off=one_off, start_time=start, expires=expires)
    last_run_at = None if ran_before is None else after - timedelta(seconds=ran_before)
    ours = list(islice(iter_runs(state, after=after, last_run_at=last_run_at), 4))
    assert ours == _is_due_replay(
        state, after=after, last_run_at=last_run_at, total_run_count=0, count=4
    )
