"""Manifest files: finding *.yaml/*.yml in folders and reading them, refusing what is not a file."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from beat_sync.errors import LocatedError, UserError

MANIFEST_SUFFIXES = (".yaml", ".yml")
MAX_BYTES = 5 * 1024 * 1024


def oversize_error(path: str, size: int) -> LocatedError:
    return LocatedError(
        path, 1, 1, f"file is {size:,} bytes, over the {MAX_BYTES:,}-byte (5 MiB) limit"
    )


def manifest_files(paths: Sequence[Path]) -> list[Path]:
    """Files as given, and each folder's *.yaml/*.yml (sorted, not recursive).

    A file reached more than once is listed once, where first reached. Raises UserError for a
    path that does not exist or a folder without manifests: deploying "no tasks" because of a
    wrong path would delete every periodic task.
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
    # The same file named twice (`validate a.yaml a.yaml`, a folder and a file in it, two
    # links to it) is one file: read twice, each of its tasks would be its own duplicate.
    seen: set[str] = set()
    unique = []
    for file in found:
        real = os.path.realpath(file)
        if real not in seen:
            seen.add(real)
            unique.append(file)
    return unique


def read_manifest_files(
    paths: Sequence[Path],
) -> tuple[list[tuple[str, bytes]], list[LocatedError]]:
    """(display path, bytes) of every manifest file (see manifest_files), and the unreadable ones.

    Display paths are as given.
    """
    sources: list[tuple[str, bytes]] = []
    errors: list[LocatedError] = []
    for file in manifest_files(paths):
        try:
            # A FIFO would block the open (or the read) forever, a device may never end.
            status = file.stat()
            if not stat.S_ISREG(status.st_mode):
                errors.append(LocatedError(str(file), 1, 1, "cannot read: not a regular file"))
                continue
            # A huge file is refused without reading it into memory first.
            if status.st_size > MAX_BYTES:
                errors.append(oversize_error(str(file), status.st_size))
                continue
            sources.append((str(file), file.read_bytes()))
        except OSError as exc:
            errors.append(LocatedError(str(file), 1, 1, f"cannot read: {exc.strerror or exc}"))
    return sources, errors


# Environment NAME's overlay is the folder schedules/env/NAME/ (never read as base files).
ENVIRONMENTS_FOLDER = "env"
# The environment guard records the name in beat_sync.models.ApplyRecord.environment, a column of
# 100 characters (PostgreSQL refuses a longer value, SQLite would keep it whole).
MAX_ENVIRONMENT_NAME = 100


def environment_names(schedules: Path) -> list[str]:
    """The environments under `schedules`/env/, sorted (none when `schedules` is a file)."""
    folder = schedules / ENVIRONMENTS_FOLDER
    if not folder.is_dir():
        return []
    return sorted(
        entry.name
        for entry in folder.iterdir()
        if entry.is_dir() and not entry.name.startswith(".")
    )


def overlay_of(path: Path) -> tuple[Path, str] | None:
    """(base folder, environment name) when `path` is an environment's overlay folder or a file
    in one (schedules/env/NAME[/tasks.yaml] beside a base manifest): not a manifest of its own,
    its entries change the base's tasks. None for anything else."""
    folder = path.parent if path.is_file() else path
    if folder.parent.name != ENVIRONMENTS_FOLDER or not folder.is_dir():
        return None
    base = folder.parent.parent
    if not any(f.suffix in MANIFEST_SUFFIXES for f in base.iterdir() if f.is_file()):
        return None
    return base, folder.name


def environment_folder(schedules: Path, name: str) -> Path:
    """The overlay folder of environment `name`; UserError naming the known ones otherwise."""
    known = environment_names(schedules)
    if name not in known:
        where = schedules / ENVIRONMENTS_FOLDER
        # a folder name with a control character is shown escaped, as the name asked for is
        shown = (name if name.isprintable() else repr(name) for name in known)
        listed = ", ".join(shown) if known else f"none: {where}/ has no folder"
        raise UserError(f"unknown environment {name!r} (available: {listed})")
    if len(name) > MAX_ENVIRONMENT_NAME:
        raise UserError(
            f"environment name {name!r} is {len(name)} characters: at most "
            f"{MAX_ENVIRONMENT_NAME}, the length beat-sync records for the environment guard "
            f"(rename {schedules / ENVIRONMENTS_FOLDER / name})"
        )
    return schedules / ENVIRONMENTS_FOLDER / name
