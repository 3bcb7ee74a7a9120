"""Environments in the manifest core: `defaults` and an overlay composed over the base, every
problem located in the file that caused it (no database)."""

from __future__ import annotations

from beat_sync.manifest import load_manifest_sources

BASE = b"""\
periodic_tasks:
  - name: A
    task: t.a
    cron: "0 3 * * *"
  - name: B
    task: t.b
    interval: {every: 5, period: minutes}
    kwargs: {x: 1, y: 2}
  - name: C
    task: t.c
    interval: {every: 5, period: minutes}
"""

STAGING = b"""\
periodic_tasks:
  - name: A
    cron: "0 4 * * *"
  - name: B
    enabled: false
    kwargs: {x: 3}
  - name: C
    absent: true
  - name: D
    task: t.d
    solar: {event: sunset, latitude: 42.7, longitude: 23.3}
"""


def staging(overlay: bytes = STAGING, base: bytes = BASE, second: bytes | None = None):
    files = [("s/env/staging/a.yaml", overlay)]
    if second is not None:
        files.append(("s/env/staging/b.yaml", second))
    return load_manifest_sources([("s/base.yaml", base)], files, "staging")


def messages(result) -> list[str]:
    return [str(error) for error in result.errors]


def test_an_overlay_changes_removes_and_adds_tasks():
    result = staging()
    assert messages(result) == []
    by_name = {spec.name: spec for spec in result.specs}
    assert sorted(by_name) == ["A", "B", "D"]
    assert (by_name["A"].cron.minute, by_name["A"].cron.hour) == ("0", "4")
    assert by_name["A"].interval is None
    assert by_name["B"].enabled is False
    assert by_name["B"].kwargs == {"x": 3}  # replaced, not merged
    assert by_name["D"].solar is not None
    assert by_name["A"].location_of("cron") is not None
    assert str(by_name["A"].location_of("cron")) == "s/env/staging/a.yaml:3:11"
    assert str(by_name["A"].location_of("task")) == "s/base.yaml:3:11"


def test_a_schedule_in_the_overlay_replaces_the_base_schedule_whole():
    result = staging(b"periodic_tasks:\n  - name: B\n    cron: {hour: '2'}\n")
    assert messages(result) == []
    b = next(spec for spec in result.specs if spec.name == "B")
    assert (b.schedule_kind, b.cron.hour, b.cron.minute) == ("cron", "2", "*")


def test_no_overlay_is_the_base_alone():
    result = load_manifest_sources([("s/base.yaml", BASE)])
    assert [spec.name for spec in result.specs] == ["A", "B", "C"]


def test_defaults_precedence_lowest_first():
    base = b"defaults: {queue: low, enabled: true}\n" + BASE.replace(
        b"    task: t.b\n", b"    task: t.b\n    queue: high\n"
    )
    overlay = b"defaults: {enabled: false}\nperiodic_tasks:\n  - name: A\n    enabled: true\n"
    result = staging(overlay, base)
    assert messages(result) == []
    state = {spec.name: (spec.queue, spec.enabled) for spec in result.specs}
    assert state == {"A": ("low", True), "B": ("high", False), "C": ("low", False)}
    assert sum(spec.enabled for spec in result.specs) == 1


def test_a_base_file_defaults_apply_to_that_file_only():
    other = b"periodic_tasks:\n  - name: E\n    task: t.e\n    interval: {every: 1, period: days}\n"
    result = load_manifest_sources(
        [("s/a.yaml", b"defaults: {queue: low}\n" + BASE), ("s/b.yaml", other)]
    )
    assert messages(result) == []
    assert {spec.name: spec.queue for spec in result.specs} == {
        "A": "low",
        "B": "low",
        "C": "low",
        "E": None,
    }


def test_a_bad_default_is_located_in_the_defaults():
    result = load_manifest_sources(
        [("s/a.yaml", b"defaults: {queue: 3, name: x, enabld: false}\n" + BASE)]
    )
    assert messages(result) == [
        "s/a.yaml:1:19: 'queue' must be a string, not an integer (3)",
        "s/a.yaml:1:22: 'defaults' cannot set 'name': every task names itself",
        "s/a.yaml:1:31: unknown key 'enabld' in 'defaults' (did you mean 'enabled'?)",
    ]
    assert result.specs == ()


def test_an_unknown_name_without_task_is_located_in_the_overlay_with_a_suggestion():
    result = staging(b"periodic_tasks:\n  - name: BB\n    enabled: false\n")
    assert messages(result) == [
        "s/env/staging/a.yaml:2:11: no base task named 'BB' to change (did you mean 'B'?); "
        "a task of this environment only needs 'task' and a schedule"
    ]


def test_an_invalid_overlay_value_is_located_in_the_overlay():
    result = staging(b"periodic_tasks:\n  - name: A\n    cron: '0 25 * * *'\n")
    assert len(result.errors) == 1
    assert str(result.errors[0]).startswith("s/env/staging/a.yaml:3:11: ")


def test_a_new_task_must_be_complete():
    result = staging(b"periodic_tasks:\n  - name: E\n    task: t.e\n")
    assert len(result.errors) == 1
    assert str(result.errors[0]).startswith("s/env/staging/a.yaml:2:")


def test_absent_is_true_alone_and_of_a_base_task():
    assert messages(staging(b"periodic_tasks:\n  - name: Q\n    absent: true\n")) == [
        "s/env/staging/a.yaml:2:11: no base task named 'Q' to remove"
    ]
    assert messages(staging(b"periodic_tasks:\n  - name: A\n    absent: false\n")) == [
        "s/env/staging/a.yaml:3:13: 'absent' can only be true (it removes the task from this "
        "environment)"
    ]
    assert messages(
        staging(b"periodic_tasks:\n  - name: A\n    absent: true\n    enabled: false\n")
    ) == [
        "s/env/staging/a.yaml:4:5: 'absent: true' removes the task: it takes no other key than "
        "'name', not 'enabled'"
    ]


def test_absent_in_a_base_file_is_an_unknown_key():
    result = load_manifest_sources([("s/a.yaml", BASE + b"    absent: true\n")])
    assert messages(result) == ["s/a.yaml:12:5: unknown key 'absent'"]


def test_empty_overlays_are_errors():
    assert messages(staging(b"")) == [
        "s/env/staging/a.yaml:1:1: empty overlay file: it changes nothing"
    ]
    assert messages(staging(b"periodic_tasks: []\n")) == [
        "s/env/staging/a.yaml:1:1: empty overlay: no task to change and no defaults"
    ]
    for nothing in (b"defaults: {}\n", b"defaults: {}\nperiodic_tasks: []\n"):
        assert messages(staging(nothing)) == [
            "s/env/staging/a.yaml:1:1: empty overlay: no task to change and no defaults"
        ]
    assert messages(staging(b"x-note: 1\n")) == [
        "s/env/staging/a.yaml:1:1: missing top-level key 'periodic_tasks' or 'defaults'"
    ]


def test_an_overlay_of_defaults_only_is_enough():
    result = staging(b"defaults: {enabled: false}\n")
    assert messages(result) == []
    assert [spec.enabled for spec in result.specs] == [False, False, False]


def test_two_files_of_one_environment_changing_a_task_differently_name_both_places():
    first = b"periodic_tasks:\n  - name: A\n    enabled: false\n"
    same = staging(first, second=first)
    assert messages(same) == []
    differently = staging(first, second=b"periodic_tasks:\n  - name: A\n    queue: q\n")
    assert messages(differently) == [
        "s/env/staging/a.yaml:2:11: task 'A' is set differently at s/env/staging/b.yaml:2:11, "
        "in another file of environment 'staging': say it once",
        "s/env/staging/b.yaml:2:11: task 'A' is set differently at s/env/staging/a.yaml:2:11, "
        "in another file of environment 'staging': say it once",
    ]
    defaults = staging(b"defaults: {queue: a}\n", second=b"defaults: {queue: b}\n")
    assert [str(error).split(": ", 1)[0] for error in defaults.errors] == [
        "s/env/staging/a.yaml:1:12",
        "s/env/staging/b.yaml:1:12",
    ]


def test_one_name_twice_in_an_overlay_file_is_a_duplicate():
    result = staging(b"periodic_tasks:\n  - name: A\n    enabled: false\n  - name: A\n")
    assert messages(result) == [
        "s/env/staging/a.yaml:4:11: duplicate task name 'A' (also at s/env/staging/a.yaml:2:11)"
    ]


def test_previous_names_of_an_environment_follow_the_base_files_rules():
    # Renaming a base task's row into another base task, or one row into several tasks (an
    # overlay's defaults give every task the same previous name), is as ambiguous as in a base
    # file: without the check, diff showed each rename and apply failed on the primary key.
    onto_base = staging(b"periodic_tasks:\n  - name: A\n    previous_names: [B]\n")
    assert messages(onto_base) == [
        "s/env/staging/a.yaml:3:21: previous name 'B' is also declared as a task name"
    ]
    everyone = staging(b"defaults: {previous_names: [Z]}\n")
    assert messages(everyone) == [
        "s/env/staging/a.yaml:1:28: previous name 'Z' is listed by 'A', 'B', 'C': one row "
        "cannot be renamed into several tasks"
    ]
    # a base task absent from the environment is no longer declared there: its row can be
    # renamed into another task of that environment
    taken_over = staging(
        b"periodic_tasks:\n  - name: C\n    absent: true\n  - name: A\n    previous_names: [C]\n"
    )
    assert messages(taken_over) == []
