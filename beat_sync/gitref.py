"""Reading a schedules folder as it is at a git ref, with git itself: no checkout, no database."""

from __future__ import annotations

import subprocess
from pathlib import Path

from beat_sync.errors import UserError
from beat_sync.manifest.files import MANIFEST_SUFFIXES


def _git(args: list[str], cwd: Path, stdin: bytes | None = None) -> bytes:
    try:
        completed = subprocess.run(
            ["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False
        )
    except FileNotFoundError as exc:
        raise UserError("git is not installed (needed by --base)") from exc
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UserError(f"git {args[0]} failed: {message[-1] if message else 'no output'}")
    return completed.stdout


def read_manifest_sources_at_ref(ref: str, folder: Path) -> list[tuple[str, bytes]]:
    """The `*.yaml`/`*.yml` files directly in `folder` at `ref`, as (display path, bytes).

    Display paths read `REF:path/inside/repo.yaml`, so a problem in the base manifest is located
    as precisely as one in the working tree. A folder absent at `ref` gives no files (a manifest
    that did not exist yet is an empty manifest).
    """
    folder = folder.resolve()
    probe = folder if folder.is_dir() else folder.parent
    while not probe.exists():
        probe = probe.parent
    try:
        top = Path(_git(["rev-parse", "--show-toplevel"], probe).decode().strip())
    except UserError as exc:
        raise UserError(f"--base needs a git repository: {probe} is not in one") from exc
    try:
        commit = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top)
    except UserError as exc:
        raise UserError(f"unknown git ref {ref!r} in {top}") from exc
    commit = commit.decode().strip()
    try:
        inside = folder.relative_to(top).as_posix()
    except ValueError as exc:
        raise UserError(f"{folder} is not inside the git repository {top}") from exc
    prefix = "" if inside == "." else f"{inside}/"
    listing = _git(["ls-tree", "-z", commit, "--", prefix or "."], top)
    paths = []
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, path = entry.decode("utf-8", "surrogateescape").partition("\t")
        _mode, kind, _sha = meta.split()
        if kind == "blob" and path.endswith(MANIFEST_SUFFIXES):
            paths.append(path)
    if not paths:
        return []
    paths.sort()
    batch = "".join(f"{commit}:{path}\n" for path in paths).encode()
    output = _git(["cat-file", "--batch"], top, stdin=batch)
    sources = []
    position = 0
    for path in paths:
        header_end = output.index(b"\n", position)
        size = int(output[position:header_end].split()[2])
        start = header_end + 1
        sources.append((f"{ref}:{path}", output[start : start + size]))
        position = start + size + 1  # each object is followed by a newline
    return sources
