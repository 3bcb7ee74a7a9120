"""The limits written out in beat_sync.manifest.columns are the installed django-celery-beat's."""

from __future__ import annotations

import inspect

from celery.schedules import crontab

from beat_sync.manifest import columns


def test_periodic_task_columns():
    from django_celery_beat.models import PeriodicTask

    def max_length(name: str) -> int:
        return PeriodicTask._meta.get_field(name).max_length

    assert max_length("name") == columns.NAME_MAX_LENGTH
    assert max_length("task") == columns.TASK_MAX_LENGTH
    assert max_length("queue") == columns.QUEUE_MAX_LENGTH
    assert max_length("exchange") == columns.EXCHANGE_MAX_LENGTH
    assert max_length("routing_key") == columns.ROUTING_KEY_MAX_LENGTH
    limits = [v.limit_value for v in PeriodicTask._meta.get_field("priority").validators]
    assert columns.PRIORITY_MAX in limits


def test_crontab_columns():
    from django_celery_beat.models import CrontabSchedule

    for field, length in columns.CRON_FIELD_MAX_LENGTH.items():
        assert CrontabSchedule._meta.get_field(field).max_length == length, field
    assert CrontabSchedule._meta.get_field("timezone").max_length == columns.TIMEZONE_MAX_LENGTH


def test_interval_and_solar_choices():
    from django_celery_beat.models import PERIOD_CHOICES, SOLAR_SCHEDULES, SolarSchedule

    assert tuple(value for value, _ in PERIOD_CHOICES) == columns.PERIODS
    assert tuple(value for value, _ in SOLAR_SCHEDULES) == columns.SOLAR_EVENTS
    for field, (low, high) in (
        ("latitude", columns.LATITUDE_RANGE),
        ("longitude", columns.LONGITUDE_RANGE),
    ):
        validators = SolarSchedule._meta.get_field(field).validators
        limits = sorted(v.limit_value for v in validators if hasattr(v, "limit_value"))
        assert limits == [low, high], field


def test_cron_ranges_are_the_ones_celery_crontab_uses():
    source = inspect.getsource(crontab.__init__)
    for field, (max_, min_) in columns.CRON_FIELD_RANGES.items():
        call = f"self._expand_cronspec({field}, {max_}" + (f", {min_})" if min_ else ")")
        assert call in source, call
