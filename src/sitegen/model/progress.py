"""How the stages tell a command how far they are: the progress protocol, and the one that shows nothing.

The build pipeline and the render stage call `stage`, `advance` and `finish`
in the parent process only; a command passes an object that draws them
(`commands.console.TerminalProgress`) or this one.
"""

from __future__ import annotations


class NullProgress:
    """Progress that shows and remembers nothing (output piped, or --quiet)."""

    def stage(self, name: str, total: int = 0) -> None:
        """A new stage begins, with `total` steps (0: unknown); the previous one ends."""

    def advance(self, count: int = 1) -> None:
        """`count` more steps of the current stage are done."""

    def finish(self) -> None:
        """The last stage ends; safe to call more than once."""
