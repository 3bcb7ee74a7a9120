"""export_manifest: tasks -> manifest YAML that the manifest loader reads back to the same tasks."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from beat_sync.errors import UserError
from beat_sync.export import export_manifest
from beat_sync.manifest import load_manifest_sources
from beat_sync.manifest.rules import name_problem
from beat_sync.normalise import normalise
from beat_sync.state import TaskState
from tests.support.samples import PURGE, cron, every_kind


def read_back(text: str, default_timezone: str = "UTC") -> tuple[TaskState, ...]:
    result = load_manifest_sources([("exported.yaml", text.encode())])
    assert result.errors == (), [str(e) for e in result.errors]
    return normalise(result.specs, default_timezone)


def test_every_field_and_schedule_kind_round_trips():
    tasks = every_kind()
    assert read_back(export_manifest(tasks, "UTC")) == tuple(sorted(tasks, key=lambda t: t.name))


def test_layout_defaults_omitted_cron_as_string_or_mapping_with_its_zone():
    tasks = [
        TaskState(name="Purge", task=PURGE, schedule=cron("30 3 * * *"), kwargs='{"days": 30}'),
        TaskState(name="Sofia", task=PURGE, schedule=cron("0 9 * * mon-fri", "Europe/Sofia")),
    ]
    assert export_manifest(tasks, "UTC") == (
        "# Periodic tasks exported from the database by `beat-sync export`.\n"
        "# Review, commit, and `beat-sync diff` shows nothing to change.\n"
        "periodic_tasks:\n"
        "  - name: Purge\n"
        f"    task: {PURGE}\n"
        "    # At 03:30: https://crontab.guru/#30_3_*_*_*\n"
        "    cron: 30 3 * * *\n"
        "    kwargs: {days: 30}\n"
        "  - name: Sofia\n"
        f"    task: {PURGE}\n"
        "    # At 09:00, Monday through Friday: https://crontab.guru/#0_9_*_*_mon-fri\n"
        "    cron:\n"
        '      minute: "0"\n'.replace('"', "'")
        + "      hour: '9'\n"
        "      day_of_week: mon-fri\n"
        "      day_of_month: '*'\n"
        "      month_of_year: '*'\n"
        "      timezone: Europe/Sofia\n"
    )


def test_a_cron_in_the_default_zone_of_another_project_reads_back_the_same():
    tasks = [TaskState(name="Sofia", task=PURGE, schedule=cron("0 9 * * *", "Europe/Sofia"))]
    text = export_manifest(tasks, "Europe/Sofia")
    assert "cron: 0 9 * * *\n" in text
    assert read_back(text, "Europe/Sofia") == tuple(tasks)


def test_no_tasks_is_an_empty_list():
    assert export_manifest([], "UTC").endswith("periodic_tasks: []\n")
    assert read_back(export_manifest([], "UTC")) == ()


def test_a_column_that_is_not_json_is_a_clear_error():
    broken = TaskState(name="Broken", task=PURGE, schedule=cron("* * * * *"), args="[1,")
    with pytest.raises(UserError, match="periodic task 'Broken': its args column is not JSON"):
        export_manifest([broken], "UTC")


# Text as the admin lets people type it: YAML-significant characters, line breaks, unicode.
texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff")
    | st.sampled_from(
        [
            "\n",
            "\r",
            "\x85",
            "\u2028",
            "\x7f",
            "\t",
            ":",
            "#",
            "'",
            '"',
            "-",
            " ",
            "{",
            "&",
            "*",
            "!",
            "%",
            "@",
            "`",
        ]
    ),
    max_size=40,
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(
    # names as the manifest takes them: printable, no whitespace at either end (see name_problem)
    name=texts.filter(lambda s: 0 < len(s) <= 200 and name_problem("name", s) is None),
    description=texts,
    queue=st.none() | texts.filter(lambda s: 0 < len(s) <= 200 and not name_problem("queue", s)),
    args=st.lists(json_values, max_size=3),
    kwargs=st.dictionaries(texts, json_values, max_size=3),
)
def test_any_text_and_json_round_trips(name, description, queue, args, kwargs):
    from beat_sync.state import canonical_json

    task = TaskState(
        name=name,
        task=PURGE,
        schedule=cron("0 4 * * *"),
        description=description,
        queue=queue,
        args=canonical_json(args),
        kwargs=canonical_json(kwargs),
    )
    assert read_back(export_manifest([task], "UTC")) == (task,)


def test_names_sorted_like_the_plan():
    a, b = (replace(every_kind()[0], name=n) for n in ("b", "a"))
    assert [t.name for t in read_back(export_manifest([a, b], "UTC"))] == ["a", "b"]
