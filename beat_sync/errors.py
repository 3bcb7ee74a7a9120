"""Located problems a user caused: values carried to the CLI, never exceptions to a terminal."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, NamedTuple


class Location(NamedTuple):
    """A place in a manifest file: 1-based line and column, as editors and compilers count."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class Places:
    """Where each key's value of one mapping is written, a Location made only when asked for
    (diff of 10,000 tasks asks for none)."""

    __slots__ = ("path", "positions")

    def __init__(self, path: str, positions: dict[str, tuple[int, int]]) -> None:
        self.path = path
        self.positions = positions  # key -> (line, column)

    def get(self, key: str) -> Location | None:
        position = self.positions.get(key)
        return None if position is None else Location(self.path, *position)


@dataclass(frozen=True, order=True)
class LocatedError:
    """One problem at `path:line:column` (sorted by place, then message)."""

    path: str
    line: int
    column: int
    message: str
    severity: Literal["error", "warning"] = "error"
    code: str | None = None  # a lint's code, e.g. "BS101" (beat_sync.manifest.lint_codes)

    @classmethod
    def at(
        cls,
        location: Location,
        message: str,
        severity: Literal["error", "warning"] = "error",
        code: str | None = None,
    ) -> LocatedError:
        return cls(location.path, location.line, location.column, message, severity, code)

    @property
    def location(self) -> Location:
        return Location(self.path, self.line, self.column)

    def __str__(self) -> str:
        if self.code:  # `path:line:column: BS101 message`, as linters print
            return f"{self.location}: {self.code} {self.message}"
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.location}: {prefix}{self.message}"


def has_errors(problems: Iterable[LocatedError]) -> bool:
    """True when any of `problems` is an error (warnings alone never fail a command)."""
    return any(problem.severity == "error" for problem in problems)


class UserError(Exception):
    """An expected failure outside the manifest (bad settings, unreachable database, ...).

    The CLI prints its message as one line and exits 1; it is never shown with a traceback.
    """
