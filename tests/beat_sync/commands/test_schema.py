"""`beat-sync schema`: a JSON Schema that a standard validator applies to the manifests."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from beat_sync.cli import main

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((ROOT / "schedules").glob("*.yaml"))
EVERY_FIELD = ROOT / "tests" / "beat_sync" / "manifest" / "valid" / "every_field.yaml"
TASK = {"name": "Purge", "task": "styleguide_example.emails.tasks.email_purge_sent"}


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def as_editor_sees_it(path: Path):
    """YAML as plain JSON data: timestamps become strings, as in a YAML language server."""
    return json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))


def test_the_schema_documents_fields_for_editors(validator):
    schema = validator.schema
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "beat-sync manifest"
    task = schema["$defs"]["TaskSpec"]["properties"]
    assert all(field.get("description") for field in task.values())
    assert task["enabled"]["default"] is True


@pytest.mark.parametrize("path", [*EXAMPLES, EVERY_FIELD], ids=lambda p: p.name)
def test_the_example_manifests_are_valid(validator, path: Path):
    assert list(validator.iter_errors(as_editor_sees_it(path))) == []


@pytest.mark.parametrize(
    ("task", "reason"),
    [
        ({**TASK, "cron": "0 3 * * *", "enbled": True}, "Additional properties"),
        ({**TASK}, "is not valid under any of the given schemas"),
        ({**TASK, "cron": "0 3 * * *", "interval": {"every": 1, "period": "days"}},
         "is valid under each"),
        ({**TASK, "clocked": "2026-12-24T09:00:00+02:00"}, "'one_off' is a required property"),
        ({**TASK, "cron": "0 3 * *"}, "is not valid under any of the given schemas"),
        ({**TASK, "interval": {"every": 1, "period": "minuts"}}, "is not one of"),
        ({**TASK, "cron": "0 3 * * *", "priority": 256}, "is greater than the maximum"),
        ({**TASK, "cron": "0 3 * * *", "enabled": "yes"}, "is not of type 'boolean'"),
        (
            {**TASK, "cron": "0 3 * * *", "expires": "2027-01-01T00:00:00Z", "expire_seconds": 60},
            "should not be valid under",
        ),
    ],
    ids=["unknown key", "no schedule", "two schedules", "clocked", "cron string", "period",
         "priority", "enabled", "expires"],
)  # fmt: skip
def test_invalid_manifests_are_rejected(validator, task: dict, reason: str):
    errors = list(validator.iter_errors({"periodic_tasks": [task]}))
    assert errors
    assert any(reason in error.message for e in errors for error in (e, *e.context)), [
        error.message for error in errors
    ]


def test_output_option_writes_the_file(tmp_path: Path):
    target = tmp_path / "var" / "beat-sync.schema.json"
    result = CliRunner().invoke(main, ["schema", "-o", str(target)])
    assert (result.exit_code, result.stdout) == (0, "")
    assert json.loads(target.read_text())["title"] == "beat-sync manifest"
