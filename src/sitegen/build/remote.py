"""A build `Session` in a process of its own: what `serve` rebuilds with.

Owns the builder process and the conversation with it. `serve` runs
threads (tornado, watchdog), and forking a process that runs threads can
leave the child waiting forever on a lock another thread held at the fork;
so `RemoteSession` forks ONE builder before any thread exists, and that
process, which runs no threads of its own, owns `pipeline.Session` and may
fork its render pool safely. `rebuild()` asks the builder for one rebuild
and returns an `Outcome`: the few picklable facts `serve` uses (the model
stays in the builder).

The builder leads a process group of its own (its render workers join it),
ignores SIGINT (the terminal's Ctrl-C reaches `serve` only) and dies on
SIGTERM. `stop()` may be called from a signal handler at any moment, a
rebuild included: it sends SIGTERM to the whole group, and a `rebuild()`
waiting for an answer raises `BuilderGone(stopped=True)` at once. `close()`
then reaps the builder, sends SIGKILL to anything left in its group after
`grace` seconds, and waits for the group to be gone (on Linux the caller
becomes the reaper of the builder's orphaned workers, so it reaps them
too). A builder that dies on its own (killed, out of memory) is reported by
`rebuild()` and `lost()`; it is not replaced, since forking a new one from
the threaded caller is what this module exists to avoid. A builder whose
caller dies sees the connection close and exits.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import signal
import sys
import time
import traceback
from dataclasses import dataclass
from multiprocessing import Pipe
from multiprocessing.connection import Connection

from ..model.diagnostics import Report
from . import pipeline

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
GRACE_SECONDS = 0.5  # after SIGTERM, how long the builder's group may take to exit before SIGKILL
DRAIN_SECONDS = 0.5  # after SIGKILL, how long close() waits for the group to be gone
POLL_SECONDS = 0.1  # how often a waiting rebuild() checks that the builder is still there
PR_SET_CHILD_SUBREAPER = 36  # from <linux/prctl.h>
REBUILD = "rebuild"


@dataclass(frozen=True)
class Outcome:
    """What `serve` needs of one rebuild (`pipeline.BuildResult` without the model)."""

    report: Report
    changed: list[str]
    seconds: float
    ok: bool
    base_path: str
    language: str = ""  # site.yaml's language, when the sources loaded

    @classmethod
    def of(cls, result: pipeline.BuildResult) -> Outcome:
        return cls(result.report, list(result.changed), result.seconds, result.ok, result.base_path,
                   result.language)


class BuildCrashed(Exception):
    """The rebuild raised in the builder (a sitegen bug, or a file that vanished while read)."""

    def __init__(self, kind: str, message: str, details: str):
        super().__init__(message)
        self.kind = kind  # the exception's type name, e.g. "OSError"
        self.message = message
        self.details = details  # its traceback, as the builder printed it


class BuilderGone(Exception):
    """The builder process is not there any more: stopped by `stop()`, or lost."""

    def __init__(self, message: str, stopped: bool):
        super().__init__(message)
        self.stopped = stopped


class RemoteSession:
    """`pipeline.Session(options)` in a forked builder process; make it before starting any thread."""

    def __init__(self, options: pipeline.BuildOptions, grace: float = GRACE_SECONDS):
        self.options = options
        self.grace = grace
        self.stopping = False  # stop() was called: the builder is being (or has been) killed
        self._status: int | None = None  # the builder's wait status, once reaped
        self._closed = False
        self.adopts = adopt_orphans()  # so that close() can reap the render workers the builder leaves
        self.pid, self._conn = fork_builder(options)

    def __enter__(self) -> RemoteSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def rebuild(self) -> Outcome:
        """One rebuild in the builder; raises BuildCrashed or BuilderGone instead of hanging."""
        if self.stopping or self._closed:
            raise BuilderGone("the builder was stopped", stopped=True)
        try:
            self._conn.send(REBUILD)
            while not self._conn.poll(POLL_SECONDS):
                if self.stopping or self._reap() is not None:
                    raise self._gone()
            reply = self._conn.recv()
        except (EOFError, OSError, pickle.UnpicklingError):
            raise self._gone() from None
        if reply[0] == "crashed":
            raise BuildCrashed(*reply[1:])
        return reply[1]

    def stop(self) -> None:
        """SIGTERM to the builder's group. Safe in a signal handler; returns at once."""
        if self.stopping or self._closed:
            return
        self.stopping = True
        kill_group(self.pid, signal.SIGTERM)

    def lost(self) -> str | None:
        """Why the builder ended, if it ended without being stopped; else None."""
        if self.stopping or self._closed or self._reap() is None:
            return None
        return str(self._gone())

    def close(self) -> None:
        """Stop the builder, wait `grace` s for its group to exit, then SIGKILL what is left."""
        if self._closed:
            return
        self.stop()
        deadline = time.monotonic() + self.grace
        while self._reap() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        kill_group(self.pid, signal.SIGKILL)  # the builder if still there, and any render worker it left
        deadline = time.monotonic() + DRAIN_SECONDS
        while not self._drained() and time.monotonic() < deadline:
            time.sleep(0.01)  # a killed worker may take a moment to end
        self._closed = True
        self._conn.close()

    def _reap(self) -> int | None:
        """The builder's wait status if it has exited (reaping it), else None."""
        if self._status is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere
                pid, status = self.pid, 0
            if pid == self.pid:
                self._status = status
        return self._status

    def _drained(self) -> bool:
        """Has every process of the builder's group ended (and been reaped, where we can)?"""
        if self._reap() is None:
            return False
        if not self.adopts:
            return not group_alive(self.pid)  # a worker still waiting for its reaper counts as alive
        while True:  # the builder's orphans are our children now: reap the dead ones
            try:
                pid, _ = os.waitpid(-self.pid, os.WNOHANG)
            except ChildProcessError:  # none left in the group
                return True
            if pid == 0:  # one still running
                return False

    def _gone(self) -> BuilderGone:
        if self.stopping:
            return BuilderGone("the builder was stopped", stopped=True)
        deadline = time.monotonic() + 1  # the connection closes just before the process ends
        while self._reap() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        return BuilderGone(f"the build process (pid {self.pid}) {ending(self._status)}", stopped=False)


def ending(status: int | None) -> str:
    """How a process ended, in words, from its wait status."""
    if status is None:
        return "stopped answering"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = str(sig)
        hint = " (the system may have run out of memory)" if sig == signal.SIGKILL else ""
        return f"was killed by signal {name}{hint}"
    return f"exited with status {os.waitstatus_to_exitcode(status)}"


def kill_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):  # the group is empty: nothing left to stop
        pass


def adopt_orphans() -> bool:
    """Linux: become the reaper of our descendants' orphans (PR_SET_CHILD_SUBREAPER); False elsewhere.

    When the builder is killed, its render workers are handed to this process
    instead of init, so `close()` can wait until each has ended and reap it.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, ctypes.c_ulong(1), ctypes.c_ulong(0), ctypes.c_ulong(0),
                          ctypes.c_ulong(0)) == 0
    except (OSError, AttributeError):
        return False


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def fork_builder(options: pipeline.BuildOptions) -> tuple[int, Connection]:
    """Fork the builder; returns its pid (= its process group) and the caller's end of the connection.

    The stop signals are blocked across the fork, so a signal that comes
    meanwhile reaches the caller's handler once the pid is known, and the
    child never runs the caller's handlers.
    """
    ours, theirs = Pipe()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # else the child would print the caller's buffered text again
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        pid = os.fork()
        if pid == 0:  # the builder: never returns into the caller's code
            code = 1
            try:
                ours.close()
                become_builder()
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)
                serve_builds(theirs, options)
                code = 0
            except BaseException:  # noqa: BLE001 - the caller reports the exit status
                traceback.print_exc()
            finally:
                os._exit(code)
        try:
            os.setpgid(pid, pid)  # also done by the child: whichever runs first, killpg works at once
        except OSError:  # the child has already exited
            pass
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    theirs.close()
    return pid, ours


def become_builder() -> None:
    """In the child: its own process group, Ctrl-C ignored, SIGTERM fatal, the terminal left alone."""
    os.setpgid(0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for serve, which stops us by SIGTERM
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGTTOU, signal.SIG_IGN)  # printing from a background group must not stop us
    null = os.open(os.devnull, os.O_RDONLY)  # nor reading from it (we never do: SIGTTIN would)
    os.dup2(null, 0)
    os.close(null)


def serve_builds(conn: Connection, options: pipeline.BuildOptions) -> None:
    """The builder's loop: one rebuild per request, until the caller closes the connection."""
    session = pipeline.Session(options)
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request != REBUILD:
            return
        try:
            reply = ("done", Outcome.of(session.rebuild()))
            pickle.dumps(reply)  # a report that cannot travel is a crash, not a silent hang
        except Exception as exc:  # noqa: BLE001 - sent to serve, which shows it to the author
            reply = ("crashed", type(exc).__name__, str(exc), "".join(traceback.format_exception(exc)))
        try:
            conn.send(reply)
        except OSError:  # the caller is gone
            return
