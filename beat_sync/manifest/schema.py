"""The manifest's JSON Schema, generated from the pydantic models (one source of truth)."""

from __future__ import annotations

from typing import Any

from beat_sync.manifest.shapes import Manifest, Overlay

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def manifest_json_schema(*, overlay: bool = False) -> dict[str, Any]:
    """The schema of a base file, or with `overlay` of an environment's overlay file."""
    model = Overlay if overlay else Manifest
    schema = model.model_json_schema(mode="validation")
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "beat-sync overlay" if overlay else "beat-sync manifest",
        **{key: value for key, value in schema.items() if key != "title"},
    }
