"""The manifest core: schedules/*.yaml to TaskSpecs or located errors; pure, no Django, no database.

files (finding and reading) -> loader (YAML with positions) -> validate (shapes and rules) ->
load (ManifestResult, names unique across files); see beat_sync.manifest.load for an example.
"""

from beat_sync.errors import Location
from beat_sync.manifest.files import MANIFEST_SUFFIXES, manifest_files
from beat_sync.manifest.load import ManifestResult, load_manifest, load_manifest_sources
from beat_sync.manifest.rules import Problem, did_you_mean
from beat_sync.manifest.shapes import TaskSpec

__all__ = [
    "MANIFEST_SUFFIXES",
    "Location",
    "ManifestResult",
    "Problem",
    "TaskSpec",
    "did_you_mean",
    "load_manifest",
    "load_manifest_sources",
    "manifest_files",
]
