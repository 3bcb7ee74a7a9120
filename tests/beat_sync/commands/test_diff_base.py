"""`beat-sync diff --base REF` as a pull-request job runs it: in a git repository with a
pyproject.toml and schedules/, no Django settings and no reachable database."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.support.processes import run_beat_sync, user_env

BEFORE = """\
periodic_tasks:
  - name: Purge sent emails
    task: emails.purge
    cron: {minute: "30", hour: "3"}
  - name: Re-queue stuck emails
    task: emails.requeue
    cron: "*/15 * * * *"
  - name: Send pending emails
    task: emails.send_pending
    interval: {every: 1, period: minutes}
    enabled: false
"""
AFTER = """\
periodic_tasks:
  - name: Purge sent emails
    task: emails.purge
    cron: {minute: "45", hour: "3", timezone: Europe/Paris}
  - name: Send pending emails
    task: emails.send_pending
    interval: {every: 30, period: seconds}
  - name: Weekly report
    task: reports.weekly
    cron: "0 8 * * mon"
    kwargs: {to: ops@example.com}
"""
# Runs from BEAT_SYNC_NOW (tests/conftest.py). A cron in the project default zone has none: the
# zone is in the settings, which diff --base does not read; an interval's are read in UTC.
PARIS_RUNS = ", ".join(
    f"{day} 2026 03:45 CET (UTC+01:00)" for day in ("Sun 29 Nov", "Mon 30 Nov", "Tue 01 Dec")
)
EXPECTED_TEXT = f"""\
~ Purge sent emails
    schedule: cron 30 3 * * * (project default) -> cron 45 3 * * * (Europe/Paris)
      was: At 03:30 (project default), https://crontab.guru/#30_3_*_*_*
      now: At 03:45 (Europe/Paris), https://crontab.guru/#45_3_*_*_*
    next: {PARIS_RUNS}
- Re-queue stuck emails
    task: emails.requeue
    schedule: cron */15 * * * * (project default)
      Every 15 minutes (project default), https://crontab.guru/#*/15_*_*_*_*
~ Send pending emails
    schedule: interval every 1 minute -> interval every 30 seconds
    enabled: false -> true
    next: Sat 28 Nov 2026 12:00:30 UTC, Sat 28 Nov 2026 12:01 UTC, Sat 28 Nov 2026 12:01:30 UTC
+ Weekly report
    task: reports.weekly
    schedule: cron 0 8 * * mon (project default)
      At 08:00, only on Monday (project default), https://crontab.guru/#0_8_*_*_mon
    kwargs: {{"to": "ops@example.com"}}

1 to add, 2 to change, 1 to remove, 0 unchanged
"""


class Repo:
    """A git repository holding only pyproject.toml ([tool.beat-sync] without settings) and
    schedules/; beat-sync runs in it with no Django settings and an unreachable database."""

    def __init__(self, root: Path):
        self.root = root
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.email", "reviewer@example.com")
        self.git("config", "user.name", "Reviewer")
        (root / "pyproject.toml").write_text('[tool.beat-sync]\nschedules = "schedules"\n')
        (root / "schedules").mkdir()

    def git(self, *args: str) -> None:
        subprocess.run(["git", *args], cwd=self.root, check=True, capture_output=True)

    def commit(self, manifest: str, message: str) -> None:
        self.write(manifest)
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)

    def write(self, manifest: str) -> None:
        (self.root / "schedules" / "emails.yaml").write_text(manifest)

    def beat_sync(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        # Any attempt to use a database fails: nothing answers on port 9.
        env = user_env(DATABASE_URL="postgres://nobody@127.0.0.1:9/nowhere", NO_COLOR="1")
        return run_beat_sync(*args, env=env, cwd=cwd or self.root)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    root = tmp_path / "project"
    root.mkdir()
    return Repo(root)


def test_base_shows_adds_changes_and_removes_with_no_settings_and_no_database(repo):
    repo.commit(BEFORE, "before")
    repo.commit(AFTER, "after")

    result = repo.beat_sync("diff", "--base", "HEAD~1")

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == EXPECTED_TEXT


def test_base_compares_the_working_tree_not_the_last_commit(repo):
    repo.commit(BEFORE, "before")
    repo.write(AFTER)  # not committed: what a developer checks before pushing

    result = repo.beat_sync("diff", "--base", "HEAD", "--exit-code")

    assert result.returncode == 2
    assert result.stdout == EXPECTED_TEXT


def test_exit_code_is_0_in_sync_and_2_with_changes(repo):
    repo.commit(BEFORE, "before")
    repo.commit(AFTER, "after")

    in_sync = repo.beat_sync("diff", "--base", "HEAD", "--exit-code")
    changed = repo.beat_sync("diff", "--base", "HEAD~1", "--exit-code")

    assert in_sync.returncode == 0
    assert in_sync.stdout == "In sync: 0 to add, 0 to change, 0 to remove, 3 unchanged\n"
    assert changed.returncode == 2


def test_json_and_markdown_formats(repo):
    repo.commit(BEFORE, "before")
    repo.commit(AFTER, "after")

    as_json = json.loads(repo.beat_sync("diff", "--base", "HEAD~1", "--format", "json").stdout)
    markdown = repo.beat_sync("diff", "--base", "HEAD~1", "--format", "markdown").stdout

    assert as_json["in_sync"] is False
    summary = {key: as_json["summary"][key] for key in ("add", "change", "remove", "unchanged")}
    assert summary == {"add": 1, "change": 2, "remove": 1, "unchanged": 0}
    assert [(c["action"], c["name"]) for c in as_json["changes"]] == [
        ("change", "Purge sent emails"),
        ("remove", "Re-queue stuck emails"),
        ("change", "Send pending emails"),
        ("add", "Weekly report"),
    ]
    assert markdown.startswith("**beat-sync**: 1 to add, 2 to change, 1 to remove, 0 unchanged\n")
    assert "| `Weekly report` |" in markdown


def test_a_folder_absent_at_the_base_is_an_empty_manifest(repo):
    (repo.root / "README").write_text("first commit, before any schedule\n")
    repo.git("add", "README")
    repo.git("commit", "-q", "-m", "start")
    repo.commit(AFTER, "first schedules")

    result = repo.beat_sync("diff", "--base", "HEAD~1", cwd=repo.root / "schedules")

    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("3 to add, 0 to change, 0 to remove, 0 unchanged\n")


def test_an_invalid_manifest_at_the_base_is_located_at_the_ref_and_exits_1(repo):
    repo.commit(BEFORE.replace('minute: "30"', 'minute: "61"'), "broken")
    repo.commit(AFTER, "fixed")

    result = repo.beat_sync("diff", "--base", "HEAD~1")

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "HEAD~1:schedules/emails.yaml:4:20: invalid cron minute '61': "
        "invalid end range: 61 > 59\n"
        "beat-sync: error: the manifest at HEAD~1 is invalid; fix it there or diff against "
        "another ref\n"
    )


def test_an_invalid_working_tree_manifest_exits_1_before_reading_the_base(repo):
    repo.commit(BEFORE, "before")
    repo.write(AFTER.replace("every: 30", "every: 0"))

    # a base that cannot be read: reading it first would say so
    result = repo.beat_sync("diff", "--base", "no-such-branch")

    assert result.returncode == 1
    assert result.stderr == (
        "schedules/emails.yaml:7:23: 'every' must be at least 1, not 0\n"
        "schedules: 1 file, 2 tasks (cron: 2), 1 error - invalid; nothing was read or changed\n"
    )


def test_an_unknown_ref_is_one_line(repo):
    repo.commit(BEFORE, "before")

    result = repo.beat_sync("diff", "--base", "no-such-branch")

    assert result.returncode == 1
    assert result.stderr == (
        f"beat-sync: error: unknown git ref 'no-such-branch' in {repo.root.resolve()}\n"
    )


def test_switching_a_schedule_to_its_shorthand_is_no_change(repo):
    repo.commit(
        "periodic_tasks:\n"
        "  - {name: a, task: t.a, interval: {every: 90, period: minutes}}\n"
        '  - {name: b, task: t.b, cron: "0 * * * *"}\n',
        "long forms",
    )
    repo.write(
        "periodic_tasks:\n"
        "  - {name: a, task: t.a, interval: 1h30m}\n"
        '  - {name: b, task: t.b, cron: "@hourly"}\n'
    )

    result = repo.beat_sync("diff", "--base", "HEAD", "--exit-code")

    assert (result.returncode, result.stdout) == (
        0,
        "In sync: 0 to add, 0 to change, 0 to remove, 2 unchanged\n",
    )


@pytest.mark.parametrize(
    "schedules", ["schedules/emails.yaml", "schedules/../schedules/emails.yaml"]
)
def test_base_with_a_manifest_file_compares_that_file(repo, schedules):
    repo.commit(BEFORE, "before")
    in_sync = repo.beat_sync("diff", "--base", "HEAD", "--schedules", schedules, "--exit-code")
    assert (in_sync.returncode, in_sync.stdout) == (
        0,
        "In sync: 0 to add, 0 to change, 0 to remove, 3 unchanged\n",
    )
    repo.write(AFTER)
    changed = repo.beat_sync("diff", "--base", "HEAD", "--schedules", schedules)
    assert (changed.returncode, changed.stdout) == (0, EXPECTED_TEXT)


def test_base_with_an_environment_compares_its_overlay_at_both_sides(repo):
    overlay = repo.root / "schedules" / "env" / "staging" / "tasks.yaml"
    overlay.parent.mkdir(parents=True)
    overlay.write_text("periodic_tasks:\n  - name: Purge sent emails\n    absent: true\n")
    repo.commit(BEFORE, "staging without the purge")
    in_sync = repo.beat_sync("diff", "--base", "HEAD", "--env", "staging", "--exit-code")
    assert (in_sync.returncode, in_sync.stdout) == (
        0,
        "In sync: 0 to add, 0 to change, 0 to remove, 2 unchanged\n",
    )
    overlay.write_text("defaults: {queue: staging}\n")
    changed = repo.beat_sync("diff", "--base", "HEAD", "--env", "staging", "--exit-code")
    assert changed.returncode == 2
    assert changed.stdout.startswith("+ Purge sent emails\n")
    assert changed.stdout.endswith("1 to add, 2 to change, 0 to remove, 0 unchanged\n")


def test_base_all_envs_markdown_has_one_section_per_environment_base_first(repo):
    dev = "periodic_tasks:\n  - {name: Dev only, task: reports.dev, interval: 5m}\n"
    for name, text in (("staging", "defaults: {queue: staging}\n"), ("dev", dev)):
        folder = repo.root / "schedules" / "env" / name
        folder.mkdir(parents=True)
        (folder / "tasks.yaml").write_text(text)
    repo.commit(BEFORE, "before")
    repo.write(AFTER)
    result = repo.beat_sync("diff", "--base", "HEAD", "--all-envs", "--format", "markdown")
    assert result.returncode == 0, result.stderr
    headings = [line for line in result.stdout.splitlines() if line.startswith("### ")]
    assert headings == ["### base", "### environment dev", "### environment staging"]
    sections = result.stdout.split("### ")[1:]
    assert all("**beat-sync**: 1 to add, 2 to change, 1 to remove" in s for s in sections)
    assert "`staging`" not in sections[0] and '"staging"' not in sections[0]
    assert "staging" in sections[2].split("\n", 1)[1]
    refused = repo.beat_sync("diff", "--all-envs")
    assert (refused.returncode, refused.stderr) == (
        1,
        "beat-sync: error: --all-envs needs --base REF and no --env: it compares every "
        "environment\n",
    )


def test_base_all_envs_overrides_a_default_environment_but_not_the_option(repo):
    # A project (or a CI job, through BEAT_SYNC_ENV) that names the environment apply uses still
    # reviews every environment: only --env itself contradicts --all-envs.
    folder = repo.root / "schedules" / "env" / "staging"
    folder.mkdir(parents=True)
    (folder / "tasks.yaml").write_text("defaults: {queue: staging}\n")
    repo.commit(BEFORE, "before")
    with (repo.root / "pyproject.toml").open("a") as pyproject:
        pyproject.write('env = "staging"\n')
    result = repo.beat_sync("diff", "--base", "HEAD", "--all-envs", "--exit-code")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        "== base\nIn sync: 0 to add, 0 to change, 0 to remove, 3 unchanged\n\n"
        "== environment staging\nIn sync: 0 to add, 0 to change, 0 to remove, 3 unchanged\n"
    )
    refused = repo.beat_sync("diff", "--base", "HEAD", "--all-envs", "--env", "staging")
    assert (refused.returncode, refused.stdout) == (1, "")
    assert refused.stderr.startswith("beat-sync: error: --all-envs needs --base REF and no --env")
