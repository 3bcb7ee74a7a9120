"""The `beat-sync` group itself, run as the console script a user runs."""

import subprocess
import sys
from pathlib import Path

import pytest

from beat_sync import __version__


def beat_sync(*args):
    return subprocess.run(
        [sys.executable, "-m", "beat_sync", *args], capture_output=True, text=True, check=False
    )


def test_version_and_help_exit_0():
    version = beat_sync("--version")
    assert (version.returncode, version.stdout) == (0, f"beat-sync, version {__version__}\n")
    help_ = beat_sync("--help")
    assert help_.returncode == 0
    for name in ("apply", "diff", "export", "schema", "validate"):
        assert f"  {name} " in help_.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nosuch"], "No such command 'nosuch'"),
        (["diff", "--format", "xml"], "Invalid value for '--format'"),
        (["diff", "--no-such-option"], "No such option '--no-such-option'"),
    ],
)
def test_a_usage_error_exits_1_not_the_2_that_means_changes(args, message):
    result = beat_sync(*args)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args", [["schema"], ["validate", "--no-check-tasks"], ["diff", "--base", "HEAD"]]
)
def test_output_that_cannot_be_written_is_one_line_not_a_traceback(args):
    # /dev/full: every write fails with "No space left on device".
    command = [sys.executable, "-m", "beat_sync", *args]
    result = subprocess.run(
        ["sh", "-c", '"$@" > /dev/full', "sh", *command],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert (result.returncode, result.stderr) == (
        1,
        "beat-sync: error: cannot write the output: No space left on device\n",
    )


@pytest.mark.parametrize(
    "args",
    [
        ["schema", "-o", "{folder}"],
        ["next", "--count", "1", "-o", "{folder}"],
        ["next", "--format", "svg", "--output", "{folder}"],
    ],
)
def test_an_output_file_that_is_a_folder_is_one_line_exit_1(tmp_path, args):
    folder = tmp_path / "a folder"
    folder.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "beat_sync", *(arg.format(folder=folder) for arg in args)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"beat-sync: error: cannot write {folder}: Is a directory\n"
    assert list(folder.iterdir()) == []
