"""load_manifest(_sources): all files into one ManifestResult; kinds, summary, unique names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from beat_sync.errors import LocatedError
from beat_sync.manifest import (
    ManifestResult,
    load_manifest,
    load_manifest_sources,
)
from beat_sync.project import check_registered_tasks

ROOT = Path(__file__).resolve().parents[3]
EVERY_FIELD = Path(__file__).parent / "valid" / "every_field.yaml"
TASK = "styleguide_example.emails.tasks.email_purge_sent"
TYPO = "styleguide_example.emails.tasks.email_purge_snt"


def load(text: str, path: str = "m.yaml") -> ManifestResult:
    return load_manifest_sources([(path, text.encode())])


def test_every_field_and_schedule_kind_is_read():
    result = load_manifest([EVERY_FIELD])
    assert result.ok, result.errors
    assert result.errors == ()
    specs = {spec.name: spec for spec in result.specs}
    assert [spec.schedule_kind for spec in result.specs] == [
        "cron",
        "cron",
        "cron",
        "interval",
        "solar",
        "clocked",
    ]
    full = specs["Cron mapping with every field"]
    assert (full.cron.minute, full.cron.hour, full.cron.day_of_week) == ("0, 30", "9-17", "MON-FRI")
    assert (full.cron.month_of_year, full.cron.timezone) == ("1-12/3", "Europe/Sofia")
    assert full.args == [1, "two", 3.5, None, True, [4], {"five": 5}]
    assert full.kwargs == {"minutes": 15, "nested": {"list": [1, 2]}}
    assert (full.queue, full.exchange, full.routing_key) == (
        "maintenance",
        "maintenance",
        "maintenance.cleanup",
    )
    assert full.headers == {"x-origin": "beat-sync"}
    assert full.priority == 9
    assert full.expires == datetime(2030, 1, 1, tzinfo=timezone(timedelta(hours=2)))
    assert full.start_time == datetime(2026, 1, 1, tzinfo=UTC)
    assert (full.one_off, full.enabled) == (False, False)
    assert full.description == "Every optional column set."
    string = specs["Cron string"].cron
    assert (string.minute, string.hour, string.day_of_month) == ("30", "3", "*")
    assert (string.month_of_year, string.day_of_week, string.timezone) == ("*", "sun", None)
    assert specs["Cron string"].expire_seconds == 3600
    # YAML 1.1 would read 017 as octal 15: the field keeps the text written
    assert (specs["Cron numbers"].cron.minute, specs["Cron numbers"].cron.hour) == ("5", "017")
    assert specs["Interval"].interval.every == 30
    assert specs["Interval"].interval.period == "seconds"
    assert specs["Solar"].solar.event == "sunset"
    assert (specs["Solar"].solar.latitude, specs["Solar"].solar.longitude) == (42.69, 23.32)
    assert specs["Clocked"].clocked == datetime(2026, 12, 24, 7, tzinfo=UTC)
    assert specs["Clocked"].one_off is True


def test_summary_counts_files_tasks_and_kinds():
    assert load_manifest([EVERY_FIELD]).summary() == (
        "1 file, 6 tasks (cron: 3, interval: 1, solar: 1, clocked: 1)"
    )
    empty = load("periodic_tasks: []\n")
    assert (empty.ok, empty.summary()) == (True, "1 file, 0 tasks")


def test_the_example_schedules_are_valid():
    result = load_manifest([ROOT / "schedules"])
    assert result.ok, result.errors
    assert len(result.specs) >= 3


def test_duplicate_names_across_files_are_reported_at_both_places():
    task = f"  - name: Purge\n    task: {TASK}\n    cron: '0 3 * * *'\n"
    result = load_manifest_sources(
        [
            ("a.yaml", f"periodic_tasks:\n{task}".encode()),
            ("b.yaml", f"periodic_tasks:\n{task}".encode()),
        ]
    )
    assert result.errors == (
        LocatedError("a.yaml", 2, 11, "duplicate task name 'Purge' (also at b.yaml:2:11)"),
        LocatedError("b.yaml", 2, 11, "duplicate task name 'Purge' (also at a.yaml:2:11)"),
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Caf\u00e9 report", "Cafe\u0301 report"),  # é precomposed, and e + combining acute
        ("\u212b ngstr\u00f6m", "\u00c5 ngstr\u00f6m"),  # ANGSTROM SIGN, and Å
        ("\uac00 job", "\u1100\u1161 job"),  # a Hangul syllable, and its two jamo
    ],
)
def test_names_equal_once_normalised_to_nfc_are_duplicates(first, second):
    def task(name: str) -> str:
        return f'  - name: "{name}"\n    task: {TASK}\n    cron: "0 3 * * *"\n'

    result = load_manifest_sources(
        [("a.yaml", f"periodic_tasks:\n{task(first)}{task(second)}".encode())]
    )
    nfc = "; the same name once normalised to Unicode NFC"
    assert result.errors == (
        LocatedError(
            "a.yaml",
            2,
            11,
            f"duplicate task name {ascii(first)} (also at a.yaml:5:11 as {ascii(second)}{nfc})",
        ),
        LocatedError(
            "a.yaml",
            5,
            11,
            f"duplicate task name {ascii(second)} (also at a.yaml:2:11 as {ascii(first)}{nfc})",
        ),
    )


def test_all_problems_of_all_files_are_reported_in_one_run():
    result = load_manifest_sources(
        [
            (
                "b.yaml",
                b"periodic_tasks:\n  - {name: x, task: y, cron: '0 3 * * *', enbled: true}\n",
            ),
            (
                "a.yaml",
                b"periodic_tasks:\n  - {name: z, task: y}\n"
                b"  - {name: w, task: y, interval: {every: 0, period: days}}\n",
            ),
        ]
    )
    assert [str(error) for error in result.errors] == [
        "a.yaml:2:5: no schedule: give exactly one of cron, interval, solar or clocked",
        "a.yaml:3:42: 'every' must be at least 1, not 0",
        "b.yaml:2:43: unknown key 'enbled' (did you mean 'enabled'?)",
    ]


def test_unknown_task_names_get_a_suggestion_at_the_task_value():
    result = load(f"periodic_tasks:\n  - name: A\n    task: {TYPO}\n    cron: '0 3 * * *'\n")
    registered = [TASK, "celery.backend_cleanup", "styleguide_example.emails.tasks.email_send"]
    assert check_registered_tasks(result.specs, registered) == [
        LocatedError(
            "m.yaml",
            3,
            11,
            f"task '{TYPO}' is not registered with the Celery app (did you mean '{TASK}'?)",
        )
    ]
    assert check_registered_tasks(result.specs, [*registered, f"{TYPO}"]) == []
    far = check_registered_tasks(result.specs, ["celery.backend_cleanup"])
    assert far[0].message == f"task '{TYPO}' is not registered with the Celery app"


def test_loading_leaves_no_cyclic_garbage():
    """load_manifest freezes what it made for the cyclic collector (gc.freeze), so anything it
    left in a reference cycle would never be freed: there must be nothing. (Celery's crontab
    parser leaves a small cycle for each distinct cron field it parses; the validation caches
    parse each only once, so a first load warms them.)"""
    import gc

    raw = b"periodic_tasks:\n" + b"".join(
        b"  - {name: t%d, task: a.b, cron: '%d 3 * * *', kwargs: {days: 1}}\n" % (i, i % 60)
        + b"  - {name: s%d, task: a.b, solar: {event: sunset, latitude: 1, longitude: 2}}\n" % i
        for i in range(200)
    )
    load_manifest_sources([("m.yaml", raw)])
    gc.unfreeze()
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        result = load_manifest_sources([("m.yaml", raw)])
        assert result.ok and len(result.specs) == 400
        invalid = load_manifest_sources(
            [("bad.yaml", b"periodic_tasks:\n  - {name: 1, enbled: yes}\n")]
        )
        assert not invalid.ok
        del result, invalid
        gc.unfreeze()  # what loading froze is collectable again: garbage in it would count
        assert gc.collect() == 0
    finally:
        if was_enabled:
            gc.enable()


def test_previous_names_must_name_no_task_and_belong_to_one_task():
    result = load(
        f"""\
periodic_tasks:
  - {{name: a, task: {TASK}, cron: "* * * * *", previous_names: [b, old]}}
  - {{name: b, task: {TASK}, cron: "* * * * *", previous_names: [old]}}
  - {{name: c, task: {TASK}, cron: "* * * * *", previous_names: [c]}}
"""
    )
    # Each at its task's previous_names value.
    column = len(f'  - {{name: a, task: {TASK}, cron: "* * * * *", previous_names: ') + 1
    assert [(e.line, e.column, e.message) for e in result.errors] == [
        (2, column, "previous name 'b' is also declared as a task name"),
        (2, column, "previous name 'old' is also listed by 'b'"),
        (3, column, "previous name 'old' is also listed by 'a'"),
        (4, column, "previous name 'c' is also declared as a task name"),
    ]


def test_previous_names_is_a_list_of_non_empty_strings():
    for value, message in (
        ("old", "'previous_names' must be a list"),
        ('[""]', "must not be empty"),
        ("[1]", "string"),
    ):
        result = load(
            f'periodic_tasks:\n  - {{name: a, task: {TASK}, cron: "* * * * *", '
            f"previous_names: {value}}}\n"
        )
        (error,) = result.errors
        assert error.line == 2 and message in error.message, error
    ok = load(f'periodic_tasks:\n  - {{name: a, task: {TASK}, cron: "* * * * *"}}\n')
    assert ok.ok and ok.specs[0].previous_names == []
