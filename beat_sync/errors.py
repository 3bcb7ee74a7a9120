"""Located problems a user caused: values carried to the CLI, never exceptions to a terminal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, order=True)
class LocatedError:
    """One problem at `path:line:column` (1-based, as editors and compilers print them)."""

    path: str
    line: int
    column: int
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}:{self.column}: {prefix}{self.message}"


class UserError(Exception):
    """An expected failure outside the manifest (bad settings, unreachable database, ...).

    The CLI prints its message as one line and exits 1; it is never shown with a traceback.
    """
