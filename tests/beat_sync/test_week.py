"""beat_sync.week: the week's starts per hour (counted from Celery's runs, in the project's zone)
and the SVG drawn from them, parsed back as XML: what each cell's number and title say, names
escaped, hours before --from left blank, a daylight-saving day, and the limit on runs drawn."""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree

import pytest

from beat_sync import api, week
from beat_sync.errors import UserError
from beat_sync.state import IntervalSchedule, TaskState
from tests.support.samples import PENDING, PURGE, cron

SVG = "{http://www.w3.org/2000/svg}"
TRICKY = "Herd <b> & \"quoted\" 'too'"


def task(name: str, schedule, **fields) -> TaskState:
    return TaskState(name=name, task=PURGE, schedule=schedule, **fields)


def draw(tasks, start: str, zone: str = "UTC") -> ElementTree.Element:
    drawn = api.week(desired=tasks, start=datetime.fromisoformat(start), default_timezone=zone)
    return ElementTree.fromstring(week.render_svg(drawn).encode())  # raises unless well-formed


def cell(svg: ElementTree.Element, day: int, hour: int) -> tuple[str, str, str]:
    """(class, title, number shown) of one cell."""
    found = svg.find(f".//{SVG}g[@id='d{day}h{hour:02d}']")
    assert found is not None
    number = found.find(f"{SVG}text")
    return found.get("class"), found.find(f"{SVG}title").text, "" if number is None else number.text


TASKS = [
    task("Every quarter", cron("*/15 * * * *")),
    task(TRICKY, cron("0 3 * * *")),
    task("Another at three", cron("0,30 3 * * *")),
    task("Switched off", cron("0 3 * * *"), enabled=False),
    TaskState(name="Twice an hour", task=PENDING, schedule=IntervalSchedule(30, "minutes")),
]


def test_a_cell_counts_the_starts_of_its_hour_and_its_title_lists_them_by_name():
    svg = draw(TASKS, "2027-03-01T00:00:00+00:00")  # a Monday
    assert [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "day"] == [
        "Mon 01 Mar", "Tue 02 Mar", "Wed 03 Mar", "Thu 04 Mar", "Fri 05 Mar", "Sat 06 Mar",
        "Sun 07 Mar",
    ]  # fmt: skip
    hours = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "hour"]
    assert hours == [f"{hour:02d}" for hour in range(24)]
    # 03:00-04:00 on Tuesday: the quarter-hourly 4 times, the half-hourly 2, and the herd.
    assert cell(svg, 1, 3) == (
        "cell",
        "Tue 02 Mar 2027 03:00-04:00 UTC: 9 starts\n"
        "Another at three ×2\n"
        "Every quarter ×4\n"
        f"{TRICKY}\n"
        "Twice an hour ×2",
        "9",
    )
    assert cell(svg, 1, 4) == (
        "cell",
        "Tue 02 Mar 2027 04:00-05:00 UTC: 6 starts\nEvery quarter ×4\nTwice an hour ×2",
        "6",
    )
    # Applied at --from, nothing runs at 00:00 itself: the first runs are 00:15 and 00:30.
    assert cell(svg, 0, 0)[1:] == (
        "Mon 01 Mar 2027 00:00-01:00 UTC: 4 starts\nEvery quarter ×3\nTwice an hour",
        "4",
    )
    heading = svg.find(f"{SVG}title").text
    assert heading == (
        "Task starts per hour, Mon 01 Mar 2027 00:00 to Mon 08 Mar 2027 00:00 UTC: "
        f"{7 * 24 * 6 - 2 + 7 * 3:,} starts of 4 tasks"
    )


def test_names_are_escaped_and_characters_xml_cannot_hold_are_replaced():
    raw = week.render_svg(
        api.week(
            desired=[task("a\x01<&>\"'\U0001f600", cron("0 3 * * *"))],
            start=datetime.fromisoformat("2027-03-01T00:00:00+00:00"),
            default_timezone="UTC",
        )
    )
    assert "a\ufffd&lt;&amp;&gt;&quot;&#39;\U0001f600" in raw
    svg = ElementTree.fromstring(raw.encode())
    assert cell(svg, 0, 3)[1].endswith("\na\ufffd<&>\"'\U0001f600")


def test_the_hours_before_from_are_blank_and_the_week_ends_with_its_seventh_day():
    svg = draw(TASKS[:1], "2027-03-01T14:20:00+00:00")
    assert cell(svg, 0, 13) == (
        "cell before",
        "Mon 01 Mar 2027 13:00-14:00 UTC: before --from (14:20)",
        "",
    )
    assert cell(svg, 0, 14)[1:] == (
        "Mon 01 Mar 2027 14:00-15:00 UTC: 2 starts\nEvery quarter ×2",
        "2",
    )
    assert cell(svg, 6, 23)[2] == "4"
    assert svg.find(f"{SVG}title").text.startswith(
        "Task starts per hour, Mon 01 Mar 2027 14:20 to Mon 08 Mar 2027 00:00 UTC: "
    )


def test_hours_are_read_in_the_projects_zone_across_daylight_saving():
    # Noon UTC is 07:00 in New York until the clocks go forward on Sunday 14 March 2027.
    svg = draw(
        [task("Noon UTC", cron("0 12 * * *"))], "2027-03-10T00:00:00-05:00", zone="America/New_York"
    )
    assert cell(svg, 3, 7)[1] == "Sat 13 Mar 2027 07:00-08:00 America/New_York: 1 start\nNoon UTC"
    assert cell(svg, 4, 7)[2] == ""
    assert cell(svg, 4, 8)[1] == "Sun 14 Mar 2027 08:00-09:00 America/New_York: 1 start\nNoon UTC"


def test_a_week_of_too_many_runs_is_refused_naming_the_busiest_task(monkeypatch):
    monkeypatch.setattr(week, "MAX_RUNS", 100)
    tasks = [task("Hourly", cron("0 * * * *")), task("Daily", cron("0 9 * * *"))]
    with pytest.raises(UserError) as caught:
        api.week(
            desired=tasks,
            start=datetime.fromisoformat("2027-03-01T00:00:00+00:00"),
            default_timezone="UTC",
        )
    assert str(caught.value) == (
        "the week from Mon 01 Mar 2027 00:00 UTC has more than 100 runs to draw ('Hourly' alone "
        "runs 97 times before Fri 05 Mar 01:00); name the tasks to draw: beat-sync next "
        "--format svg NAME..."
    )


def test_an_empty_week_draws_every_cell_empty():
    svg = draw([task("Off", cron("0 3 * * *"), enabled=False)], "2027-03-01T00:00:00+00:00")
    assert {cell(svg, d, h)[2] for d in range(7) for h in range(24)} == {""}
