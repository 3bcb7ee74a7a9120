"""The lint codes: what each warns of, declared once (the checks are in beat_sync.lints).

The manifest core knows the codes so that a task's `ignore: [BS101]` is checked as it is read;
`[tool.beat-sync] ignore` is checked against the same table.
"""

from __future__ import annotations

from typing import Any

from beat_sync.manifest.rules import Problem, did_you_mean, problem

LINT_CODES = {
    "BS101": "a cron that runs every minute of a fixed hour",
    "BS102": "a cron time in a daylight-saving gap or fold of its zone",
    "BS103": "a task that will never run again",
    "BS104": "a herd: more than herd_limit enabled crons start at the same minute",
    "BS105": "one_off on a repeating schedule (cron, interval, solar)",
    "BS106": "a cron that restricts both day_of_month and day_of_week (Celery wants both)",
    "BS107": "a cron day_of_month that some of its months do not have (29, 30, 31)",
}


def unknown_code(code: Any) -> str | None:
    """Why `code` is not a lint code, if it is not."""
    if code in LINT_CODES:
        return None
    if not isinstance(code, str):
        return f"a lint code is a string such as 'BS101', not {code!r}"
    return (
        f"unknown lint code {code!r}{did_you_mean(code.upper(), LINT_CODES)}; "
        f"the codes are {', '.join(LINT_CODES)}"
    )


def known_codes(value: Any) -> Any:
    """A task's `ignore` list with each unknown code reported at its item."""
    if not isinstance(value, list):
        return value
    found = [
        Problem((i,), reason, False)
        for i, code in enumerate(value)
        if (reason := unknown_code(code))
    ]
    if found:
        raise problem(found[0].message, found)
    return value
