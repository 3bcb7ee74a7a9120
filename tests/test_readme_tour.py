"""README.md's tour and system-check console blocks, run as a reader runs them: every output
line must be the README's, byte for byte (the refactors of issue 9 change no output).

The README's ```console blocks of "## A tour" and "### The system check" are parsed: a line
starting with `$ ` is a command, the lines after it (to the next command or the block's end,
the blank separator line dropped) its output. They run through bash, stdout and stderr in one
pipe as a terminal shows them, in a temporary git repository holding a copy of pyproject.toml,
schedules/ and example_project/ (committed, for `diff --base HEAD`), with its own SQLite
database migrated first, NO_COLOR=1, BEAT_SYNC_NOW as README says, and no
DJANGO_SETTINGS_MODULE. The edits the narrative
describes are made before the commands that need them.

Skipped on the PostgreSQL pass: the tour is the example project on its own SQLite file whatever
the test database is, so a second run would repeat the first exactly.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.processes import BEAT_SYNC, PROCESS_TIMEOUT, REPO, run, user_env

README = REPO / "README.md"
SAME_PLAN = "[the same plan as diff printed, then:]"
EMAILS = Path("schedules") / "emails.yaml"
TYPOS = (
    ('cron: {minute: "30", hour: "3"}', 'cron: {minute: "30", hour: "27"}'),
    ("tasks.email_requeue_stuck\n", "tasks.email_requeue_stuk\n"),
)
TOUR_NOW = "2026-11-28T12:00:00+00:00"
MINUTE_45 = (('cron: {minute: "30", hour: "3"}', 'cron: {minute: "45", hour: "3"}'),)


def console_commands(text: str, section: str) -> list[tuple[str, str]]:
    """The (command, expected output) pairs of the ```console blocks of one README section."""
    pairs: list[tuple[str, list[str]]] = []
    for part in re.split(r"^(?=#{2,3} )", text, flags=re.MULTILINE):
        if not part.startswith(section + "\n"):
            continue
        for body in re.findall(r"^```console\n(.*?)^```$", part, re.MULTILINE | re.DOTALL):
            start = len(pairs)
            for line in body.splitlines():
                if line.startswith("$ "):
                    pairs.append((line[2:], []))
                else:
                    assert len(pairs) > start, f"output before any command in {section}"
                    pairs[-1][1].append(line)
    assert pairs, f"no console block in {section}"
    return [(command, expected_text(lines)) for command, lines in pairs]


def expected_text(lines: list[str]) -> str:
    while lines and lines[-1] == "":
        lines = lines[:-1]
    return "".join(f"{line}\n" for line in lines)


def edit(root: Path, replacements):
    path = root / EMAILS
    text = path.read_text()
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text)
    return replacements


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh clone's worth of the example: pyproject.toml, schedules/, example_project/."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the tour runs on its own SQLite file: the SQLite pass has run it already")
    root = tmp_path / "clone"
    root.mkdir()
    shutil.copy(REPO / "pyproject.toml", root)
    shutil.copytree(REPO / "schedules", root / "schedules")
    ignore = shutil.ignore_patterns("var", "__pycache__", "*.sqlite3")
    shutil.copytree(REPO / "example_project", root / "example_project", ignore=ignore)
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["-c", "user.name=Tour", "-c", "user.email=tour@example.com", "commit", "-q", "-m", "x"],
    ):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    return root


def test_the_readme_tour_prints_what_the_readme_shows(project: Path, tmp_path: Path):
    env = user_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        NO_COLOR="1",
        # The moment the next runs count from, as README's tour says.
        BEAT_SYNC_NOW=TOUR_NOW,
        # `beat-sync` and `python` as on the README's PATH: .venv/bin first.
        PATH=f"{BEAT_SYNC.parent}:{user_env()['PATH']}",
    )

    def shell(command: str) -> str:
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=project,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=PROCESS_TIMEOUT,
            check=False,
        )
        return done.stdout

    assert shell("python example_project/manage.py migrate --noinput -v 0") == ""
    readme = README.read_text(encoding="utf-8")
    ((check_command, check_expected),) = console_commands(readme, "### The system check")

    ran: list[tuple[str, str, str]] = []  # command, output, the README's output
    edits = []
    for command, expected in console_commands(readme, "## A tour"):
        if command.startswith("beat-sync diff --exit-code"):
            edits.append(edit(project, MINUTE_45))
        if expected.startswith(SAME_PLAN):
            # `apply` prints the plan `diff` printed just before, then the Applied line.
            assert ran[-1][0].startswith("beat-sync diff"), ran[-1][0]
            edits.append(SAME_PLAN)
            expected = ran[-1][1] + expected.removeprefix(SAME_PLAN + "\n")
        if "after two typos" in command:
            edits.append(edit(project, TYPOS))
            ran.append((command, shell(command), expected))
            ran.append((check_command, shell(check_command), check_expected))
            edit(project, [(new, old) for old, new in TYPOS])
            continue
        ran.append((command, shell(command), expected))

    # Every edit the narrative describes was made (a reworded README fails here, not silently).
    assert edits == [TYPOS, SAME_PLAN, MINUTE_45], edits
    assert len(ran) == 11, [command for command, _, _ in ran]
    for command, actual, expected in ran:
        assert actual == expected, f"$ {command}"


def test_the_readme_from_python_example_prints_what_the_readme_shows(project: Path, tmp_path: Path):
    """README's "### From Python" block, run on a freshly migrated example database."""
    readme = README.read_text(encoding="utf-8")
    section = readme.split("### From Python\n", 1)[1].split("\n### ", 1)[0]
    code = re.search(r"^```python\n(.*?)^```$", section, re.MULTILINE | re.DOTALL).group(1)
    shown = re.search(r"^```text\n(.*?)^```$", section, re.MULTILINE | re.DOTALL).group(1)
    env = user_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", NO_COLOR="1")
    python = BEAT_SYNC.with_name("python")
    migrate = run(
        [python, "example_project/manage.py", "migrate", "--noinput"], env=env, cwd=project
    )
    assert migrate.returncode == 0, migrate.stderr
    done = run([python, "-c", code], env=env, cwd=project)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == shown
