"""`beat-sync apply`: what a deploy prints, what it writes, and two deploys at once."""

from __future__ import annotations

import errno
import io
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.core.management import call_command

from beat_sync.cli import main
from beat_sync.tables import read_current_state
from tests.support.manifests import MANIFEST, write_generated_manifest, write_manifest
from tests.support.processes import BEAT_SYNC, HOLD_MARKER, holding_beat_sync
from tests.support.processes import REPO as ROOT
from tests.support.processes import run_beat_sync as beat_sync
from tests.support.processes import run_manage as manage

CHANGED = MANIFEST.replace('cron: "30 3 * * *"', 'cron: "45 3 * * *"')


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.mark.django_db
def test_apply_prints_the_plan_and_what_it_applied_then_is_a_no_op(tmp_path):
    folder = str(write_manifest(tmp_path / "schedules"))
    result = cli("apply", "--schedules", folder)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.startswith("+ Purge sent emails\n")
    assert result.stdout.endswith(
        "\n2 to add, 0 to change, 0 to remove, 0 unchanged\n"
        "Applied: 2 added, 0 changed, 0 removed (0 unchanged).\n"
    )
    assert [t.name for t in read_current_state().tasks] == [
        "Purge sent emails",
        "Re-queue stuck emails",
    ]
    again = cli("apply", "--schedules", folder)
    assert (again.exit_code, again.stdout) == (0, "Already in sync: nothing to do.\n")


@pytest.mark.django_db
def test_dry_run_prints_the_plan_and_changes_nothing(tmp_path):
    cli("apply", "--schedules", str(write_manifest(tmp_path / "a")))
    before = read_current_state()
    result = cli("apply", "--dry-run", "--schedules", str(write_manifest(tmp_path / "b", CHANGED)))
    assert result.exit_code == 0
    assert result.stdout.startswith("~ Purge sent emails\n")
    assert result.stdout.endswith(
        "0 to add, 1 to change, 0 to remove, 1 unchanged\nDry run: nothing was changed.\n"
    )
    assert read_current_state() == before


@pytest.mark.django_db
def test_a_manifest_without_tasks_removes_everything_only_with_allow_empty(tmp_path):
    cli("apply", "--schedules", str(write_manifest(tmp_path / "a")))
    before = read_current_state()
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "tasks.yaml").write_text("")  # a truncated file: a warning, not an error

    refused = cli("apply", "--schedules", str(empty))
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"{empty / 'tasks.yaml'}:1:1: warning: empty file: no periodic tasks\n"
        "beat-sync: error: the manifest declares no periodic tasks: applying it would remove "
        "all 2; pass --allow-empty if that is what you want\n"
    )
    assert read_current_state() == before

    allowed = cli("apply", "--allow-empty", "--schedules", str(empty))
    assert allowed.exit_code == 0
    assert allowed.stdout.endswith("Applied: 0 added, 0 changed, 2 removed (0 unchanged).\n")
    assert read_current_state().tasks == ()
    # Nothing left to remove: an empty manifest on empty tables needs no flag.
    assert cli("apply", "--schedules", str(empty)).stdout == "Already in sync: nothing to do.\n"


@pytest.mark.django_db
def test_an_invalid_manifest_changes_nothing(tmp_path):
    cli("apply", "--schedules", str(write_manifest(tmp_path / "a")))
    before = read_current_state()
    bad = write_manifest(tmp_path / "b", CHANGED + "    enabled: yes please\n")
    result = cli("apply", "--schedules", str(bad))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1].endswith("1 error - invalid; nothing was read or changed")
    assert read_current_state() == before


@pytest.mark.django_db(transaction=True)
def test_done_when_edit_a_cron_diff_shows_it_apply_applies_it(own_database_env, tmp_path):
    folder = write_manifest(tmp_path / "schedules")
    schedules = ("--schedules", str(folder))
    assert beat_sync("apply", *schedules, env=own_database_env).returncode == 0
    in_sync = beat_sync("diff", *schedules, env=own_database_env)
    assert (in_sync.returncode, in_sync.stdout) == (
        0,
        "In sync: 0 to add, 0 to change, 0 to remove, 2 unchanged\n",
    )

    write_manifest(folder, CHANGED)
    drift = beat_sync("diff", "--exit-code", *schedules, env=own_database_env)
    assert drift.returncode == 2
    assert "    schedule: cron 30 3 * * * (UTC) -> cron 45 3 * * * (UTC)\n" in drift.stdout
    applied = beat_sync("apply", *schedules, env=own_database_env)
    assert applied.returncode == 0
    assert applied.stdout.endswith("Applied: 0 added, 1 changed, 0 removed (1 unchanged).\n")
    assert beat_sync("diff", "--exit-code", *schedules, env=own_database_env).returncode == 0

    # The styleguide's command name does the same.
    write_manifest(folder, MANIFEST)
    alias = manage("setup_periodic_tasks", *schedules, env=own_database_env)
    assert (alias.returncode, alias.stderr) == (0, "")
    assert alias.stdout.endswith("Applied: 0 added, 1 changed, 0 removed (1 unchanged).\n")
    again = manage("setup_periodic_tasks", *schedules, env=own_database_env)
    assert again.stdout == "Already in sync: nothing to do.\n"


def waiting_for_the_lock(process: subprocess.Popen, env: dict[str, str]) -> bool:
    """Whether `process`, an apply still running, has reached the database while another apply
    holds the lock: on PostgreSQL a session of this database waits on an advisory lock; on
    SQLite the process has the database file open (apply opens it to take the lock) and has
    kept waiting a second since."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
            )
            return cursor.fetchone()[0] == 1
    database = env["DATABASE_URL"].removeprefix("sqlite:///")
    descriptors = Path(f"/proc/{process.pid}/fd")
    try:
        opened = any(os.readlink(fd) == database for fd in descriptors.iterdir())
    except FileNotFoundError:  # it has exited
        return False
    if opened:
        time.sleep(1)
    return opened


@pytest.mark.django_db(transaction=True)
def test_a_second_apply_waits_for_the_first_and_plans_from_its_result(own_database_env, tmp_path):
    # Settings without the example's SQLite transaction_mode: the lock must be beat-sync's own.
    settings = ("--settings", "tests.beat_sync.settings_deferred")
    first = write_manifest(tmp_path / "first", MANIFEST)
    second = write_manifest(
        tmp_path / "second", MANIFEST.replace("Re-queue stuck emails", "Re-queue emails")
    )
    release = tmp_path / "release"
    # The first apply holds its lock between its delete and its inserts until `release` exists.
    held = subprocess.Popen(
        holding_beat_sync(release, "apply", *settings, "--schedules", first),
        cwd=ROOT,
        env=own_database_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    waiting = None
    try:
        assert held.stderr.readline() == f"{HOLD_MARKER}\n"  # its deletes have run
        waiting = subprocess.Popen(
            [BEAT_SYNC, "apply", *settings, "--schedules", second],
            cwd=ROOT,
            env=own_database_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # The order of events: the second apply reaches the lock and is still waiting there
        # while the first holds it...
        deadline = time.monotonic() + 60
        while not waiting_for_the_lock(waiting, own_database_env):
            assert waiting.poll() is None, f"finished while the first held the lock: {waiting}"
            assert time.monotonic() < deadline, "the second apply never reached the lock"
            time.sleep(0.05)
        assert waiting.poll() is None, "the second apply finished while the first held the lock"
    finally:
        release.touch()
    held_out, held_err = held.communicate(timeout=60)
    # ... and goes on only once the first has committed: it plans from the first's rows.
    out, err = waiting.communicate(timeout=60)

    assert (held.returncode, held_err) == (0, "")
    assert held_out.endswith("Applied: 2 added, 0 changed, 0 removed (0 unchanged).\n")
    assert (waiting.returncode, err) == (0, "")
    # It read the first apply's committed rows: it removes one of them and keeps the other.
    assert out.endswith(
        "1 to add, 0 to change, 1 to remove, 1 unchanged\n"
        "Applied: 1 added, 0 changed, 1 removed (1 unchanged).\n"
    )
    final = beat_sync("diff", "--exit-code", "--schedules", str(second), env=own_database_env)
    assert final.returncode == 0, final.stdout


# --- The exit status tells what happened to the tables, whatever happens to the output -------


def _applied_nothing(env: dict[str, str], folder) -> bool:
    diff = beat_sync("diff", "--format", "json", "--schedules", str(folder), env=env)
    return json.loads(diff.stdout)["summary"]["unchanged"] == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "stdout",
    ["closed pipe", "/dev/full", "closed"],
)
def test_a_plan_that_cannot_be_printed_is_rolled_back_and_exits_1(
    own_database_env, tmp_path, stdout
):
    folder = write_manifest(tmp_path / "schedules")
    args = [str(BEAT_SYNC), "apply", "--schedules", str(folder)]
    if stdout == "closed pipe":  # `beat-sync apply | head`, the reader gone before the plan
        process = subprocess.Popen(
            args, cwd=ROOT, env=own_database_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        process.stdout.close()
        stderr = process.stderr.read().decode()
        returncode = process.wait(timeout=60)
    else:
        shell = {"/dev/full": '"$@" >/dev/full', "closed": '"$@" >&-'}[stdout]
        result = subprocess.run(
            ["sh", "-c", shell, "sh", *args],
            cwd=ROOT,
            env=own_database_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        stderr, returncode = result.stderr, result.returncode
    reason = {
        "closed pipe": "Broken pipe",
        "/dev/full": "No space left on device",
        "closed": "it is closed",
    }[stdout]
    assert (returncode, stderr) == (
        1,
        f"beat-sync: error: cannot write to standard output: {reason}; rolled back, "
        "nothing was changed\n",
    )
    assert _applied_nothing(own_database_env, folder)


@pytest.mark.django_db(transaction=True)
def test_ctrl_c_while_the_plan_is_printed_rolls_back_and_exits_1(own_database_env, tmp_path):
    # A plan larger than a pipe's buffer: unread, its printing blocks inside the transaction.
    folder = write_generated_manifest(tmp_path / "schedules", 1000, 0)
    process = subprocess.Popen(
        [BEAT_SYNC, "apply", "--no-check-tasks", "--schedules", folder],
        cwd=ROOT,
        env=own_database_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout.read(1) == b"+"  # printing has started: the rows are written
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    printed, stderr = process.communicate(timeout=60)
    assert b"Applied:" not in printed
    assert process.returncode == 1
    assert stderr.decode().endswith("Aborted!\n")
    assert "Traceback" not in stderr.decode()
    assert _applied_nothing(own_database_env, folder)


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["", "periodic_tasks: []\n"])
def test_a_dry_run_refuses_what_apply_refuses(tmp_path, text):
    cli("apply", "--schedules", str(write_manifest(tmp_path / "a")))
    empty = write_manifest(tmp_path / "empty", text)
    dry = cli("apply", "--dry-run", "--schedules", str(empty))
    real = cli("apply", "--schedules", str(empty))
    assert (dry.exit_code, dry.stdout, dry.stderr) == (1, "", real.stderr)
    assert real.exit_code == 1
    assert "beat-sync: error: the manifest declares no periodic tasks" in real.stderr
    # With --allow-empty both go ahead (the dry run still changes nothing).
    allowed = cli("apply", "--dry-run", "--allow-empty", "--schedules", str(empty))
    assert allowed.exit_code == 0
    assert allowed.stdout.endswith("2 to remove, 0 unchanged\nDry run: nothing was changed.\n")
    assert len(read_current_state().tasks) == 2


EVERY_MINUTE = MANIFEST.replace('cron: "30 3 * * *"', 'cron: "* 3 * * *"')


@pytest.mark.django_db
def test_a_lint_warns_and_applies_and_strict_refuses_it(tmp_path):
    cli("apply", "--schedules", str(write_manifest(tmp_path / "a")))
    before = read_current_state()
    linted = str(write_manifest(tmp_path / "b", EVERY_MINUTE))

    refused = cli("apply", "--strict", "--schedules", linted)
    assert refused.exit_code == 1
    assert refused.stdout == ""
    assert refused.stderr.splitlines()[-1].endswith(
        "1 warning - invalid (--strict: warnings are errors); nothing was read or changed"
    )
    assert read_current_state() == before

    applied = cli("apply", "--schedules", linted)
    assert applied.exit_code == 0
    assert f"{linted}/tasks.yaml:4:11: BS101 minute " in applied.stderr
    assert applied.stdout.endswith("Applied: 0 added, 1 changed, 0 removed (1 unchanged).\n")


class _FillsUpAfterThePlan(io.StringIO):
    """A standard output that takes the plan, then fails (a disk that fills up just then)."""

    def write(self, text: str) -> int:
        if "Applied:" in text:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().write(text)


@pytest.mark.django_db
def test_a_report_that_cannot_be_printed_after_the_commit_says_it_was_committed(tmp_path):
    folder = str(write_manifest(tmp_path / "schedules"))
    out, err = _FillsUpAfterThePlan(), io.StringIO()
    # No CommandError: the exit status is 0, the change was applied.
    call_command("setup_periodic_tasks", "--schedules", folder, stdout=out, stderr=err)
    assert out.getvalue().endswith("2 to add, 0 to change, 0 to remove, 0 unchanged\n")
    assert err.getvalue() == (
        "beat-sync: the change was committed. Applied: 2 added, 0 changed, 0 removed "
        "(0 unchanged). (cannot write to standard output: No space left on device)\n"
    )
    assert len(read_current_state().tasks) == 2


# --- --lock-timeout: how long an apply waits for another apply's lock --------------------------


def _lock_refusal(connection, seconds: str) -> str:
    holder = (
        "another apply holds the lock"
        if connection.vendor == "postgresql"
        else "another apply (or another writer of this SQLite database) holds the lock"
    )
    return f"beat-sync: error: {holder}: waited {seconds} s (--lock-timeout {seconds})\n"


@pytest.mark.django_db(transaction=True)
def test_lock_timeout_0_fails_at_once_while_another_apply_holds_the_lock(tmp_path):
    from django.db import connection

    from tests.support.databases import apply_lock_held
    from tests.support.tables import checksum_tables

    cli("apply", "--schedules", str(write_manifest(tmp_path / "a")))
    changed = str(write_manifest(tmp_path / "b", CHANGED))
    before = checksum_tables()
    with apply_lock_held(connection):
        started = time.monotonic()
        refused = cli("apply", "--lock-timeout", "0", "--schedules", changed)
        took = time.monotonic() - started
    assert (refused.exit_code, refused.stdout) == (1, "")
    assert refused.stderr == _lock_refusal(connection, "0")
    assert took < 0.9  # no wait (the SQLite busy handler's first sleeps alone are 1+2+5 ms)
    assert checksum_tables() == before
    # The lock released, the same command applies.
    applied = cli("apply", "--lock-timeout", "0", "--schedules", changed)
    assert applied.exit_code == 0, applied.stderr
    assert applied.stdout.endswith("Applied: 0 added, 1 changed, 0 removed (1 unchanged).\n")


@pytest.mark.django_db(transaction=True)
def test_lock_timeout_waits_that_long_then_fails_and_a_longer_one_gets_the_lock(tmp_path):
    import threading

    from django.db import connection

    from tests.support.databases import apply_lock_held
    from tests.support.tables import checksum_tables

    cli("apply", "--schedules", str(write_manifest(tmp_path / "a")))
    changed = str(write_manifest(tmp_path / "b", CHANGED))
    before = checksum_tables()
    events = []
    with apply_lock_held(connection) as release:
        events.append("held")
        started = time.monotonic()
        refused = cli("apply", "--lock-timeout", "1", "--schedules", changed)
        waited = time.monotonic() - started
        events.append(f"gave up: exit {refused.exit_code}")
        assert refused.stderr == _lock_refusal(connection, "1")
        assert checksum_tables() == before

        def release_later() -> None:
            time.sleep(1)
            events.append("released")
            release()

        releaser = threading.Thread(target=release_later)
        releaser.start()
        patient = cli("apply", "--lock-timeout", "60", "--schedules", changed)
        events.append(f"applied: exit {patient.exit_code}")
        releaser.join()
    # The first gave up while the lock was still held; the second waited for its release.
    assert events == ["held", "gave up: exit 1", "released", "applied: exit 0"], patient.stderr
    assert 1 <= waited < 30
    assert patient.stdout.endswith("Applied: 0 added, 1 changed, 0 removed (1 unchanged).\n")


@pytest.mark.django_db(transaction=True)
def test_setup_periodic_tasks_takes_lock_timeout_too(tmp_path):
    from django.core.management.base import CommandError
    from django.db import connection

    from tests.support.databases import apply_lock_held

    folder = str(write_manifest(tmp_path / "a"))
    err = io.StringIO()
    with apply_lock_held(connection), pytest.raises(CommandError) as failed:
        call_command(
            "setup_periodic_tasks", "--lock-timeout", "0", "--schedules", folder, stderr=err
        )
    assert failed.value.returncode == 1
    assert err.getvalue() == _lock_refusal(connection, "0")
    assert read_current_state().tasks == ()


def test_lock_timeout_must_be_a_number_of_seconds_0_or_more():
    result = cli("apply", "--lock-timeout", "-1")
    assert result.exit_code == 1
    assert "Invalid value for '--lock-timeout': -1.0 is not in the range x>=0." in result.stderr
