"""Reading a schedules folder (or one manifest file) as it is at a git ref, with git itself: no
checkout, no database."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from beat_sync.errors import UserError
from beat_sync.manifest.files import MANIFEST_SUFFIXES

SYMLINK_MODE = "120000"
# What `git cat-file --batch --follow-symlinks` answers instead of an object when it cannot
# follow a link inside the repository (see git-cat-file(1)).
SYMLINK_FAILURES = {
    "symlink": "it points outside the repository ({detail})",
    "dangling": "its target does not exist at the ref",
    "loop": "it is a loop of symlinks",
    "notdir": "a folder on its way is a file at the ref",
}


def _git_reason(stderr: bytes) -> str:
    """git's own reason, in one line: its first `fatal:`/`error:` line, with the command it
    suggests (dubious ownership: `git config --global --add safe.directory ...`)."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return "no output"
    first = next((line for line in lines if line.startswith(("fatal:", "error:"))), lines[0])
    reason = first.partition(":")[2].strip() if first.startswith(("fatal:", "error:")) else first
    commands = [line for line in lines if line.startswith("git ")]
    return f"{reason} ({commands[0]})" if commands else reason


def _git(args: list[str], cwd: Path, stdin: bytes | None = None) -> bytes:
    try:
        completed = subprocess.run(
            ["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False
        )
    except FileNotFoundError as exc:
        raise UserError("git is not installed (needed by --base)") from exc
    if completed.returncode != 0:
        raise UserError(f"git {args[0]} failed: {_git_reason(completed.stderr)}")
    return completed.stdout


def _toplevel(probe: Path) -> Path:
    try:
        completed = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=probe, capture_output=True, check=False
        )
    except FileNotFoundError as exc:
        raise UserError("git is not installed (needed by --base)") from exc
    if completed.returncode == 0:
        return Path(completed.stdout.decode().strip())
    reason = _git_reason(completed.stderr)
    if reason.startswith("not a git repository (or any"):
        raise UserError(f"--base needs a git repository: {probe} is not in one")
    # Dubious ownership (a repository owned by another user, as in many CI containers), a
    # broken .git file...: git's own reason and fix, not "not a repository".
    raise UserError(f"--base: git cannot read the repository of {probe}: {reason}")


def _entries(commit: str, pathspec: str, top: Path) -> list[tuple[str, str, str, str]]:
    """(mode, type, object id, path) of `git ls-tree` for `pathspec` at `commit`."""
    entries = []
    for entry in _git(["ls-tree", "-z", commit, "--", pathspec], top).split(b"\0"):
        if entry:
            meta, _, path = entry.decode("utf-8", "surrogateescape").partition("\t")
            mode, kind, object_id = meta.split()
            entries.append((mode, kind, object_id, path))
    return entries


def read_manifest_sources_at_ref(ref: str, folder: Path) -> list[tuple[str, bytes]]:
    """The manifest at `ref` as (display path, bytes): the `*.yaml`/`*.yml` files directly in
    `folder`, or `folder` itself when it is a file there (whatever its suffix, as the working
    tree reads a file given by name).

    Display paths read `REF:path/inside/repo.yaml`, so a problem in the base manifest is located
    as precisely as one in the working tree. A path absent at `ref` gives no files (a manifest
    that did not exist yet is an empty manifest). A committed symlink is read as its target at
    `ref`, as the working tree reads a symlink; one git cannot follow inside the repository (it
    points outside, dangles, loops) is a UserError naming it.
    """
    # A file's own name is kept (a symlink is followed at the ref, not in the working tree).
    absolute = Path(os.path.abspath(folder))
    folder = absolute.resolve() if absolute.is_dir() else absolute.parent.resolve() / absolute.name
    probe = folder if folder.is_dir() else folder.parent
    while not probe.exists():
        probe = probe.parent
    top = _toplevel(probe)
    try:
        commit = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top)
    except UserError as exc:
        raise UserError(f"unknown git ref {ref!r} in {top}") from exc
    commit = commit.decode().strip()
    try:
        inside = folder.relative_to(top).as_posix()
    except ValueError as exc:
        raise UserError(f"{folder} is not inside the git repository {top}") from exc

    given = _entries(commit, inside, top) if inside != "." else []
    if len(given) == 1 and given[0][1] == "blob" and given[0][3] == inside:
        entries = given  # a file: read whatever its suffix
    else:
        prefix = "" if inside == "." else f"{inside}/"
        entries = [
            entry
            for entry in _entries(commit, prefix or ".", top)
            if entry[1] == "blob" and entry[3].endswith(MANIFEST_SUFFIXES)
        ]
    entries.sort(key=lambda entry: entry[3])
    if not entries:
        return []

    # Files by object id (any name, line breaks included); symlinks by path, for git to
    # follow inside the tree at `commit`.
    requests = []
    for mode, _kind, object_id, path in entries:
        if mode != SYMLINK_MODE:
            requests.append(object_id)
        elif "\n" in path:
            raise UserError(f"{ref}:{path!r}: cannot read a symlink whose name has a line break")
        else:
            requests.append(f"{commit}:{path}")
    batch = "".join(f"{request}\n" for request in requests).encode("utf-8", "surrogateescape")
    output = _git(["cat-file", "--batch", "--follow-symlinks"], top, stdin=batch)

    sources = []
    position = 0
    for _mode, _kind, object_id, path in entries:
        header_end = output.index(b"\n", position)
        header = output[position:header_end].decode("utf-8", "surrogateescape").split()
        position = header_end + 1
        if header[0] in SYMLINK_FAILURES or header[-1] == "missing":
            # The link's own text, as `ls -l` shows it (git's detail is relative to the top).
            target = _git(["cat-file", "blob", object_id], top).decode("utf-8", "replace")
            reason = SYMLINK_FAILURES.get(header[0], SYMLINK_FAILURES["dangling"])
            raise UserError(
                f"{ref}:{path}: cannot read the symlink: {reason.format(detail=target)}"
            )
        _object, kind, size_text = header
        size = int(size_text)
        content = output[position : position + size]
        position += size + 1  # each object is followed by a newline
        if kind == "blob":  # a link to a folder is skipped, as manifest_files skips folders
            sources.append((f"{ref}:{path}", content))
    return sources
