"""The `beat-sync` group itself, run as the console script a user runs."""

import subprocess
import sys

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
