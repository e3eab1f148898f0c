"""Watching the sources for `serve`: file-system events in, one build per burst of saves out.

Owns `DebouncedWatcher`, a livereload `Watcher` driven by watchdog (inotify
on Linux) instead of livereload's 800 ms mtime polling. Folders are watched
recursively, never single files, so an editor's atomic save (write a
temporary file, rename it over the original) is seen. Every event restarts
a short quiet period; when it ends, each task whose folder changed runs
once, on the IOLoop thread, and livereload is told what to reload. Events
that arrive during a build start the next quiet period, so saves made in
quick succession are built together, none is lost, and a build does not
start while a file is still being written.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable

from livereload.watcher import Watcher
from tornado.ioloop import IOLoop
from watchdog.events import (DirCreatedEvent, DirDeletedEvent, DirMovedEvent, FileClosedEvent, FileCreatedEvent,
                             FileDeletedEvent, FileModifiedEvent, FileMovedEvent, FileSystemEvent,
                             FileSystemEventHandler)
from watchdog.observers import Observer

QUIET_SECONDS = 0.08  # a save is built once nothing has changed for this long

# Only changes. Opening or reading a file (as every build does) must not start a build.
EVENTS = [FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent, FileClosedEvent,
          DirCreatedEvent, DirDeletedEvent, DirMovedEvent]
CHANGES = frozenset({"created", "modified", "deleted", "moved", "closed"})


class DebouncedWatcher(Watcher):
    """A livereload watcher: `watch(folder, task)`, then livereload calls `start()` and `examine()`.

    A task is called without arguments and returns the path to send in
    livereload's reload message, or None when nothing visible changed.
    Events are recorded from the moment a folder is watched, so a save made
    during the first build is built afterwards.
    """

    def __init__(self, loop: IOLoop, quiet: float = QUIET_SECONDS):
        super().__init__()
        self._loop = loop
        self._quiet = quiet
        self._observer = Observer()
        self._lock = threading.Lock()
        self._pending: set[str] = set()  # changed paths not built yet (filled by watchdog's thread)
        self._timer: object | None = None
        self._callback: Callable[[], None] | None = None

    def watch(self, path, func=None, delay=None, ignore=None) -> None:
        """Watch a folder and everything below it; `func` runs after a change there."""
        folder = os.path.abspath(path)
        if not os.path.isdir(folder):
            raise NotADirectoryError(f"not a folder: {path}")
        super().watch(folder, func, delay, ignore)
        self._observer.schedule(_Forward(self._record), folder, recursive=True, event_filter=EVENTS)
        if not self._observer.is_alive():
            self._observer.start()

    def start(self, callback: Callable[[], None]) -> bool:
        """Called by livereload with the function that runs `examine()` and sends the reload."""
        self._callback = callback
        with self._lock:
            waiting = bool(self._pending)
        if waiting:
            self._arm()
        return True  # event driven: livereload must not start its polling

    def examine(self) -> tuple[str | None, None]:
        """Run the tasks of the folders that changed; returns (what to reload, no delay)."""
        # livereload queues a start-up pseudo-change; served first, it would swallow a real event.
        self._changes.clear()
        with self._lock:
            changed, self._pending = self._pending, set()
        results = [func() for func in self._tasks_for(changed)]
        self.filepath = next((r for r in results if r), None)
        return self.filepath, None

    def stop(self) -> None:
        """Stop watching; waits at most a second (watchdog's threads are daemons: they never hold up an exit)."""
        self._callback = None
        if self._observer.is_alive():
            self._observer.stop()
            self._observer.join(timeout=1)

    def _tasks_for(self, changed: Iterable[str]) -> list[Callable]:
        funcs: list[Callable] = []
        for folder, task in self._tasks.items():
            func, ignore = task["func"], task["ignore"]
            if func is None or func in funcs:
                continue
            if any(_inside(path, folder) and not self.ignore(path) and not (ignore and ignore(path))
                   for path in changed):
                funcs.append(func)
        return funcs

    def _record(self, paths: list[str]) -> None:
        """watchdog's thread: remember the paths, (re)start the quiet period on the IOLoop."""
        with self._lock:
            self._pending.update(paths)
        try:
            self._loop.add_callback(self._arm)
        except RuntimeError:  # the loop is closed: the server is stopping
            pass

    def _arm(self) -> None:
        if self._callback is None:
            return
        if self._timer is not None:
            self._loop.remove_timeout(self._timer)
        self._timer = self._loop.call_later(self._quiet, self._fire)

    def _fire(self) -> None:
        self._timer = None
        if self._callback is not None:
            self._callback()


class _Forward(FileSystemEventHandler):
    """Hands the paths of each real change to the watcher."""

    def __init__(self, record: Callable[[list[str]], None]):
        self._record = record

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in CHANGES or (event.is_directory and event.event_type == "modified"):
            return
        paths = [os.fsdecode(p) for p in (event.src_path, getattr(event, "dest_path", "")) if p]
        self._record(paths)


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)
