"""Every invalid manifest of the corpus yields exactly the message and line:column it declares."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from beat_sync.cli import main
from beat_sync.errors import LocatedError
from beat_sync.manifest import load_manifest

CORPUS = Path(__file__).parent / "corpus"
FILES = sorted(CORPUS.glob("*.yaml"))
EXPECT = re.compile(rb"^# expect: (\d+):(\d+): (.+)$")


def expected(path: Path) -> LocatedError:
    first_line = path.read_bytes().split(b"\n", 1)[0]
    match = EXPECT.match(first_line)
    assert match, f"{path.name}: the first line must be '# expect: LINE:COLUMN: message'"
    line, column, message = match.groups()
    return LocatedError(str(path), int(line), int(column), message.decode("utf-8"))


def test_the_corpus_has_at_least_40_invalid_manifests():
    assert len(FILES) >= 40


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_exactly_the_expected_located_error(path: Path):
    result = load_manifest([path])
    assert not result.ok
    assert result.errors == (expected(path),)


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_validate_prints_it_and_exits_1(path: Path):
    result = CliRunner().invoke(main, ["validate", "--no-check-tasks", str(path)])
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert lines[0] == str(expected(path))
    assert lines[-1].endswith(" - invalid")
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
