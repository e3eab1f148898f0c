"""`sitegen serve`: a live preview that never loses an edit.

Owns the command's life cycle and what it tells the author: it checks the
folders, takes the port first (so "port in use" fails at once, exit 1),
builds into a temporary folder through `pipeline.Session` (drafts shown
unless --no-drafts), serves that folder with livereload (`devserver`),
rebuilds after each burst of saves in the content or templates folder
(`watch`), and on Ctrl-C (or SIGTERM) stops cleanly, exit 0, removing the
temporary folder. It has no build logic of its own: a rebuild is one
`Session.rebuild()`, whose outcome goes to `devserver.SiteState`.
"""

from __future__ import annotations

import asyncio
import errno
import signal
import sys
import tempfile
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from tornado import netutil
from tornado.ioloop import IOLoop

from ..build import pipeline
from .devserver import PreviewServer, SiteState
from ..model.diagnostics import ERROR, Diagnostic, Report
from .watch import DebouncedWatcher


def run(args) -> int:
    """Serve until stopped; 0 after Ctrl-C, 1 when the folders or the port are not usable."""
    problem = folder_problem(args.content, args.templates)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    try:
        sockets = netutil.bind_sockets(args.port, address=args.host)
    except (OSError, OverflowError) as exc:
        print(port_problem(args.host, args.port, exc), file=sys.stderr)
        return 1
    try:
        with tempfile.TemporaryDirectory(prefix="sitegen-serve-") as temporary:
            return serve(args, sockets, Path(temporary) / "site")
    finally:
        for sock in sockets:
            sock.close()


def folder_problem(content: Path, templates: Path) -> str | None:
    for name, folder, option in (("content", content, "--content"), ("templates", templates, "--templates")):
        if not folder.is_dir():
            return f"sitegen serve: the {name} folder {folder} was not found. " \
                   f"Run from the project folder, or pass {option} DIR."
    return None


def port_problem(host: str, port: int, exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
        return f"sitegen serve: port {port} on {host} is already in use (another server is running there). " \
               f"Stop it, or pick another port with --port, e.g. --port {port + 1 if port < 65535 else 8001}."
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return f"sitegen serve: cannot listen on {host} port {port}: {reason}. Check --host and --port."


def serve(args, sockets: list, output: Path) -> int:
    """Build, serve and rebuild until a signal stops the IOLoop."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    site = SiteState(root=output)
    watcher = DebouncedWatcher(IOLoop.current())
    server = PreviewServer(site, sockets, watcher)
    rebuild = Rebuilder(pipeline.Session(build_options(args, output)), site)
    for folder in (args.content, args.templates):
        server.watch(str(folder), rebuild)  # from here on no save is missed, the first build's time included
    with stop_on_signals(loop):
        try:
            rebuild()
            announce(args, sockets, site.base_path)
            server.serve(port=args.port, host=args.host)
        finally:
            watcher.stop()
    print("Stopped.", flush=True)
    return 0


def build_options(args, output: Path) -> pipeline.BuildOptions:
    return pipeline.BuildOptions(content=args.content, output=output, templates=args.templates,
                                 base_url=args.base_url, drafts=not args.no_drafts)


def announce(args, sockets: list, base_path: str) -> None:
    port = sockets[0].getsockname()[1]
    host = f"[{args.host}]" if ":" in args.host else args.host
    drafts = "hidden" if args.no_drafts else "shown"
    print(f"Serving http://{host}:{port}{base_path}  (drafts {drafts}; press Ctrl-C to stop)", flush=True)
    if not loopback(args.host):
        print(f"Note: with --host {args.host}, other machines on your network can open the preview.", flush=True)


def loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


@contextmanager
def stop_on_signals(loop: asyncio.AbstractEventLoop) -> Iterator[None]:
    """Ctrl-C and SIGTERM stop the loop at its next turn (after a running build), not with a traceback."""
    def stop(signum, frame) -> None:
        loop.call_soon_threadsafe(loop.stop)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class Rebuilder:
    """One rebuild, as a livereload task: returns what the browsers must reload (None: nothing)."""

    def __init__(self, session: pipeline.Session, site: SiteState, out: TextIO | None = None,
                 err: TextIO | None = None):
        self.session = session
        self.site = site
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.told: list[Diagnostic] | None = None  # the problems last printed, to print each set once

    def __call__(self) -> str | None:
        try:
            result = self.session.rebuild()
        except Exception as exc:  # a sitegen bug, or a file that vanished while it was read
            return self.crashed(exc)
        report = result.report
        self.tell(report)
        if report.failed():
            return self.site.update([], problems=tuple(report.sorted()))
        if result.changed:
            self.say(f"Built in {result.seconds:.2f} s: {changes(result.changed)}")
        return self.site.update(result.changed, base_path=result.model.urls.base_path)

    def tell(self, report: Report) -> None:
        problems = report.sorted()
        if problems == self.told:
            return
        self.told = problems
        if report.failed():
            self.say(f"The sources do not build ({report.summary()}); the browser shows the problems "
                     "until they are fixed:", self.err)
        elif self.site.broken:
            self.say("Fixed: the sources build again.")
        if problems:
            self.say(report.as_text(), self.err)

    def crashed(self, exc: Exception) -> str | None:
        self.say("sitegen failed while building (a bug; please report it with this text):\n"
                 + "".join(traceback.format_exception(exc)), self.err)
        self.told = None
        problem = Diagnostic("sitegen", None, None, ERROR,
                             f"the build stopped on an unexpected error: {type(exc).__name__}: {exc}",
                             "Save again; if it persists, report the message in the terminal.")
        return self.site.update([], problems=(problem,))

    def say(self, text: str, stream: TextIO | None = None) -> None:
        print(text, file=stream or self.out, flush=True)


def changes(paths: list[str]) -> str:
    shown = ", ".join(paths[:3])
    more = len(paths) - 3
    return f"{len(paths)} file{'s' * (len(paths) != 1)} changed ({shown}{f' and {more} more' if more > 0 else ''})"
