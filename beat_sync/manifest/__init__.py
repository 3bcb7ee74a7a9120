"""The manifest core: schedules/*.yaml to TaskSpecs or located errors; pure, no Django, no database.

    result = load_manifest([Path("schedules")])
    if not result.ok:
        for error in result.errors: print(error)   # path:line:column: message

`result.specs` holds every task that validated, even when other tasks did not: callers that act
on the manifest (diff, apply) must check `result.ok` first.
"""

from __future__ import annotations

import contextlib
import gc
import stat
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from beat_sync.errors import LocatedError, UserError
from beat_sync.manifest.loader import MAX_BYTES, load_document, oversize_error
from beat_sync.manifest.models import SCHEDULE_KINDS, SourceLocation, TaskSpec, did_you_mean
from beat_sync.manifest.validate import validate_document

__all__ = [
    "ManifestResult",
    "SourceLocation",
    "TaskSpec",
    "did_you_mean",
    "load_manifest",
    "load_manifest_sources",
    "manifest_files",
]

MANIFEST_SUFFIXES = (".yaml", ".yml")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class ManifestResult:
    specs: tuple[TaskSpec, ...]  # every task that validated, in file order
    errors: tuple[LocatedError, ...]  # sorted; warnings included
    files: tuple[str, ...]  # display paths, in reading order

    @property
    def ok(self) -> bool:
        return not any(error.severity == "error" for error in self.errors)

    def summary(self) -> str:
        """`2 files, 3 tasks (cron: 2, interval: 1)`, plus error and warning counts if any."""
        text = f"{_plural(len(self.files), 'file')}, {_plural(len(self.specs), 'task')}"
        kinds = Counter(spec.schedule_kind for spec in self.specs)
        if kinds:
            text += " (" + ", ".join(f"{k}: {kinds[k]}" for k in SCHEDULE_KINDS if kinds[k]) + ")"
        counts = Counter(error.severity for error in self.errors)
        if counts["error"]:
            text += f", {_plural(counts['error'], 'error')}"
        if counts["warning"]:
            text += f", {_plural(counts['warning'], 'warning')}"
        return text


def manifest_files(paths: Sequence[Path]) -> list[Path]:
    """Files as given, and each folder's *.yaml/*.yml (sorted, not recursive).

    Raises UserError for a path that does not exist or a folder without manifests: deploying
    "no tasks" because of a wrong path would delete every periodic task.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            try:
                entries = sorted(path.iterdir())
            except OSError as exc:
                raise UserError(f"cannot list {path}: {exc.strerror or exc}") from exc
            # Not filtered with is_file(): a broken link or a link loop is reported, not skipped
            children = [
                entry
                for entry in entries
                if entry.suffix in MANIFEST_SUFFIXES and not entry.name.startswith(".")
                if not entry.is_dir()
            ]
            if not children:
                raise UserError(f"no manifest files (*.yaml, *.yml) in {path}")
            found.extend(children)
        elif path.exists() or path.is_symlink():
            found.append(path)
        else:
            raise UserError(f"{path}: no such file or folder")
    return found


def load_manifest(paths: Sequence[Path]) -> ManifestResult:
    """Read and validate files and folders (see manifest_files); display paths are as given."""
    sources: list[tuple[str, bytes]] = []
    read_errors: list[LocatedError] = []
    for file in manifest_files(paths):
        try:
            # A FIFO would block the open (or the read) forever, a device may never end.
            status = file.stat()
            if not stat.S_ISREG(status.st_mode):
                read_errors.append(LocatedError(str(file), 1, 1, "cannot read: not a regular file"))
                continue
            # A huge file is refused without reading it into memory first.
            if status.st_size > MAX_BYTES:
                read_errors.append(oversize_error(str(file), status.st_size))
                continue
            sources.append((str(file), file.read_bytes()))
        except OSError as exc:
            read_errors.append(LocatedError(str(file), 1, 1, f"cannot read: {exc.strerror or exc}"))
    result = load_manifest_sources(sources)
    if not read_errors:
        return result
    return ManifestResult(
        specs=result.specs,
        errors=tuple(sorted((*result.errors, *read_errors))),
        files=tuple(sorted({*result.files, *(error.path for error in read_errors)})),
    )


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Hold off the cyclic garbage collector while building many small objects.

    Composing YAML makes one node, mark and position per value and no garbage cycles; with the
    collector running, its passes over these young objects more than double the loading time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # Re-enabled as they are, the next allocations (diff's database read) would pay the
        # deferred passes over every object made here: frozen, the cyclic collector skips
        # them. Reference counting still frees them, as loading makes no reference cycles
        # (test_loading_leaves_no_cyclic_garbage) but for a few per distinct cron field that
        # Celery's crontab parser makes, once each (the validation caches its answers).
        gc.freeze()
        if was_enabled:
            gc.enable()


def load_manifest_sources(sources: Sequence[tuple[str, bytes]]) -> ManifestResult:
    """Validate (display path, raw bytes) pairs as one manifest; never raises for bad content."""
    with _collector_paused():
        return _load_sources(sources)


def _load_sources(sources: Sequence[tuple[str, bytes]]) -> ManifestResult:
    specs: list[TaskSpec] = []
    errors: list[LocatedError] = []
    names: list[tuple[str, SourceLocation]] = []
    for path, raw in sources:
        document, load_errors = load_document(path, raw)
        errors.extend(load_errors)
        if document is not None:
            checked = validate_document(document)
            specs.extend(checked.specs)
            # A value the loader refused (unknown tag, bad scalar) reads as null: one message only
            refused = {(error.line, error.column) for error in load_errors}
            errors.extend(e for e in checked.errors if (e.line, e.column) not in refused)
            names.extend(checked.names)
    errors.extend(_duplicate_names(names))
    return ManifestResult(
        specs=tuple(specs),
        errors=tuple(sorted(set(errors))),
        files=tuple(path for path, _ in sources),
    )


def _duplicate_names(names: Sequence[tuple[str, SourceLocation]]) -> list[LocatedError]:
    by_name: dict[str, list[SourceLocation]] = defaultdict(list)
    for name, place in names:
        by_name[name].append(place)
    errors = []
    for name, places in by_name.items():
        if len(places) < 2:
            continue
        for place in places:
            others = ", ".join(str(other) for other in places if other is not place)
            errors.append(
                LocatedError(
                    place.path,
                    place.line,
                    place.column,
                    f"duplicate task name {name!r} (also at {others})",
                )
            )
    return errors
