"""Reading a schedules folder at a git ref: a real repository in a temporary folder."""

import os
import subprocess

import pytest

from beat_sync.errors import UserError
from beat_sync.gitref import read_manifest_sources_at_ref


def git(repo, *args):
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "t@example.com")
    git(tmp_path, "config", "user.name", "t")
    return tmp_path


def commit_files(repo, files, message):
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def test_reads_the_manifest_files_of_a_ref_not_the_working_tree(repo):
    commit_files(
        repo,
        {
            "schedules/b.yaml": "periodic_tasks: []\n",
            "schedules/a.yml": "old: 1\n",
            "schedules/notes.txt": "ignored",
            "schedules/nested/c.yaml": "ignored: non-recursive\n",
        },
        "first",
    )
    commit_files(repo, {"schedules/a.yml": "new: 2\n"}, "second")

    sources = read_manifest_sources_at_ref("HEAD~1", repo / "schedules")

    assert sources == [
        ("HEAD~1:schedules/a.yml", b"old: 1\n"),
        ("HEAD~1:schedules/b.yaml", b"periodic_tasks: []\n"),
    ]


def test_a_folder_that_did_not_exist_at_the_ref_is_an_empty_manifest(repo):
    commit_files(repo, {"README": "x"}, "first")
    commit_files(repo, {"schedules/a.yaml": "periodic_tasks: []\n"}, "second")

    assert read_manifest_sources_at_ref("HEAD~1", repo / "schedules") == []


def test_an_unknown_ref_is_one_clear_user_error(repo):
    commit_files(repo, {"schedules/a.yaml": "periodic_tasks: []\n"}, "first")

    with pytest.raises(UserError, match="unknown git ref 'no-such-branch'"):
        read_manifest_sources_at_ref("no-such-branch", repo / "schedules")


def test_outside_a_repository_is_one_clear_user_error(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    (tmp_path / "schedules").mkdir()
    with pytest.raises(UserError, match="needs a git repository"):
        read_manifest_sources_at_ref("HEAD", tmp_path / "schedules")


def test_a_file_given_as_the_manifest_is_read_at_the_ref_whatever_its_suffix(repo):
    commit_files(
        repo,
        {"schedules/emails.yaml": "periodic_tasks: []\n", "deploy/tasks.txt": "one: 1\n"},
        "first",
    )
    (repo / "schedules" / "emails.yaml").write_text("changed in the working tree\n")

    assert read_manifest_sources_at_ref("HEAD", repo / "schedules" / "emails.yaml") == [
        ("HEAD:schedules/emails.yaml", b"periodic_tasks: []\n")
    ]
    assert read_manifest_sources_at_ref("HEAD", repo / "deploy" / "tasks.txt") == [
        ("HEAD:deploy/tasks.txt", b"one: 1\n")
    ]
    # A file that did not exist yet at the ref: an empty manifest, as a missing folder.
    assert read_manifest_sources_at_ref("HEAD", repo / "schedules" / "new.yaml") == []


def test_a_committed_symlink_is_read_as_its_target_at_the_ref(repo):
    commit_files(repo, {"shared/emails.yaml": "at: first\n"}, "first")
    (repo / "schedules").mkdir()
    (repo / "schedules" / "emails.yaml").symlink_to("../shared/emails.yaml")
    (repo / "schedules" / "again.yaml").symlink_to("emails.yaml")  # a link to a link
    (repo / "schedules" / "folder.yaml").symlink_to("../shared")  # skipped, as a folder is
    commit_files(repo, {"shared/emails.yaml": "at: second\n"}, "second")
    commit_files(repo, {"shared/emails.yaml": "at: third\n"}, "third")

    assert read_manifest_sources_at_ref("HEAD~1", repo / "schedules") == [
        ("HEAD~1:schedules/again.yaml", b"at: second\n"),
        ("HEAD~1:schedules/emails.yaml", b"at: second\n"),
    ]
    assert read_manifest_sources_at_ref("HEAD", repo / "schedules" / "emails.yaml") == [
        ("HEAD:schedules/emails.yaml", b"at: third\n")
    ]


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("../../outside.yaml", "it points outside the repository (../../outside.yaml)"),
        ("/etc/hostname", "it points outside the repository (/etc/hostname)"),
        ("missing.yaml", "its target does not exist at the ref"),
        ("loop.yaml", "it is a loop of symlinks"),
    ],
)
def test_a_committed_symlink_that_cannot_be_followed_at_the_ref_is_one_line(repo, target, reason):
    (repo / "schedules").mkdir()
    (repo / "schedules" / "link.yaml").symlink_to(target)
    if target == "loop.yaml":
        (repo / "schedules" / "loop.yaml").symlink_to("link.yaml")
    commit_files(repo, {"README": "x"}, "first")

    with pytest.raises(UserError) as raised:
        read_manifest_sources_at_ref("HEAD", repo / "schedules" / "link.yaml")
    assert str(raised.value) == f"HEAD:schedules/link.yaml: cannot read the symlink: {reason}"


def test_any_file_name_is_read(repo):
    not_utf8 = os.fsdecode(b"caf\xe9.yaml")  # bytes a file system allows in a name
    commit_files(
        repo,
        {
            "schedules/two\nlines.yaml": "a: 1\n",
            "schedules/tab\there.yaml": "b: 2\n",
            f"schedules/{not_utf8}": "c: 3\n",
        },
        "first",
    )
    assert read_manifest_sources_at_ref("HEAD", repo / "schedules") == [
        (f"HEAD:schedules/{not_utf8}", b"c: 3\n"),
        ("HEAD:schedules/tab\there.yaml", b"b: 2\n"),
        ("HEAD:schedules/two\nlines.yaml", b"a: 1\n"),
    ]


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (
            "dubious",
            "detected dubious ownership in repository at '{repo}' "
            "(git config --global --add safe.directory {repo})",
        ),
        ("broken .git file", "not a git repository: /nonexistent/gitdir"),
    ],
)
def test_git_refusing_the_repository_says_why(repo, monkeypatch, setup, reason):
    commit_files(repo, {"schedules/a.yaml": "periodic_tasks: []\n"}, "first")
    if setup == "dubious":
        # What git says of a repository owned by another user, as in many CI containers.
        monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
    else:
        (repo / "schedules" / ".git").write_text("gitdir: /nonexistent/gitdir\n")
    with pytest.raises(UserError) as raised:
        read_manifest_sources_at_ref("HEAD", repo / "schedules")
    assert str(raised.value) == (
        f"--base: git cannot read the repository of {repo / 'schedules'}: "
        + reason.format(repo=repo)
    )
