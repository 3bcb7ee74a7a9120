"""`manage.py beat_sync ...` and `manage.py setup_periodic_tasks`: the CLI's options, output and
exit codes, from the command line and from call_command()."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from beat_sync.tables import read_current_state
from tests.support.manifests import MANIFEST, write_manifest
from tests.support.processes import run_manage as manage
from tests.support.processes import user_env

CHANGED = MANIFEST.replace('cron: "30 3 * * *"', 'cron: "45 3 * * *"')


@pytest.mark.django_db(transaction=True)
def test_manage_py_runs_every_command_with_the_same_exit_codes(own_database_env, tmp_path):
    folder = write_manifest(tmp_path / "schedules")
    schedules = ("--schedules", str(folder))

    valid = manage("beat_sync", "validate", str(folder), env=own_database_env)
    assert (valid.returncode, valid.stdout) == (
        0,
        f"{folder}: 1 file, 2 tasks (cron: 2) - valid\n",
    )
    drift = manage("beat_sync", "diff", "--exit-code", *schedules, env=own_database_env)
    assert drift.returncode == 2
    assert drift.stdout.endswith("2 to add, 0 to change, 0 to remove, 0 unchanged\n")
    applied = manage("beat_sync", "apply", *schedules, env=own_database_env)
    assert applied.stdout.endswith("Applied: 2 added, 0 changed, 0 removed (0 unchanged).\n")
    exported = manage("beat_sync", "export", env=own_database_env)
    assert exported.returncode == 0
    assert "  - name: Purge sent emails\n" in exported.stdout

    bad = write_manifest(tmp_path / "bad", MANIFEST.replace("*/15", "61"))
    invalid = manage("setup_periodic_tasks", "--schedules", str(bad), env=own_database_env)
    assert invalid.returncode == 1
    assert "tasks.yaml:8:" in invalid.stderr and "Traceback" not in invalid.stderr
    unknown = manage("beat_sync", "diff", "--database", "other", *schedules, env=own_database_env)
    assert (unknown.returncode, unknown.stderr) == (
        1,
        "beat-sync: error: unknown database alias 'other' (DATABASES has: default)\n",
    )


def test_help_names_the_management_command():
    result = manage("setup_periodic_tasks", "--help", env=user_env())
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: manage.py setup_periodic_tasks [OPTIONS]\n")
    assert "--dry-run" in result.stdout


@pytest.mark.django_db
def test_call_command_applies_and_raises_command_error_with_the_exit_code(tmp_path, capsys):
    folder = str(write_manifest(tmp_path / "schedules"))
    call_command("setup_periodic_tasks", "--schedules", folder)
    assert capsys.readouterr().out.endswith(
        "Applied: 2 added, 0 changed, 0 removed (0 unchanged).\n"
    )
    assert len(read_current_state().tasks) == 2

    changed = str(write_manifest(tmp_path / "changed", CHANGED))
    with pytest.raises(CommandError) as raised:
        call_command("beat_sync", "diff", "--exit-code", "--schedules", changed)
    assert raised.value.returncode == 2
    assert "~ Purge sent emails" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("setup_periodic_tasks", "--bogus"), "No such option '--bogus'"),
        (("setup_periodic_tasks", "--database"), "Option '--database' requires an argument."),
        (("beat_sync", "diff", "--format", "xml"), "Invalid value for '--format'"),
    ],
)
def test_a_usage_error_of_a_management_command_exits_1(args, message):
    result = manage(*args, env=user_env())
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.django_db
def test_call_command_writes_to_the_stdout_and_stderr_it_is_given(tmp_path, capsys):
    folder = str(write_manifest(tmp_path / "schedules"))
    out, err = io.StringIO(), io.StringIO()
    call_command("setup_periodic_tasks", "--schedules", folder, stdout=out, stderr=err)
    assert out.getvalue().endswith("Applied: 2 added, 0 changed, 0 removed (0 unchanged).\n")
    diff_out = io.StringIO()
    call_command("beat_sync", "diff", "--schedules", folder, stdout=diff_out)
    assert diff_out.getvalue() == "In sync: 0 to add, 0 to change, 0 to remove, 2 unchanged\n"

    bad = str(write_manifest(tmp_path / "bad", MANIFEST.replace("*/15", "61")))
    with pytest.raises(CommandError):
        call_command("beat_sync", "validate", bad, stdout=out, stderr=err)
    assert "tasks.yaml:8:" in err.getvalue()
    assert capsys.readouterr() == ("", "")
