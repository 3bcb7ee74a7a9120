"""django-celery-beat's column sizes and choices, written out so the manifest core needs no Django.

Copied from django_celery_beat/models.py (django-celery-beat 2.9); importing that module needs
configured Django settings. tests/beat_sync/manifest/test_columns.py compares every value here
with the installed models, so an upgrade that changes them fails the tests instead of the deploy.
"""

from __future__ import annotations

# PeriodicTask
NAME_MAX_LENGTH = 200
TASK_MAX_LENGTH = 200
QUEUE_MAX_LENGTH = 200
EXCHANGE_MAX_LENGTH = 200
ROUTING_KEY_MAX_LENGTH = 200
PRIORITY_MAX = 255  # PositiveIntegerField with MaxValueValidator(255)

# CrontabSchedule: 4 characters per value of the field's widest list (see the model's comment)
CRON_FIELD_MAX_LENGTH = {
    "minute": 60 * 4,
    "hour": 24 * 4,
    "day_of_month": 31 * 4,
    "month_of_year": 64,
    "day_of_week": 64,
}
TIMEZONE_MAX_LENGTH = 63  # timezone_field.TimeZoneField.default_max_length

# IntervalSchedule.PERIOD_CHOICES
PERIODS = ("days", "hours", "minutes", "seconds", "microseconds")

# SolarSchedule.SOLAR_SCHEDULES; latitude/longitude are DecimalField(max_digits=9, decimal_places=6)
SOLAR_EVENTS = (
    "dawn_astronomical",
    "dawn_civil",
    "dawn_nautical",
    "dusk_astronomical",
    "dusk_civil",
    "dusk_nautical",
    "solar_noon",
    "sunrise",
    "sunset",
)
LATITUDE_RANGE = (-90, 90)
LONGITUDE_RANGE = (-180, 180)

# Celery's crontab(): (max_, min_) given to crontab_parser for each field
CRON_FIELD_RANGES = {
    "minute": (60, 0),
    "hour": (24, 0),
    "day_of_month": (31, 1),
    "month_of_year": (12, 1),
    "day_of_week": (7, 0),
}
# The order of a crontab line: minute hour day_of_month month_of_year day_of_week
CRON_FIELDS = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
