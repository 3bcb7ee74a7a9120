"""beat_sync.config: where settings, import path and schedules come from, in which order, and
the one-line errors a user sees for a pyproject.toml it cannot use."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from beat_sync.cli import main
from beat_sync.config import DEFAULT_SCHEDULES, activate_import_path, load_config
from beat_sync.errors import UserError
from tests.support.manifests import write_manifest
from tests.support.processes import run_beat_sync, user_env

FULL_TABLE = """\
[tool.beat-sync]
settings = "from_file.settings"
pythonpath = ["src", "lib"]
schedules = "periodic"
"""


def project(root: Path, pyproject: str | None = FULL_TABLE) -> Path:
    """`root` with a pyproject.toml (unless None) and a nested working folder `root/sub/dir`."""
    (root / "sub" / "dir").mkdir(parents=True)
    if pyproject is not None:
        (root / "pyproject.toml").write_text(pyproject)
    return root


def test_defaults_without_a_pyproject_or_environment(tmp_path: Path):
    config = load_config(cwd=tmp_path, environ={})
    assert (config.settings, config.pythonpath, config.pyproject) == (None, (), None)
    assert config.schedules == tmp_path / DEFAULT_SCHEDULES == tmp_path / "schedules"


def test_the_nearest_pyproject_upwards_with_paths_relative_to_its_folder(tmp_path: Path):
    root = project(tmp_path)
    config = load_config(cwd=root / "sub" / "dir", environ={})
    assert config.pyproject == root / "pyproject.toml"
    assert config.settings == "from_file.settings"
    assert config.pythonpath == ((root / "src").resolve(), (root / "lib").resolve())
    assert config.schedules == root / "periodic"


def test_a_nearer_pyproject_without_the_table_hides_a_farther_one(tmp_path: Path):
    root = project(tmp_path)
    (root / "sub" / "pyproject.toml").write_text('[project]\nname = "other"\n')
    config = load_config(cwd=root / "sub" / "dir", environ={})
    assert config.pyproject == root / "sub" / "pyproject.toml"
    assert (config.settings, config.pythonpath) == (None, ())
    assert config.schedules == root / "sub" / "schedules"


def test_the_environment_overrides_the_file_and_options_override_both(tmp_path: Path):
    root = project(tmp_path)
    cwd = root / "sub" / "dir"
    environ = {"DJANGO_SETTINGS_MODULE": "from_env.settings"}
    assert load_config(cwd=cwd, environ=environ).settings == "from_env.settings"

    config = load_config(
        settings="from_option.settings",
        pythonpath=("here",),
        schedules="mine",
        cwd=cwd,
        environ=environ,
    )
    assert config.settings == "from_option.settings"
    # Options' relative paths are relative to the current directory, not to pyproject.toml.
    assert config.pythonpath == ((cwd / "here").resolve(),)
    assert config.schedules == cwd / "mine"


def test_an_empty_environment_variable_falls_back_to_the_file(tmp_path: Path):
    root = project(tmp_path)
    config = load_config(cwd=root, environ={"DJANGO_SETTINGS_MODULE": ""})
    assert config.settings == "from_file.settings"


def test_pythonpath_may_be_one_string(tmp_path: Path):
    root = project(tmp_path, '[tool.beat-sync]\npythonpath = "src"\n')
    assert load_config(cwd=root, environ={}).pythonpath == ((root / "src").resolve(),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[tool.beat-sync]\nsettings = "x"\nschedule = "s"\nfoo = 1\n',
            "{path}:4: unknown key(s) in [tool.beat-sync]: foo, schedule "
            "(known: settings, pythonpath, schedules, ignore, herd_limit, manage, on_remove, "
            "env)",
        ),
        ('[tool]\nbeat-sync = "schedules"\n', "{path}: [tool.beat-sync] must be a table"),
        (
            '[project]\nname = "x"\n\n[tool.beat-sync]\nschedules = ["schedules"]\n',
            "{path}:5: [tool.beat-sync] schedules must be a folder or file (a string), "
            "not an array",
        ),
        (
            "[tool.beat-sync]  # where beat-sync looks\n\nschedules = 5\n",
            "{path}:3: [tool.beat-sync] schedules must be a folder or file (a string), "
            "not an integer (5)",
        ),
        (
            "[tool.beat-sync]\nsettings = 5\n",
            "{path}:2: [tool.beat-sync] settings must be a module name (a string), "
            "not an integer (5)",
        ),
        (
            "[tool.beat-sync]\nsettings = true\n",
            "{path}:2: [tool.beat-sync] settings must be a module name (a string), "
            "not a boolean (true)",
        ),
        (
            '[tool.beat-sync]\nsettings = ""\n',
            "{path}:2: [tool.beat-sync] settings must be a module name (a string), "
            "not an empty string",
        ),
        (
            '[tool.beat-sync]\nsettings = "x"\nenv = ["staging"]\n',
            "{path}:3: [tool.beat-sync] env must be an environment name (a string), not an array",
        ),
        (
            "[tool.beat-sync]\nenv = 1\n",
            "{path}:2: [tool.beat-sync] env must be an environment name (a string), "
            "not an integer (1)",
        ),
        (
            "[tool.beat-sync]\npythonpath = 5\n",
            "{path}:2: [tool.beat-sync] pythonpath must be a folder or an array of folders "
            "(strings), not an integer (5)",
        ),
        (
            "[tool.beat-sync]\npythonpath = [1]\n",
            "{path}:2: [tool.beat-sync] pythonpath must be a folder or an array of folders "
            "(strings), not an array holding an integer (1)",
        ),
        (
            '[tool.beat-sync]\npythonpath = ["src", ""]\n',
            "{path}:2: [tool.beat-sync] pythonpath must be a folder or an array of folders "
            "(strings), not an array holding an empty string",
        ),
        (
            '[tool.beat-sync]\nignore = ["BS101", 101]\n',
            "{path}:2: [tool.beat-sync] ignore must be an array of lint codes (strings), e.g. "
            '["BS101"], not an array holding an integer (101)',
        ),
        (
            '[tool.beat-sync]\nignore = [["BS101"]]\n',
            "{path}:2: [tool.beat-sync] ignore must be an array of lint codes (strings), e.g. "
            '["BS101"], not an array holding an array',
        ),
        (
            "[tool]\nbeat-sync = {schedules = 1979-05-27}\n",
            "{path}: [tool.beat-sync] schedules must be a folder or file (a string), "
            "not a date or time",
        ),
    ],
    ids=[
        "unknown keys",
        "not a table",
        "schedules array",
        "schedules integer",
        "settings integer",
        "settings boolean",
        "settings empty",
        "env array",
        "env integer",
        "pythonpath integer",
        "pythonpath not folders",
        "pythonpath an empty folder",
        "ignore an integer code",
        "ignore an array of arrays",
        "inline table, a date",
    ],
)
def test_an_unusable_table_is_one_located_error(tmp_path: Path, text: str, message: str):
    root = project(tmp_path, text)
    with pytest.raises(UserError) as raised:
        load_config(cwd=root / "sub", environ={})
    assert str(raised.value) == message.format(path=root / "pyproject.toml")


def test_a_pyproject_that_is_not_toml_names_the_file(tmp_path: Path):
    root = project(tmp_path, "[tool.beat-sync\n")
    with pytest.raises(UserError) as raised:
        load_config(cwd=root, environ={})
    assert str(raised.value).startswith(
        f"{root / 'pyproject.toml'}: cannot read [tool.beat-sync]: "
    )


def test_a_pyproject_that_is_not_utf8_is_one_located_error(tmp_path: Path):
    root = project(tmp_path, None)
    (root / "pyproject.toml").write_bytes(b'[tool.beat-sync]\nsettings = "caf\xe9"\n')
    with pytest.raises(UserError) as raised:
        load_config(cwd=root, environ={})
    assert str(raised.value) == (
        f"{root / 'pyproject.toml'}:2: cannot read [tool.beat-sync]: not UTF-8 text "
        "(byte 0xe9); TOML files are UTF-8"
    )


@pytest.mark.parametrize("value", ['schedules = ["schedules"]', "settings = 5"])
def test_the_cli_says_a_wrong_type_in_one_line_and_exits_1(tmp_path: Path, value: str):
    root = project(tmp_path, f"[tool.beat-sync]\n{value}\n")
    result = run_beat_sync("validate", env=user_env(), cwd=root)
    key = value.split()[0]
    assert result.returncode == 1
    assert result.stderr.startswith(f"beat-sync: error: {root / 'pyproject.toml'}:2: ")
    assert f"[tool.beat-sync] {key} must be" in result.stderr
    assert result.stderr.count("\n") == 1


def test_activate_import_path_puts_the_folders_first_once(tmp_path: Path, monkeypatch):
    root = project(tmp_path)
    monkeypatch.setattr(sys, "path", ["/already/there"])
    config = load_config(cwd=root, environ={})
    activate_import_path(config, cwd=root)
    activate_import_path(config, cwd=root)
    assert sys.path == [str(root / "lib"), str(root / "src"), str(root), "/already/there"]


def test_env_option_then_variable_then_file(tmp_path: Path):
    root = project(tmp_path, '[tool.beat-sync]\nenv = "staging"\n')
    assert load_config(cwd=root, environ={}).env == "staging"
    assert load_config(cwd=root, environ={"BEAT_SYNC_ENV": "dev"}).env == "dev"
    assert load_config(cwd=root, env="prod", environ={"BEAT_SYNC_ENV": "dev"}).env == "prod"


@pytest.mark.parametrize("empty", ["", " "])
def test_an_empty_env_option_is_one_line_not_the_default_environment(tmp_path: Path, empty):
    # `--env "$DEPLOY_ENV"` with the variable unset fell back to [tool.beat-sync] env
    root = project(tmp_path, '[tool.beat-sync]\nenv = "staging"\n')
    with pytest.raises(UserError) as refused:
        load_config(cwd=root, env=empty, environ={})
    assert str(refused.value) == (
        f"--env {empty!r} names no environment: give a folder of schedules/env/"
    )
    result = CliRunner().invoke(main, ["diff", "--env", empty])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"beat-sync: error: {refused.value}\n"


@pytest.mark.parametrize(
    "text",
    [
        "9999-12-31T23:59:00+00:00",  # the lints' look-ahead ran past the year 9999
        "9990-01-01T00:00:00+00:00",
        "9989-12-31T23:59:00-12:00",  # 9990-01-01 in UTC
        "0001-01-01T00:00:00+05:00",  # the year 0 in UTC
        "0001-01-01T23:59:00+00:00",
    ],
)
def test_an_instant_out_of_range_is_one_line_and_exit_1(tmp_path: Path, text: str):
    schedules = str(write_manifest(tmp_path / "schedules"))
    message = "is out of range: give a moment from 0001-01-02 to 9989-12-31 (UTC)\n"
    runner = CliRunner()
    from_ = runner.invoke(main, ["next", "--schedules", schedules, "--from", text])
    assert (from_.exit_code, from_.stdout) == (1, "")
    assert from_.stderr == f"beat-sync: error: --from {text!r} {message}"
    now = runner.invoke(main, ["diff", "--schedules", schedules], env={"BEAT_SYNC_NOW": text})
    assert (now.exit_code, now.stdout) == (1, "")
    assert now.stderr == f"beat-sync: error: BEAT_SYNC_NOW {text!r} {message}"


def test_the_first_and_last_instants_in_range_give_runs(tmp_path: Path):
    schedules = str(write_manifest(tmp_path / "schedules"))
    for text, first in (
        ("0001-01-02T00:00:00+00:00", "Tue 02 Jan 1 00:15 UTC  Re-queue stuck emails\n"),
        ("9989-12-31T23:59:00+00:00", "Mon 01 Jan 9990 00:00 UTC  Re-queue stuck emails\n"),
    ):
        args = ["next", "--schedules", schedules, "--count", "1", "--from", text]
        result = CliRunner().invoke(main, args)
        assert (result.exit_code, result.stdout, result.stderr) == (0, first, "")
