"""Reading a schedules folder at a git ref: a real repository in a temporary folder."""

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
