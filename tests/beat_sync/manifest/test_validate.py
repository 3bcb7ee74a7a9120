"""Located YAML to TaskSpecs: where each problem is placed, and where each task was written."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from beat_sync.errors import Location
from beat_sync.manifest import load_manifest
from beat_sync.manifest.loader import load_document
from beat_sync.manifest.validate import validate_document, yaml_type_name

EVERY_FIELD = Path(__file__).parent / "valid" / "every_field.yaml"


def test_specs_carry_the_location_of_name_and_task():
    result = load_manifest([EVERY_FIELD])
    first = result.specs[0]
    assert first.location == Location(str(EVERY_FIELD), 8, 11)
    assert first.task_location == Location(str(EVERY_FIELD), 9, 11)
    assert str(first.task_location) == f"{EVERY_FIELD}:9:11"


def test_yaml_type_names_are_a_yaml_users_words():
    assert [yaml_type_name(value) for value in (None, True, 3, 2.5, [], {}, set(), b"x")] == [
        "null",
        "a boolean (true)",
        "an integer (3)",
        "a number (2.5)",
        "a list",
        "a mapping",
        "a set",
        "binary data",
    ]
    assert yaml_type_name("x" * 50) == f"a string ('{'x' * 37}...')"
    assert yaml_type_name(datetime(2026, 1, 1)) == "a datetime"
    assert yaml_type_name(date(2026, 1, 1)) == "a date"


def test_every_task_name_is_collected_valid_or_not():
    raw = (
        b"periodic_tasks:\n"
        b"  - {name: good, task: a.b, cron: '0 3 * * *'}\n"
        b"  - {name: bad, task: a.b}\n"
        b"  - {name: 7, task: a.b}\n"
    )
    document, _ = load_document("m.yaml", raw)
    assert document is not None
    result = validate_document(document)
    assert [spec.name for spec in result.specs] == ["good"]
    assert result.names == [
        ("good", Location("m.yaml", 2, 12)),
        ("bad", Location("m.yaml", 3, 12)),
    ]
    assert [str(error) for error in result.errors] == [
        "m.yaml:3:5: no schedule: give exactly one of cron, interval, solar or clocked",
        "m.yaml:4:5: no schedule: give exactly one of cron, interval, solar or clocked",
        "m.yaml:4:12: 'name' must be a string, not an integer (7)",
    ]
