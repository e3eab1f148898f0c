"""Problems found in the sources, and how they are told to an author.

Owns the `Diagnostic` record (file, line, column, severity, message, fix),
the `Report` that every stage appends to, and their text and JSON forms.
No stage prints or raises on bad input: it adds a diagnostic and goes on,
so one run reports every problem at once.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

ERROR = "error"
WARNING = "warning"
HINT = "hint"
_RANK = {ERROR: 0, WARNING: 1, HINT: 2}


@dataclass(frozen=True)
class Diagnostic:
    """One problem, located in a source file (line and column are 1-based)."""

    path: str
    line: int | None
    column: int | None
    severity: str
    message: str
    fix: str = ""

    def location(self) -> str:
        parts = [self.path]
        if self.line:
            parts.append(str(self.line))
            if self.column:
                parts.append(str(self.column))
        return ":".join(parts)

    def format(self) -> str:
        text = f"{self.location()}: {self.severity}: {self.message}"
        if self.fix:
            text += f" Fix: {self.fix}"
        return text

    def sort_key(self) -> tuple:
        return (self.path, self.line or 0, self.column or 0, _RANK[self.severity], self.message)


@dataclass
class Report:
    """Every diagnostic of one run, in the order they were found."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, path, line, severity, message, fix="", column=None) -> None:
        self.items.append(Diagnostic(display_path(path), line, column, severity, message, fix))

    def error(self, path, line, message, fix="", column=None) -> None:
        self.add(path, line, ERROR, message, fix, column)

    def warning(self, path, line, message, fix="", column=None) -> None:
        self.add(path, line, WARNING, message, fix, column)

    def hint(self, path, line, message, fix="", column=None) -> None:
        self.add(path, line, HINT, message, fix, column)

    def extend(self, other: "Report") -> None:
        self.items.extend(other.items)

    def sorted(self) -> list[Diagnostic]:
        return sorted(set(self.items), key=Diagnostic.sort_key)

    def count(self, severity: str) -> int:
        return sum(1 for d in set(self.items) if d.severity == severity)

    def failed(self, strict: bool = False) -> bool:
        """True when the run must stop: any error, or any warning under --strict."""
        return self.count(ERROR) > 0 or (strict and self.count(WARNING) > 0)

    def as_text(self) -> str:
        return "\n".join(d.format() for d in self.sorted())

    def as_json(self) -> str:
        return json.dumps([asdict(d) for d in self.sorted()], ensure_ascii=False, indent=2)

    def summary(self) -> str:
        errors, warnings = self.count(ERROR), self.count(WARNING)
        return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


class BuildFailed(Exception):
    """Raised by the pipeline when its report has errors; carries the report."""

    def __init__(self, report: Report):
        super().__init__(report.summary())
        self.report = report


def display_path(path) -> str:
    """A path as the author knows it: relative to the working folder when possible."""
    p = Path(path)
    try:
        return Path(os.path.abspath(p)).relative_to(Path.cwd()).as_posix()  # links are not followed
    except ValueError:
        return p.as_posix()
