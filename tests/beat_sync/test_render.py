"""Rendering a plan: the text a reviewer reads, the JSON a program parses, the Markdown of a PR."""

from __future__ import annotations

import json
from dataclasses import replace

from beat_sync.plan import make_plan
from beat_sync.render import render_json, render_markdown, render_text
from beat_sync.state import TaskState
from tests.support.samples import PURGE, REQUEUE, cron


def sample_plan():
    requeue = TaskState(name="Re-queue stuck emails", task=REQUEUE, schedule=cron("15 * * * *"))
    old = TaskState(name="Old | report", task=PURGE, schedule=cron("0 4 * * *"), queue="q")
    same = TaskState(name="Same", task=PURGE, schedule=cron("0 0 1 * *"))
    desired = [
        replace(requeue, schedule=cron("30 * * * *"), enabled=False),
        TaskState(
            name="New",
            task=PURGE,
            schedule=cron("0 3 * * *", "Europe/Sofia"),
            kwargs='{"days": 30}',
        ),
        same,
    ]
    return make_plan(desired, [requeue, old, same])


def test_text_shows_each_change_field_by_field_and_the_summary():
    assert render_text(sample_plan()) == (
        "+ New\n"
        f"    task: {PURGE}\n"
        "    schedule: cron 0 3 * * * (Europe/Sofia)\n"
        "      At 03:00 (Europe/Sofia), https://crontab.guru/#0_3_*_*_*\n"
        '    kwargs: {"days": 30}\n'
        "- Old | report\n"
        f"    task: {PURGE}\n"
        "    schedule: cron 0 4 * * * (UTC)\n"
        "      At 04:00 (UTC), https://crontab.guru/#0_4_*_*_*\n"
        '    queue: "q"\n'
        "~ Re-queue stuck emails\n"
        "    schedule: cron 15 * * * * (UTC) -> cron 30 * * * * (UTC)\n"
        "      was: At 15 minutes past the hour (UTC), https://crontab.guru/#15_*_*_*_*\n"
        "      now: At 30 minutes past the hour (UTC), https://crontab.guru/#30_*_*_*_*\n"
        "    enabled: true -> false\n"
        "\n"
        "1 to add, 1 to change, 1 to remove, 1 unchanged\n"
    )


def test_text_in_sync_is_one_line():
    tasks = [TaskState(name="a", task=PURGE, schedule=cron("* * * * *"))]
    assert render_text(make_plan(tasks, tasks)) == (
        "In sync: 0 to add, 0 to change, 0 to remove, 1 unchanged\n"
    )


def test_colour_only_when_asked():
    plain = render_text(sample_plan(), color=False)
    coloured = render_text(sample_plan(), color=True)
    assert "\x1b[" not in plain
    assert "\x1b[32m\x1b[1m+ New\x1b[0m" in coloured  # green add
    assert "\x1b[31m\x1b[1m- Old | report\x1b[0m" in coloured  # red remove
    assert "\x1b[33m\x1b[1m~ Re-queue stuck emails\x1b[0m" in coloured  # yellow change


def test_json_is_the_documented_object():
    document = json.loads(render_json(sample_plan()))
    assert document["in_sync"] is False
    assert document["summary"] == {
        "add": 1,
        "change": 1,
        "remove": 1,
        "adopt": 0,
        "rename": 0,
        "disable": 0,
        "unchanged": 1,
        "drift": 0,
        "unmanaged": 0,
    }
    assert [(c["action"], c["name"]) for c in document["changes"]] == [
        ("add", "New"),
        ("remove", "Old | report"),
        ("change", "Re-queue stuck emails"),
    ]
    change = document["changes"][2]["fields"]
    assert change["enabled"] == {"old": True, "new": False}
    assert change["schedule"]["old"] == {
        "kind": "cron",
        "expression": "15 * * * *",
        "minute": "15",
        "hour": "*",
        "day_of_month": "*",
        "month_of_year": "*",
        "day_of_week": "*",
        "timezone": "UTC",
        "description": "At 15 minutes past the hour",
        "url": "https://crontab.guru/#15_*_*_*_*",
    }
    added = document["changes"][0]["fields"]
    assert added["kwargs"] == {"old": None, "new": {"days": 30}}
    assert added["task"] == {"old": None, "new": PURGE}
    removed = document["changes"][1]["fields"]
    assert removed["queue"] == {"old": "q", "new": None}


def test_json_in_sync():
    zero = dict.fromkeys(("add", "change", "remove", "adopt", "rename", "disable"), 0)
    assert json.loads(render_json(make_plan([], []))) == {
        "in_sync": True,
        "manage": "all",
        "summary": {**zero, "unchanged": 0, "drift": 0, "unmanaged": 0},
        "changes": [],
    }


def test_markdown_is_a_table_with_escaped_pipes():
    lines = render_markdown(sample_plan()).splitlines()
    assert lines[0] == "**beat-sync**: 1 to add, 1 to change, 1 to remove, 1 unchanged"
    assert lines[2:4] == ["| | Periodic task | Fields |", "|---|---|---|"]
    assert lines[5].startswith("| ➖ remove | `Old \\| report` | task: ")
    assert lines[6] == (
        "| ✏️ change | `Re-queue stuck emails` | schedule: `cron 15 * * * * (UTC)` → "
        "`cron 30 * * * * (UTC)` (At 30 minutes past the hour (UTC), "
        "https://crontab.guru/#30_*_*_*_*)<br>enabled: `true` → `false` |"
    )
    assert len(lines) == 7
    # every row has the table's three cells: no unescaped pipe broke one
    for row in lines[4:]:
        assert row.replace("\\|", "").count("|") == 4


def test_markdown_in_sync():
    assert render_markdown(make_plan([], [])) == (
        "**beat-sync**: periodic tasks in sync (0 unchanged).\n"
    )


def ownership_plan():
    """One task of each ownership action: adopted, renamed, disabled, drifted (manage=owned,
    on_remove=disable), and a row left alone."""
    from beat_sync.ownership import Record

    base = TaskState(name="Adopted", task=PURGE, schedule=cron("0 1 * * *"))
    renamed_old = replace(base, name="Old name", schedule=cron("0 2 * * *"))
    gone = replace(base, name="Gone", schedule=cron("0 3 * * *"))
    drifted = replace(base, name="Drifted", schedule=cron("0 4 * * *"))
    edited = replace(drifted, description="edited")
    other = replace(base, name="Other", schedule=cron("0 5 * * *"))
    current = [base, renamed_old, gone, edited, other]
    desired = [
        replace(base, description="now ours"),
        replace(renamed_old, name="New name", previous_names=("Old name",)),
        drifted,
    ]
    records = {t.name: Record(t.name, "s.yaml:1", t) for t in (renamed_old, gone, drifted)}
    return make_plan(desired, current, records=records, manage="owned", on_remove="disable")


def test_ownership_actions_in_text_json_and_markdown():
    plan = ownership_plan()
    assert render_text(plan) == (
        "~ Adopted (adopt)\n"
        '    description: "" -> "now ours"\n'
        "~ Drifted (changed outside the manifest)\n"
        "    (each field: applied -> now -> manifest)\n"
        '    description: "" -> "edited" -> ""\n'
        "- Gone (disable)\n"
        "    enabled: true -> false\n"
        "~ Old name -> New name\n"
        "\n"
        "0 to add, 1 to change, 0 to remove, 1 to adopt, 1 to rename, 1 to disable, "
        "0 unchanged, 1 not managed (left alone)\n"
    )
    document = json.loads(render_json(plan))
    assert [(c["action"], c["name"], c["drift"]) for c in document["changes"]] == [
        ("adopt", "Adopted", False),
        ("change", "Drifted", True),
        ("disable", "Gone", False),
        ("rename", "New name", False),
    ]
    assert document["changes"][3]["old_name"] == "Old name"
    assert document["changes"][1]["fields"] == {
        "description": {"applied": "", "old": "edited", "new": ""}
    }
    assert document["summary"]["unmanaged"] == 1 and document["manage"] == "owned"
    assert render_markdown(plan).splitlines()[4:] == [
        '| 🤝 adopt | `Adopted` | description: `""` → `"now ours"` |',
        "| ✏️ change (changed outside the manifest) | `Drifted` | "
        'description: `""` → `"edited"` → `""` |',
        "| ⏸️ disable | `Gone` | enabled: `true` → `false` |",
        "| 🏷️ rename | `Old name` → `New name` |  |",
    ]


# What a table row can hold that the manifest refuses (the admin, a script, an old version):
# each control or invisible character is one that can forge or hide a line.
HOSTILE = [
    "Purge\nIn sync: 0 to add, 0 to change, 0 to remove, 3 unchanged",
    "Purge\r+ Fake",
    "\x1b[2K\x1b[1AIn sync",
    "Purge\x9b2K",  # C1 CSI
    "Purge \u202eslaime",  # right-to-left override
    "Purge\u2028line",  # line separator
    "Purge\x00",
    "Purge\x7f",
]


def removing(name: str, **fields):
    row = TaskState(name=name, task=PURGE, schedule=cron("0 4 * * *"), **fields)
    return make_plan([], [row])


def test_no_output_prints_a_control_or_invisible_character_of_a_value():
    for name in HOSTILE:
        plan = removing(name, description=f"about {name}", queue=name)
        text = render_text(plan)
        # header, task, schedule, note, queue, description, a blank line, the summary
        assert text.count("\n") == 8, text
        assert all(line.isprintable() for line in text.splitlines()), repr(text)
        markdown = render_markdown(plan)
        assert all(line.isprintable() for line in markdown.splitlines()), repr(markdown)
        assert markdown.count("\n") == 5, markdown  # no row split by the value
        document = render_json(plan)
        assert all(line.isprintable() for line in document.splitlines()), repr(document)
        change = json.loads(document)["changes"][0]
        assert (change["name"], change["fields"]["queue"]["old"]) == (name, name)
    assert render_text(removing("a\x1bb")).startswith("- a\\x1bb\n")


def test_markdown_code_spans_outlast_any_backticks_in_the_value():
    for name, cell in [
        ("a``b", "```a``b```"),
        ("x `` <img src=x onerror=alert(1)> ``", "``` x `` <img src=x onerror=alert(1)> `` ```"),
        ("`edge`", "`` `edge` ``"),
        ("[link](https://evil.example)", "`[link](https://evil.example)`"),
        ("a|b", "`a\\|b`"),
    ]:
        row = render_markdown(removing(name)).splitlines()[4]
        assert row.startswith(f"| ➖ remove | {cell} | "), row


def test_markdown_shows_an_odd_cron_note_as_code_not_markup():
    row = TaskState(name="a", task=PURGE, schedule=cron("0 4 * * *", "<b>Evil</b>"))
    cell = render_markdown(make_plan([], [row])).splitlines()[4].split(" | ")[2]
    assert cell == (
        f"task: `{PURGE}`<br>schedule: `cron 0 4 * * * (<b>Evil</b>)` "
        "(`At 04:00 (<b>Evil</b>), https://crontab.guru/#0_4_*_*_*`) |"
    )


def test_status_shows_a_hostile_row_name_escaped():
    from datetime import UTC, datetime

    from beat_sync.api import Status
    from beat_sync.render import render_status_json, render_status_text
    from beat_sync.status import TaskStatus

    for name in HOSTILE:
        row = TaskState(name=name, task=PURGE, schedule=cron("0 4 * * *"))
        status = TaskStatus(row, "ok", None, 0, None, None)
        report = Status((status,), datetime(2026, 11, 28, tzinfo=UTC), "UTC")
        text = render_status_text(report)
        assert text.count("\n") == 3 and all(line.isprintable() for line in text.splitlines())
        document = render_status_json(report)
        assert all(line.isprintable() for line in document.splitlines()), repr(document)
        assert json.loads(document)["tasks"][0]["name"] == name


def test_status_columns_line_up_in_terminal_columns_with_wide_and_combining_names():
    from datetime import UTC, datetime

    from beat_sync.api import Status
    from beat_sync.describe import display_width
    from beat_sync.render import render_status_text
    from beat_sync.status import TaskStatus

    names = ["Purge", "邮件清理任务", "Ｆｕｌｌｗｉｄｔｈ", "Cafe\u0301 nightly"]
    rows = [TaskState(name=name, task=PURGE, schedule=cron("0 4 * * *")) for name in names]
    report = Status(
        tuple(TaskStatus(row, "ok", None, 0, None, None) for row in rows),
        datetime(2026, 11, 28, tzinfo=UTC),
        "UTC",
    )
    lines = render_status_text(report).splitlines()[:5]
    # The SCHEDULE column starts at the same terminal column on every line.
    starts = {
        display_width(line[: line.index(word)])
        for line, word in zip(lines, ["SCHEDULE", *["At 04:00"] * 4], strict=True)
    }
    assert starts == {display_width("Ｆｕｌｌｗｉｄｔｈ") + 2} == {20}
