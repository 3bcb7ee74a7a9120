"""The week's picture in a real browser: `beat-sync next --format svg -o FILE` of a manifest with
a herd at 03:00 (one name holding <, & and quotes), opened as a file in headless Chromium (the
`chrome` fixture of tests/beat_sync/conftest.py). The browser parses it as SVG and shows the
day and hour labels and the busy cell's title (its hover text) the manifest implies; and
README's picture, docs/img/week.svg, opens too."""

from __future__ import annotations

from click.testing import CliRunner

from beat_sync.cli import main
from tests.support.manifests import write_manifest
from tests.support.processes import REPO
from tests.support.samples import PENDING, PURGE, REQUEUE

HERD = "Herd <b> & \"quoted\" 'too'"
MANIFEST = f"""\
periodic_tasks:
  - name: Every quarter
    task: {REQUEUE}
    cron: "*/15 * * * *"
    kwargs: {{minutes: 15}}
  - name: '{HERD.replace("'", "''")}'
    task: {PURGE}
    cron: "0 3 * * *"
  - name: Nightly purge
    task: {PURGE}
    cron: "0,30 3 * * *"
  - name: Switched off
    task: {PENDING}
    interval: {{every: 1, period: minutes}}
    enabled: false
"""
FROM = "2027-03-01T00:00:00+00:00"  # a Monday; the example project's zone is UTC


def svg_text(chrome, selector: str) -> list[str]:
    """The text content of every element `selector` matches, as the browser parsed the file."""
    return chrome.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0]), e => e.textContent)",
        selector,
    )


def test_the_week_opens_in_a_browser_with_its_labels_and_a_busy_hours_tasks(chrome, tmp_path):
    schedules = write_manifest(tmp_path / "schedules", MANIFEST)
    picture = tmp_path / "week.svg"
    args = ["--schedules", str(schedules), "--from", FROM, "--format", "svg", "-o", str(picture)]
    result = CliRunner().invoke(main, ["next", *args])
    assert result.exit_code == 0, result.stderr

    chrome.get(picture.as_uri())
    assert chrome.execute_script("return document.documentElement.localName") == "svg"
    assert svg_text(chrome, "text.day") == [
        "Mon 01 Mar", "Tue 02 Mar", "Wed 03 Mar", "Thu 04 Mar", "Fri 05 Mar", "Sat 06 Mar",
        "Sun 07 Mar",
    ]  # fmt: skip
    assert svg_text(chrome, "text.hour") == [f"{hour:02d}" for hour in range(24)]
    # Wednesday 03:00-04:00: the quarter-hourly 4 times, the nightly purge twice, the herd once.
    assert svg_text(chrome, "#d2h03 > title") == [
        f"Wed 03 Mar 2027 03:00-04:00 UTC: 7 starts\nEvery quarter ×4\n{HERD}\nNightly purge ×2"
    ]
    assert svg_text(chrome, "#d2h03 > text") == ["7"]
    assert svg_text(chrome, "#d2h04 > text") == ["4"]
    box = chrome.execute_script("return document.querySelector('#d2h03 > rect').getBBox().width")
    assert box > 0  # drawn, not only parsed
    assert svg_text(chrome, "svg > title") == [
        "Task starts per hour, Mon 01 Mar 2027 00:00 to Mon 08 Mar 2027 00:00 UTC: "
        f"{7 * 24 * 4 - 1 + 7 * 3:,} starts of 3 tasks"
    ]

    chrome.get((REPO / "docs" / "img" / "week.svg").as_uri())
    assert svg_text(chrome, "#d0h03 > title") == [
        "Mon 30 Nov 2026 03:00-04:00 UTC: 5 starts\nPurge sent emails\nRe-queue stuck emails ×4"
    ]
