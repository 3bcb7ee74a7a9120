"""The manifest's JSON Schema, generated from the pydantic models (one source of truth)."""

from __future__ import annotations

from typing import Any

from beat_sync.manifest.shapes import Manifest

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def manifest_json_schema() -> dict[str, Any]:
    schema = Manifest.model_json_schema(mode="validation")
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "beat-sync manifest",
        **{key: value for key, value in schema.items() if key != "title"},
    }
