"""The pydantic shapes: strict types, documented fields, and a TaskSpec usable from Python."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from beat_sync.manifest import TaskSpec
from beat_sync.manifest.shapes import CronSpec, IntervalSpec, Manifest, SolarSpec

TASK = "styleguide_example.emails.tasks.email_purge_sent"


@pytest.mark.parametrize("model", [TaskSpec, CronSpec, IntervalSpec, SolarSpec, Manifest])
def test_every_model_and_field_is_documented(model: type[BaseModel]):
    assert model.__doc__
    assert all(field.description for field in model.model_fields.values())


def test_a_taskspec_built_in_python_has_no_location():
    spec = TaskSpec(name="a", task=TASK, cron="15 3 * * mon")
    assert (spec.cron.minute, spec.cron.day_of_week, spec.cron.timezone) == ("15", "mon", None)
    assert spec.schedule_kind == "cron"
    assert (spec.location, spec.task_location, spec.location_of("cron")) == (None, None, None)


def test_values_are_not_coerced_but_cron_numbers_are_text():
    assert CronSpec(minute=5).minute == "5"
    with pytest.raises(ValidationError, match="Input should be a valid integer"):
        IntervalSpec(every="30", period="seconds")
    with pytest.raises(ValidationError, match="Input should be a valid boolean"):
        TaskSpec(name="a", task=TASK, cron="* * * * *", enabled="yes")
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        TaskSpec(name="a", task=TASK, cron="* * * * *", enbled=True)
