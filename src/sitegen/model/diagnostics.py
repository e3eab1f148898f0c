r"""Problems found in the sources, and how they are told to an author.

Owns the `Diagnostic` record (file, line, column, severity, message, fix),
the `Report` that every stage appends to, and their output forms: text
(`path:line:column: severity: message Fix: ...`), JSON, and GitHub Actions
workflow commands (`::error file=...,line=...,col=...,title=...::message`).
No stage prints or raises on bad input: it adds a diagnostic and goes on,
so one run reports every problem at once.

Messages quote author text (titles, links, file names), so every output form
is made safe here, in one place: a control character (C0, DEL, C1), a line or
paragraph separator, a bidi override or isolate, or a lone surrogate (from a
file name that is not UTF-8) is shown as a visible escape such as `\x1b` or
`\u202e` in text and GitHub output; JSON keeps the raw string but writes
those characters as `\uXXXX` escapes. No author text can reach a terminal or
a CI log as a raw escape sequence, nor start a workflow command of its own.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

ERROR = "error"
WARNING = "warning"
HINT = "hint"
_RANK = {ERROR: 0, WARNING: 1, HINT: 2}
GITHUB_COMMANDS = {ERROR: "error", WARNING: "warning", HINT: "notice"}  # severity -> workflow command
GITHUB_TITLE = "sitegen check"

# C0 controls, DEL and C1 controls; U+2028/U+2029 (line and paragraph separators); the bidi
# embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069); lone surrogates.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SHORT_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def visible(text: str) -> str:
    """`text` with every character that could act on a terminal or a log written as a visible escape."""
    return _UNSAFE.sub(_escape, text)


def _escape(match: re.Match) -> str:
    char = match.group()
    return _SHORT_ESCAPES.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


# What json.dumps(ensure_ascii=False) leaves raw: it escapes C0 itself, so a raw newline is layout.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def json_text(data) -> str:
    """`data` as indented JSON: strings keep their value, unsafe characters are written as \\uXXXX."""
    text = json.dumps(data, ensure_ascii=False, indent=2)  # these characters only occur inside strings
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def github_data(text: str) -> str:
    """A workflow command's message: `%`, CR and LF escaped as GitHub reads them, then the rest made visible."""
    return visible(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def github_property(text: str) -> str:
    """A workflow command's property value: as `github_data`, and `:` and `,` escaped too."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


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
        parts = [visible(self.path)]
        if self.line:
            parts.append(str(self.line))
            if self.column:
                parts.append(str(self.column))
        return ":".join(parts)

    def format(self) -> str:
        """`path:line:column: severity: message Fix: fix`, on one line, with author text made visible."""
        text = f"{self.location()}: {self.severity}: {visible(self.message)}"
        if self.fix:
            text += f" Fix: {visible(self.fix)}"
        return text

    def github(self, title: str = GITHUB_TITLE) -> str:
        """A GitHub Actions annotation: `::error file=PATH,line=N,col=M,title=...::message Fix: fix`.

        line and col are left out when unknown (col also when the line is); hints are notices."""
        properties = [f"file={github_property(self.path)}"]
        if self.line:
            properties.append(f"line={self.line}")
            if self.column:
                properties.append(f"col={self.column}")
        properties.append(f"title={github_property(title)}")
        message = self.message + (f" Fix: {self.fix}" if self.fix else "")
        return f"::{GITHUB_COMMANDS[self.severity]} {','.join(properties)}::{github_data(message)}"

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
        return json_text([asdict(d) for d in self.sorted()])

    def as_github(self) -> str:
        return "\n".join(d.github() for d in self.sorted())

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
