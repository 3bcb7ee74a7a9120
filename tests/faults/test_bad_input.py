"""Bad input never reaches the tables: every invalid manifest of the corpus, an oversized file,
an alias bomb, a symlink loop and files that cannot be read make `beat-sync apply` exit 1 with
located messages and leave every row (checksummed) as it was; a 10,000-task manifest applies.

Most run the click command in-process against the test database (CliRunner: fast); a few run
the real `beat-sync` process. "Not readable" is a FIFO, a link to a device, and a file without
read permission, read by a process without root's power to read any file (root, as CI runs,
reads it anyway).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.db import connection

from beat_sync.cli import main
from beat_sync.tables import read_current_state
from tests.support.databases import env_sharing_test_database
from tests.support.manifests import write_generated_manifest, write_manifest
from tests.support.processes import BEAT_SYNC, REPO, run, unprivileged, user_env
from tests.support.processes import run_beat_sync as beat_sync
from tests.support.tables import checksum_tables

CORPUS = REPO / "tests" / "beat_sync" / "manifest" / "corpus"
CORPUS_FILES = sorted(CORPUS.glob("*.yaml"))
FAST_SECONDS = 5.0  # "rejected fast": in-process, including the apply command's own set-up


def apply(schedules: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["apply", "--no-color", "--schedules", str(schedules)])
    assert "Traceback" not in result.output + result.stderr
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def applied_state() -> str:
    """The example project's schedules applied, one task with run history; their checksum."""
    from django_celery_beat.models import PeriodicTask

    status, _, err = apply(REPO / "schedules")
    assert status == 0, err
    PeriodicTask.objects.filter(name="Purge sent emails").update(total_run_count=3)
    return checksum_tables()


def assert_refused(folder: Path, before: str, *messages: str) -> str:
    started = time.monotonic()
    status, out, err = apply(folder)
    seconds = time.monotonic() - started
    assert status == 1, (out, err)
    assert out == ""
    for message in messages:
        assert message in err, err
    assert "nothing was read or changed" in err.splitlines()[-1]
    assert checksum_tables() == before
    assert seconds < FAST_SECONDS, seconds
    return err


@pytest.mark.django_db
@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.stem for p in CORPUS_FILES])
def test_every_invalid_manifest_of_the_corpus_changes_nothing(path, applied_state, tmp_path):
    folder = tmp_path / "schedules"
    folder.mkdir()
    shutil.copy(path, folder / path.name)
    located = f"{folder / path.name}:"  # path:line:column: message
    assert_refused(folder, applied_state, located)


def test_the_corpus_is_there():
    assert len(CORPUS_FILES) >= 40


@pytest.mark.django_db
def test_a_manifest_over_5_mib_is_refused(applied_state, tmp_path):
    folder = write_manifest(tmp_path / "s", "")
    body = "".join(
        f"  - {{name: task {i:06d}, task: t.t, interval: {{every: 1, period: days}}, "
        f"description: {'x' * 60}}}\n"
        for i in range(45_000)
    )
    (folder / "big.yaml").write_text("periodic_tasks:\n" + body)
    assert (folder / "big.yaml").stat().st_size > 5 * 2**20
    assert_refused(folder, applied_state, "big.yaml:1:1: file is", "over the 5,242,880-byte")


@pytest.mark.django_db
def test_an_alias_bomb_is_refused(applied_state, tmp_path):
    levels = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, 10):
        levels.append(f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]")
    text = "x-bomb:\n" + "".join(f"  {line}\n" for line in levels) + "periodic_tasks: []\n"
    folder = write_manifest(tmp_path / "s", text, "bomb.yaml")
    assert_refused(folder, applied_state, "alias bomb")


@pytest.mark.django_db
def test_a_symlink_loop_in_the_schedules_folder_is_refused(applied_state, tmp_path):
    folder = tmp_path / "schedules"
    shutil.copytree(REPO / "schedules", folder)
    (folder / "loop.yaml").symlink_to("loop.yaml")
    assert_refused(folder, applied_state, "loop.yaml:1:1: cannot read:", "symbolic links")


@pytest.mark.django_db
def test_a_fifo_or_a_device_named_yaml_is_refused_not_read(applied_state, tmp_path):
    folder = tmp_path / "schedules"
    shutil.copytree(REPO / "schedules", folder)
    os.mkfifo(folder / "pipe.yaml")  # opening it would wait for a writer forever
    (folder / "zero.yaml").symlink_to("/dev/zero")  # reading it would never end
    assert_refused(
        folder,
        applied_state,
        "pipe.yaml:1:1: cannot read: not a regular file",
        "zero.yaml:1:1: cannot read: not a regular file",
    )


@pytest.mark.django_db
def test_a_file_without_read_permission_is_refused(applied_state, tmp_path):
    folder = tmp_path / "schedules"
    shutil.copytree(REPO / "schedules", folder)
    (folder / "emails.yaml").chmod(0)
    # The real process, unable to read the file, on a database nothing answers for:
    # refused before any database is opened.
    env = user_env(DATABASE_URL="postgres://nobody@127.0.0.1:9/nowhere", NO_COLOR="1")
    result = run(unprivileged([BEAT_SYNC, "apply", "--schedules", folder]), env=env)
    assert (result.returncode, result.stdout) == (1, ""), result.stderr
    assert f"{folder / 'emails.yaml'}:1:1: cannot read: Permission denied\n" in result.stderr
    assert "nothing was read or changed" in result.stderr.splitlines()[-1]
    assert "Traceback" not in result.stderr
    assert checksum_tables() == applied_state


@pytest.mark.django_db
def test_a_10000_task_manifest_applies_then_is_in_sync(tmp_path):
    folder = write_generated_manifest(tmp_path / "schedules", 10_000, variant=0)
    status, out, err = apply(folder)
    assert status == 0, err
    assert out.endswith("Applied: 10000 added, 0 changed, 0 removed (0 unchanged).\n")
    assert len(read_current_state().tasks) == 10_000
    assert apply(folder)[1] == "Already in sync: nothing to do.\n"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "name", ["alias_bomb", "yaml_syntax_bad_indent", "cron_hour_out_of_range", "not_utf8"]
)
def test_invalid_manifest_through_the_real_process_changes_nothing(name, tmp_path):
    env = env_sharing_test_database(connection)
    first = beat_sync("apply", "--schedules", REPO / "schedules", env=env)
    assert first.returncode == 0, first.stderr
    before = checksum_tables()
    folder = tmp_path / "schedules"
    folder.mkdir()
    shutil.copy(CORPUS / f"{name}.yaml", folder)
    result = beat_sync("apply", "--schedules", folder, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{folder / name}.yaml:")
    assert checksum_tables() == before
