"""Loading a whole manifest: every file read, parsed and validated into one ManifestResult.

    result = load_manifest([Path("schedules")])
    if not result.ok:
        for error in result.errors: print(error)   # path:line:column: message

`result.specs` holds every task that validated, even when other tasks did not: callers that act
on the manifest (diff, apply) must check `result.ok` first.
"""

from __future__ import annotations

import contextlib
import gc
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from beat_sync.errors import LocatedError, Location, has_errors
from beat_sync.manifest.files import read_manifest_files
from beat_sync.manifest.loader import load_document
from beat_sync.manifest.overlay import compose
from beat_sync.manifest.rules import SCHEDULE_KINDS
from beat_sync.manifest.shapes import TaskSpec
from beat_sync.manifest.validate import read_top_level, validate_document, validate_tasks


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class ManifestResult:
    specs: tuple[TaskSpec, ...]  # every task that validated, in file order
    errors: tuple[LocatedError, ...]  # sorted; warnings included
    files: tuple[str, ...]  # display paths, in reading order
    # (task, where written) of each task that did not validate: still checked against the
    # project (beat_sync.project.project_errors), so that one run reports every problem
    unchecked_tasks: tuple[tuple[str, Location], ...] = ()

    @property
    def ok(self) -> bool:
        return not has_errors(self.errors)

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


def load_manifest(
    paths: Sequence[Path], overlay: Path | None = None, environment: str | None = None
) -> ManifestResult:
    """Read and validate files and folders (see manifest_files); display paths are as given.
    With `overlay` (a folder), as environment `environment` (beat_sync.manifest.overlay)."""
    sources, read_errors = read_manifest_files(paths)
    overlay_sources = None
    if overlay is not None:
        overlay_sources, overlay_errors = read_manifest_files([overlay])
        read_errors.extend(overlay_errors)
    result = load_manifest_sources(sources, overlay_sources, environment)
    if not read_errors:
        return result
    return ManifestResult(
        specs=result.specs,
        errors=tuple(sorted((*result.errors, *read_errors))),
        files=tuple(sorted({*result.files, *(error.path for error in read_errors)})),
        unchecked_tasks=result.unchecked_tasks,
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


def load_manifest_sources(
    sources: Sequence[tuple[str, bytes]],
    overlay: Sequence[tuple[str, bytes]] | None = None,
    environment: str | None = None,
) -> ManifestResult:
    """Validate (display path, raw bytes) pairs as one manifest; never raises for bad content.
    With `overlay` (an environment's files), the base with that environment's overlay applied."""
    with _collector_paused():
        if overlay is None:
            return _load_sources(sources)
        return _load_environment(sources, overlay, environment)


def _load_environment(
    sources: Sequence[tuple[str, bytes]],
    overlay: Sequence[tuple[str, bytes]],
    environment: str | None,
) -> ManifestResult:
    """The base and the overlay composed (beat_sync.manifest.overlay), then validated."""
    errors: list[LocatedError] = []
    refused: set[Location] = set()
    parts: list[list] = [[], []]
    for part, files, is_overlay in ((parts[0], sources, False), (parts[1], overlay, True)):
        for path, raw in files:
            document, load_errors = load_document(path, raw)
            if is_overlay and document is None and not has_errors(load_errors):
                load_errors = [LocatedError(path, 1, 1, "empty overlay file: it changes nothing")]
            errors.extend(load_errors)
            refused.update(error.location for error in load_errors)
            if document is not None:
                top = read_top_level(document, overlay=is_overlay)
                errors.extend(top.errors)
                part.append((document, top))
    composed, items, overlay_errors = compose(parts[0], parts[1], environment)
    checked = validate_tasks(composed, items)
    errors.extend(overlay_errors)
    errors.extend(e for e in checked.errors if e.location not in refused)
    errors.extend(_duplicate_names(checked.names))
    # after composing: an overlay (or its defaults) can list previous names as a base file can
    errors.extend(_previous_name_errors(checked.specs, {name for name, _ in checked.names}))
    return ManifestResult(
        specs=tuple(checked.specs),
        errors=tuple(sorted(set(errors))),
        files=tuple(path for path, _ in (*sources, *overlay)),
        unchecked_tasks=tuple(checked.unchecked_tasks),
    )


def _load_sources(sources: Sequence[tuple[str, bytes]]) -> ManifestResult:
    specs: list[TaskSpec] = []
    errors: list[LocatedError] = []
    names: list[tuple[str, Location]] = []
    unchecked_tasks: list[tuple[str, Location]] = []
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
            unchecked_tasks.extend(checked.unchecked_tasks)
    errors.extend(_duplicate_names(names))
    errors.extend(_previous_name_errors(specs, {name for name, _ in names}))
    return ManifestResult(
        specs=tuple(specs),
        errors=tuple(sorted(set(errors))),
        files=tuple(path for path, _ in sources),
        unchecked_tasks=tuple(unchecked_tasks),
    )


def _duplicate_names(names: Sequence[tuple[str, Location]]) -> list[LocatedError]:
    """A located error at every place of a task name written more than once (in any file).

    Names equal once in Unicode's NFC form are the same name: "Café" written with a precomposed
    é or with e and a combining accent look alike to every reviewer."""
    by_name: dict[str, list[tuple[str, Location]]] = defaultdict(list)
    for name, place in names:
        by_name[unicodedata.normalize("NFC", name)].append((name, place))
    errors = []
    for written in by_name.values():
        if len(written) < 2:
            continue
        forms = {name for name, _ in written}
        # Written differently, the names are shown with their code points escaped (ascii()).
        shown = repr if len(forms) == 1 else ascii
        same = "" if len(forms) == 1 else "; the same name once normalised to Unicode NFC"
        for name, place in written:
            others = ", ".join(
                str(other) if other_name == name else f"{other} as {shown(other_name)}"
                for other_name, other in written
                if other is not place
            )
            message = f"duplicate task name {shown(name)} (also at {others}{same})"
            errors.append(LocatedError.at(place, message))
    return errors


def _previous_name_errors(specs: Sequence[TaskSpec], declared: set[str]) -> list[LocatedError]:
    """A `previous_names` entry must name no declared task and be listed by one task only:
    otherwise which row is renamed into which task is ambiguous. One message per place: tasks
    given the entry by one `defaults` share its place."""
    listed_by: dict[str, list[TaskSpec]] = defaultdict(list)
    for spec in specs:
        for old in dict.fromkeys(spec.previous_names):
            listed_by[old].append(spec)
    errors = []
    for old, owners in listed_by.items():
        at_place: dict[Location, list[TaskSpec]] = defaultdict(list)
        for spec in owners:
            place = spec.location_of("previous_names") or spec.location
            if place is not None:
                at_place[place].append(spec)
        for place, here in at_place.items():
            if old in declared:
                message = f"previous name {old!r} is also declared as a task name"
            elif len(here) > 1:
                listed = ", ".join(repr(spec.name) for spec in owners)
                message = (
                    f"previous name {old!r} is listed by {listed}: one row cannot be renamed "
                    "into several tasks"
                )
            elif len(owners) > 1:
                others = ", ".join(repr(other.name) for other in owners if other not in here)
                message = f"previous name {old!r} is also listed by {others}"
            else:
                continue
            errors.append(LocatedError.at(place, message))
    return errors
