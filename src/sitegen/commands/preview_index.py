"""`serve`'s search index: made again after each rebuild, once the browsers have reloaded, and never
in the way of the next save.

The builder writes the preview without an index: Pagefind reads every page
of the site each time (some 30 s at 10,000 case studies), which would hold
back every edit. `PreviewIndex` runs it instead beside the server, over the
built folder, in a process of its own (`write.search.Indexing`), and when it
finishes moves the new index into the site, so the search page finds what
the pages now say. A save stops it at once, so the rebuild has the machine
to itself; a second after the rebuild (long after the reload message has
gone to the browsers, and not at all while saves follow each other) it
starts again, at a lower priority; an index cut short by a
failed rebuild is made again from the pages still served. `serve`'s stop
kills it from the signal handler. Everything else runs on the IOLoop
thread, like the rebuilds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

from ..write import search

QUIET_SECONDS = 1.0  # after a rebuild, how long the index waits: saves in a row are not each indexed


class PreviewIndex:
    """The search index of the preview in `site`; its unfinished bundles are made in `work`."""

    def __init__(self, site: Path, work: Path, say: Callable[[str], None], quiet: float = QUIET_SECONDS):
        self.site, self.work, self.say, self.quiet = site, work, say, quiet
        self.not_before = 0.0  # monotonic time: no indexing starts before it (the last rebuild's end + quiet)
        self.language: str | None = None  # Pagefind's language, from the last good rebuild
        self.current = False  # the index in the site was made from the pages there now
        self.running: search.Indexing | None = None
        self.started = 0.0
        self.made = 0  # indexes started, to name their folders
        self.stopped = False  # serve is stopping: nothing more is started or installed

    def pause(self) -> None:
        """A rebuild starts: stop indexing pages that are about to change."""
        if self.running is not None:
            self.running.close()
            self.running = None

    def resume(self, language: str | None, changed: Iterable[str]) -> None:
        """A rebuild ended (`language`: site.yaml's, when it built): index again if a page changed,
        or the last index was cut short."""
        if language:
            self.language = search.language_of(language)
        if any(path.endswith(".html") for path in changed):
            self.current = False
        self.not_before = time.monotonic() + self.quiet

    def poll(self) -> None:
        """Called every so often on the IOLoop: start indexing when the index is behind and the last
        rebuild is `quiet` seconds old, install the index when it is done."""
        if self.stopped:
            return
        if self.running is None:
            if not self.current and self.language and time.monotonic() >= self.not_before:
                self.start()
            return
        if not self.running.done():
            return
        running, self.running = self.running, None
        try:
            running.install()
        except search.SearchFailed as exc:
            self.failed(exc)
            return
        self.current = True
        self.say(f"Search index made in {time.monotonic() - self.started:.1f} s.")

    def start(self) -> None:
        self.made += 1
        try:
            self.running = search.Indexing(self.site, self.work / f"search-index-{self.made}", self.language)
            self.started = time.monotonic()
        except search.SearchFailed as exc:
            self.failed(exc)

    def failed(self, exc: Exception) -> None:
        self.current = True  # not tried again until a page changes
        self.say(f"sitegen serve: the preview's search index could not be made: {exc}. "
                 "Search in the preview shows the last index made, if any; the pages are up to date.")

    def kill(self) -> None:
        """Stop Pagefind now, for good (serve is stopping); safe in a signal handler."""
        self.stopped = True
        running = self.running
        if running is not None:
            running.kill()

    def close(self) -> None:
        self.pause()
