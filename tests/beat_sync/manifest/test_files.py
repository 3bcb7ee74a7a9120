"""Finding manifest files in folders and reading them: sorted, not recursive, nothing blocking."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from beat_sync.errors import LocatedError, UserError
from beat_sync.manifest import MANIFEST_SUFFIXES, load_manifest, manifest_files
from beat_sync.manifest.files import MAX_BYTES, read_manifest_files
from tests.support.processes import run, unprivileged, user_env

TASK = "styleguide_example.emails.tasks.email_purge_sent"


def test_folders_are_read_sorted_and_not_recursively(tmp_path: Path):
    (tmp_path / "b.yml").write_text(
        f"periodic_tasks:\n  - {{name: B, task: {TASK}, cron: '0 1 * * *'}}\n"
    )
    (tmp_path / "a.yaml").write_text(
        f"periodic_tasks:\n  - {{name: A, task: {TASK}, cron: '0 2 * * *'}}\n"
    )
    (tmp_path / "notes.txt").write_text("not a manifest")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.yaml").write_text("this: is not read")
    result = load_manifest([tmp_path])
    assert result.files == (str(tmp_path / "a.yaml"), str(tmp_path / "b.yml"))
    assert [spec.name for spec in result.specs] == ["A", "B"]


def test_a_huge_file_is_refused_without_reading_it_into_memory(tmp_path):
    import tracemalloc

    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)  # sparse: no disk used
    tracemalloc.start()
    try:
        result = load_manifest([tmp_path])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [str(error) for error in result.errors] == [
        f"{huge}:1:1: file is 104,857,600 bytes, over the 5,242,880-byte (5 MiB) limit"
    ]
    assert peak < 10 * 1024 * 1024


def test_a_missing_path_and_a_folder_without_manifests_are_user_errors(tmp_path: Path):
    with pytest.raises(UserError, match="no such file or folder"):
        load_manifest([tmp_path / "missing"])
    with pytest.raises(UserError, match=r"no manifest files \(\*\.yaml, \*\.yml\) in"):
        load_manifest([tmp_path])


def test_unreadable_entries_are_located_errors_not_tracebacks(tmp_path: Path):
    (tmp_path / "good.yaml").write_text("periodic_tasks: []\n")
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    (tmp_path / "broken.yaml").symlink_to(tmp_path / "nowhere.yaml")
    result = load_manifest([tmp_path])
    assert [str(error) for error in result.errors] == [
        f"{tmp_path / 'broken.yaml'}:1:1: cannot read: No such file or directory",
        f"{tmp_path / 'loop.yaml'}:1:1: cannot read: Too many levels of symbolic links",
    ]
    assert not result.ok


# Read by a process without root's power to read any file: root (CI) reads it whatever its mode.
LOAD_AND_PRINT_ERRORS = (
    "import sys; from pathlib import Path; from beat_sync.manifest import load_manifest; "
    "print(*load_manifest([Path(sys.argv[1])]).errors, sep=chr(10))"
)


def test_a_file_without_read_permission_is_a_located_error(tmp_path: Path):
    path = tmp_path / "secret.yaml"
    path.write_text("periodic_tasks: []\n")
    path.chmod(0)
    command = unprivileged([sys.executable, "-c", LOAD_AND_PRINT_ERRORS, path])
    result = run(command, env=user_env())
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == f"{path}:1:1: cannot read: Permission denied\n"


def test_only_visible_yaml_files_of_a_folder_are_manifests(tmp_path: Path):
    for name in ("b.yml", "a.yaml", ".hidden.yaml", "c.json", "d.YAML.txt"):
        (tmp_path / name).write_text("periodic_tasks: []\n")
    (tmp_path / "folder.yaml").mkdir()
    given = tmp_path / "c.json"
    assert MANIFEST_SUFFIXES == (".yaml", ".yml")
    assert manifest_files([tmp_path, given]) == [tmp_path / "a.yaml", tmp_path / "b.yml", given]


def test_a_fifo_is_refused_without_opening_it(tmp_path: Path):
    os.mkfifo(tmp_path / "pipe.yaml")  # opening it would wait for a writer forever
    (tmp_path / "good.yaml").write_bytes(b"periodic_tasks: []\n")
    sources, errors = read_manifest_files([tmp_path])
    assert sources == [(str(tmp_path / "good.yaml"), b"periodic_tasks: []\n")]
    assert errors == [
        LocatedError(str(tmp_path / "pipe.yaml"), 1, 1, "cannot read: not a regular file")
    ]


def test_a_file_over_the_limit_is_not_read(tmp_path: Path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_BYTES + 1))
    sources, errors = read_manifest_files([big])
    assert sources == []
    assert [str(error) for error in errors] == [
        f"{big}:1:1: file is 5,242,881 bytes, over the 5,242,880-byte (5 MiB) limit"
    ]


@pytest.mark.parametrize(
    "given",
    [
        ["a.yaml", "a.yaml"],  # the example: the same file twice
        [".", "a.yaml"],  # a folder, and a file in it
        ["a.yaml", "link.yaml"],  # a file and a link to it
        ["a.yaml", "sub/../a.yaml"],
    ],
    ids=["twice", "folder and file", "link", "another spelling"],
)
def test_the_same_file_given_twice_is_read_once(tmp_path: Path, monkeypatch, given):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.yaml").write_text(
        f"periodic_tasks:\n  - {{name: A, task: {TASK}, cron: '0 2 * * *'}}\n"
    )
    (tmp_path / "link.yaml").symlink_to("a.yaml")
    result = load_manifest([Path(path) for path in given])
    assert result.errors == ()
    assert [spec.name for spec in result.specs] == ["A"]
    assert result.files == (str(Path(given[0]) / "a.yaml" if given[0] == "." else given[0]),)
