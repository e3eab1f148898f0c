"""How the command line talks to a person: output levels, colour and progress.

Owns three decisions and nothing else:
- how much to say: `--quiet` (problems and failures only), normal, `--verbose`
  (also stage timings and the files a build touched, on stderr);
- whether a stream gets colour: only a terminal (not `TERM=dumb`), and never
  when `NO_COLOR` is set to anything but the empty string (no-color.org);
- whether progress is drawn: only when stderr is a terminal and not quiet.
The words are the same with and without colour: colour is laid over the
plain text by `problem_spans` and `summary_spans`. When nothing goes to a
terminal, rich is never imported and every line is printed as plain text.

Progress objects (`TerminalProgress`, `StageTimes`, `NullProgress`) share one
protocol: `stage(name, total)`, `advance(count=1)`, `finish()`. They must be
called from the process that made them. `TerminalProgress` starts no thread
(rich's auto-refresh would, and sitegen forks render workers: forking while a
thread holds a lock can hang the child), so it redraws itself in `advance`,
at most every `refresh_every` seconds.
"""

from __future__ import annotations

import os
import re
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, TextIO

from ..model.diagnostics import ERROR, HINT, WARNING, Diagnostic, Report, visible
from ..model.progress import NullProgress

QUIET, NORMAL, VERBOSE = 0, 1, 2

SEVERITY_STYLES = {ERROR: "bold red", WARNING: "bold yellow", HINT: "cyan"}
Spans = list[tuple[int, int, str]]  # (start, end, rich style) over a plain line


# ---------------------------------------------------------------- terminals and colour

def is_terminal(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """A terminal a person reads (not a pipe, a file, or a `TERM=dumb` console)."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False
    return tty and environ.get("TERM", "") != "dumb"


def wants_colour(stream: TextIO, environ: Mapping[str, str]) -> bool:
    """Colour on a terminal, unless NO_COLOR holds a non-empty value."""
    return not environ.get("NO_COLOR") and is_terminal(stream, environ)


# ---------------------------------------------------------------- colour laid over plain text

def problem_spans(d: Diagnostic) -> tuple[str, Spans]:
    """`d.format()` and the styles of its parts: location, severity word, `Fix:`."""
    text = d.format()
    location = d.location()
    start = len(location) + 2
    spans = [(0, len(location), "bold"), (start, start + len(d.severity), SEVERITY_STYLES.get(d.severity, ""))]
    if d.fix:
        fix_at = len(text) - len(visible(d.fix)) - len("Fix: ")  # as format() shows it
        spans.append((fix_at, fix_at + len("Fix:"), "green"))
    return text, [s for s in spans if s[2]]


_COUNT = re.compile(r"\b(\d+) (error|warning|hint)s?\b")
_LEAD = re.compile(r"^(Built|Checked|Build failed|Check failed)\b")
_ADVICE = re.compile(r"(Fix the errors[^.]*\.|The output folder was left as it was\.)")


def summary_spans(text: str, ok: bool) -> Spans:
    """Styles for a summary line: its first words green (ok) or red, non-zero counts by severity."""
    spans: Spans = []
    lead = _LEAD.match(text)
    if lead:
        spans.append((0, lead.end(), "bold green" if ok else "bold red"))
    for m in _COUNT.finditer(text):
        if m.group(1) != "0":
            spans.append((m.start(), m.end(), SEVERITY_STYLES[m.group(2)]))
    for m in _ADVICE.finditer(text):
        spans.append((m.start(), m.end(), "red"))
    return spans


# ---------------------------------------------------------------- the console

@dataclass
class Console:
    """Where the command line prints, how much, and whether in colour."""

    out: TextIO
    err: TextIO
    level: int = NORMAL
    colour_out: bool = False
    colour_err: bool = False
    live: bool = False  # draw progress on err
    _rich: dict = field(default_factory=dict, repr=False)  # stream id -> rich Console, made on first use

    @classmethod
    def open(cls, quiet: bool = False, verbose: bool = False, out: TextIO | None = None,
             err: TextIO | None = None, environ: Mapping[str, str] | None = None) -> "Console":
        out = out or sys.stdout
        err = err or sys.stderr
        environ = os.environ if environ is None else environ
        level = QUIET if quiet else VERBOSE if verbose else NORMAL
        return cls(out, err, level, wants_colour(out, environ), wants_colour(err, environ),
                   live=level != QUIET and is_terminal(err, environ))

    @classmethod
    def from_args(cls, args) -> "Console":
        return cls.open(quiet=getattr(args, "quiet", False), verbose=getattr(args, "verbose", False))

    @property
    def quiet(self) -> bool:
        return self.level == QUIET

    @property
    def verbose(self) -> bool:
        return self.level == VERBOSE

    # -------------------------------------------------------- printing

    def line(self, text: str, spans: Spans = (), stream: TextIO | None = None) -> None:
        """Print one line (or several), in colour when that stream takes it."""
        stream = stream or self.out
        coloured = self.colour_out if stream is self.out else self.colour_err if stream is self.err else False
        if not coloured or not spans:
            print(text, file=stream)
            return
        from rich.text import Text  # only on a terminal
        styled = Text(text)
        for start, end, style in spans:
            styled.stylize(style, start, end)
        self._rich_console(stream).print(styled)

    def problems(self, report: Report, stream: TextIO | None = None) -> None:
        """Every problem of `report`, sorted, one per line; hints are left out when quiet."""
        shown = [d for d in report.sorted() if not (self.quiet and d.severity == HINT)]
        if not shown:
            return
        stream = stream or self.out
        if not (self.colour_out if stream is self.out else self.colour_err):
            print("\n".join(d.format() for d in shown), file=stream)
            return
        for d in shown:
            self.line(*problem_spans(d), stream=stream)

    def summary(self, text: str, ok: bool, stream: TextIO | None = None) -> None:
        self.line(text, summary_spans(text, ok), stream)

    def detail(self, text: str) -> None:
        """Only with --verbose, on stderr."""
        if self.verbose:
            print(text, file=self.err)

    def stage_times(self, progress) -> None:
        """With --verbose, how long each stage took."""
        for name, seconds in getattr(progress, "times", ()):
            self.detail(f"{seconds:8.2f} s  {name}")

    def file_list(self, label: str, paths: Iterable[str]) -> None:
        """With --verbose, one `label  path` line per path."""
        if self.verbose:
            for path in paths:
                print(f"{label:<9} {path}", file=self.err)

    def progress(self) -> "NullProgress":
        """What a build or check reports its stages to: drawn on a terminal, timed with --verbose."""
        if self.live:
            return TerminalProgress(self.err)
        if self.verbose:
            return StageTimes()
        return NullProgress()

    def _rich_console(self, stream: TextIO):
        console = self._rich.get(id(stream))
        if console is None:
            from rich.console import Console as RichConsole
            console = RichConsole(file=stream, force_terminal=True, highlight=False, soft_wrap=True,
                                  emoji=False, markup=False)
            self._rich[id(stream)] = console
        return console


# ---------------------------------------------------------------- progress

class StageTimes(NullProgress):
    """Shows nothing, but remembers how long each stage took (`times`: [(name, seconds)])."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter):
        self.clock = clock
        self.times: list[tuple[str, float]] = []
        self._current: tuple[str, float] | None = None

    def stage(self, name: str, total: int = 0) -> None:
        self._end_stage()
        self._current = (name, self.clock())

    def finish(self) -> None:
        self._end_stage()

    def _end_stage(self) -> None:
        if self._current is not None:
            name, started = self._current
            self.times.append((name, self.clock() - started))
            self._current = None


class TerminalProgress(StageTimes):
    """A bar per stage on a terminal (cleared when done), redrawn from `advance` only: no thread."""

    def __init__(self, stream: TextIO, refresh_every: float = 0.1, clock: Callable[[], float] = time.perf_counter):
        super().__init__(clock)
        self.stream = stream
        self.refresh_every = refresh_every
        self._bars = None  # rich.progress.Progress, made by the first stage
        self._task = None
        self._drawn = 0.0

    def stage(self, name: str, total: int = 0) -> None:
        super().stage(name, total)
        bars = self._bars
        if bars is None:
            bars = self._bars = self._make_bars()
            bars.start()
        elif self._task is not None:  # the previous stage is complete: show its bar full
            last = bars.tasks[-1]
            done = last.total or max(last.completed, 1)
            bars.update(self._task, total=done, completed=done)
        self._task = bars.add_task(name, total=total or None)
        self._redraw()

    def advance(self, count: int = 1) -> None:
        if self._task is None:
            return
        self._bars.advance(self._task, count)
        if self.clock() - self._drawn >= self.refresh_every:
            self._redraw()

    def finish(self) -> None:
        super().finish()
        if self._bars is not None:
            self._bars.stop()  # transient: the bars are erased, the cursor shown again
            self._bars, self._task = None, None

    def _redraw(self) -> None:
        self._bars.refresh()
        self._drawn = self.clock()

    def _make_bars(self):
        from rich.console import Console as RichConsole
        from rich.progress import BarColumn, Progress, ProgressColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
        from rich.text import Text

        class Count(ProgressColumn):
            """`done/total`, or nothing while the total is unknown."""

            def render(self, task):
                return Text("" if task.total is None else f"{task.completed:.0f}/{task.total:.0f}", style="green")

        console = RichConsole(file=self.stream, highlight=False, emoji=False, markup=False)
        return Progress(SpinnerColumn(), TextColumn("{task.description}", markup=False), BarColumn(), Count(),
                        TimeElapsedColumn(), console=console, auto_refresh=False, transient=True,
                        redirect_stdout=False, redirect_stderr=False)
