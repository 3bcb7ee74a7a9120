"""A pytest plugin the mutation runner loads (`-p mutants.guard`): the run stops at once unless
it tests the scratch copy (MUTANTS_SCRATCH), not the editable install's original tree.

beat-sync is installed editable from the repository, so a pytest started in a scratch copy could
import the unmutated package and report every mutation as surviving, or worse, test the original
while claiming a catch. The runner sets PYTHONPATH and the working directory to the copy; this
checks that it worked for the pytest process (run.py checks the processes tests start).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    scratch = Path(os.environ["MUTANTS_SCRATCH"]).resolve()
    import beat_sync

    where = {
        "beat_sync": Path(beat_sync.__file__).resolve(),
        "pytest's rootdir": Path(config.rootpath).resolve(),
    }
    for what, path in where.items():
        if not path.is_relative_to(scratch):
            raise pytest.UsageError(
                f"mutants: {what} is {path}, outside the scratch copy {scratch}"
            )
