"""`sitegen serve`: a live preview that never loses an edit, and always stops.

Owns the command's life cycle and what it tells the author: it checks the
folders, takes the port first (so "port in use" fails at once, exit 1),
forks the builder (`remote.RemoteSession`, a `pipeline.Session` in a process
of its own) before any thread starts, builds into a temporary folder
(drafts shown unless --no-drafts), serves that folder with livereload
(`devserver`), answering only to this machine's own names
(`devserver.HostRule`) and warning when --host lets the network in,
rebuilds after each burst of saves in the content or templates folder
(`watch`), makes the search index again after each rebuild, behind the
reload (`preview_index`), and on Ctrl-C (or SIGTERM), at any moment, a
build included, stops within a second or two: the builder's process group
and the indexer are killed, the temporary folder removed, "Stopped.", exit 0. It has no build
logic of its own: a rebuild is one `rebuild()` of the session, whose outcome
goes to `devserver.SiteState`. If the builder dies on its own (killed, out
of memory), serve says so and exits 1: it does not fork another one from a
process that now runs threads.
"""

from __future__ import annotations

import asyncio
import errno
import os
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

from tornado import netutil
from tornado.ioloop import IOLoop, PeriodicCallback

from ..build import pipeline, remote
from ..model.diagnostics import ERROR, Diagnostic, Report
from .devserver import PreviewServer, SiteState, host_rule, loopback
from .preview_index import PreviewIndex
from .watch import DebouncedWatcher

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
CHECK_BUILDER_MS = 1000  # how often serve checks, between builds, that the builder is still there
CHECK_INDEX_MS = 250  # how often serve checks whether the search index it is making is ready


def run(args) -> int:
    """Serve until stopped; 0 after Ctrl-C, 1 when the folders or the port are not usable or the builder died."""
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
        return serve(args, sockets)
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


@dataclass
class Stop:
    """Where a stop must go, whenever it comes: the builder (killed at once) and the IOLoop.

    Called as the SIGINT/SIGTERM handler (so it never prints), or by `fail`.
    """

    requested: bool = False
    code: int = 0  # the exit status: 1 when the builder was lost
    session: remote.RemoteSession | None = None
    index: PreviewIndex | None = None
    loop: asyncio.AbstractEventLoop | None = None

    def __call__(self, signum: int | None = None, frame=None) -> None:
        self.requested = True
        if self.session is not None:
            self.session.stop()
        if self.index is not None:
            self.index.kill()
        loop = self.loop
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(loop.stop)
            except RuntimeError:  # closed meanwhile
                pass

    def attach(self, session: remote.RemoteSession) -> None:
        self.session = session
        if self.requested:  # the signal came while the builder was being forked
            session.stop()

    def fail(self, message: str) -> None:
        """The builder died on its own: say so, and stop with exit status 1."""
        if self.requested:
            return
        print(f"sitegen serve: {message}. The preview has stopped; run sitegen serve again.",
              file=sys.stderr, flush=True)
        self.code = 1
        self()


def serve(args, sockets: list) -> int:
    """Build, serve and rebuild until a signal stops it; the temporary folder is removed in any case."""
    stop = Stop()
    with stop_on_signals(stop):
        temporary = Path(tempfile.mkdtemp(prefix="sitegen-serve-"))
        try:
            with remote.RemoteSession(build_options(args, temporary / "site")) as session:  # before any thread
                stop.attach(session)
                preview(args, sockets, session, temporary / "site", stop)
        finally:
            remove_folder(temporary)
        if stop.code == 0:
            print("Stopped.", flush=True)
    return stop.code


def preview(args, sockets: list, session: remote.RemoteSession, output: Path, stop: Stop) -> None:
    """The first build, then serving and rebuilding on the IOLoop until `stop`."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    stop.loop = loop
    io = IOLoop.current()
    site = SiteState(root=output)
    watcher = DebouncedWatcher(io)
    server = PreviewServer(site, sockets, watcher, host_rule(args.host, addresses(sockets), port_of(sockets)))
    stop.index = index = PreviewIndex(output, output.parent, say=lambda text: print(text, flush=True))
    rebuild = Rebuilder(session, site, lost=stop.fail, index=index)
    try:
        for folder in (args.content, args.templates):
            server.watch(str(folder), rebuild)  # from here on no save is missed, the first build's time included
        print(f"Building the preview of {args.content} ...", flush=True)
        rebuild()
        if stop.requested:
            return
        announce(args, sockets, site.base_path)
        PeriodicCallback(lambda: check_builder(session, stop), CHECK_BUILDER_MS).start()
        PeriodicCallback(index.poll, CHECK_INDEX_MS).start()
        server.serve(port=args.port, host=args.host)
    finally:
        index.close()
        watcher.stop()
        if not loop.is_closed():  # stopped before serving (livereload closes it otherwise)
            io.close()


def check_builder(session: remote.RemoteSession, stop: Stop) -> None:
    lost = session.lost()
    if lost:
        stop.fail(lost)


def build_options(args, output: Path) -> pipeline.BuildOptions:
    # The builder makes no search index: Pagefind reads every page again on each save (some 30 s
    # at 10,000 case studies), which would hold back every edit. `PreviewIndex` makes it after.
    return pipeline.BuildOptions(content=args.content, output=output, templates=args.templates,
                                 base_url=args.base_url, drafts=not args.no_drafts, search=False)


def announce(args, sockets: list, base_path: str) -> None:
    port = port_of(sockets)
    host = f"[{args.host}]" if ":" in args.host else args.host
    drafts = "hidden" if args.no_drafts else "shown"
    print(f"Serving http://{host}:{port}{base_path}  (drafts {drafts}; press Ctrl-C to stop)", flush=True)
    if not all(loopback(address) for address in addresses(sockets)):
        print(network_warning(args.host, args.no_drafts), file=sys.stderr, flush=True)


def network_warning(host: str, no_drafts: bool) -> str:
    """The warning for a server other machines can reach."""
    what = "the preview" if no_drafts else "the preview, drafts included,"
    hide = "" if no_drafts else ", or add --no-drafts to hide the drafts"
    return (f"sitegen serve: warning: --host {host or '(empty)'} makes {what} visible to your network: "
            f"anyone who can reach this machine can open it, with no password. "
            f"Leave out --host to keep it on this machine only{hide}.")


def addresses(sockets: list) -> list[str]:
    """The IP addresses the server listens on."""
    return [sock.getsockname()[0] for sock in sockets]


def port_of(sockets: list) -> int:
    return sockets[0].getsockname()[1]


@contextmanager
def stop_on_signals(handler: Callable) -> Iterator[None]:
    """Ctrl-C and SIGTERM call `handler` (which must not print or block), not raise a traceback."""
    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def remove_folder(folder: Path, threads: int = 32, attempts: int = 3) -> None:
    """Remove serve's temporary folder, saying so if it cannot (a render worker killed a moment
    ago may still be closing a file: the walk is tried again)."""
    for attempt in range(attempts):
        try:
            remove_tree(folder, threads)
            return
        except OSError as exc:
            if attempt == attempts - 1:
                print(f"sitegen serve: could not remove the temporary folder {folder}: {exc.strerror or exc}. "
                      "Delete it by hand.", file=sys.stderr, flush=True)
            time.sleep(0.05)


def remove_tree(root: Path, threads: int) -> None:
    """`shutil.rmtree`, `threads` files and folders at a time, deepest folders first.

    Where each unlink waits on the disk (ext4 mounted with discard), removing
    a built site one file at a time takes seconds; many at a time, a tenth.
    """
    if not root.is_dir():
        return
    files: list[str] = []
    levels: dict[int, list[str]] = {}
    for folder, subfolders, names in os.walk(root):
        links = [name for name in subfolders if os.path.islink(os.path.join(folder, name))]  # not followed
        files += [os.path.join(folder, name) for name in names + links]
        levels.setdefault(folder.count(os.sep), []).append(folder)
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(unlink, files))
        for depth in sorted(levels, reverse=True):
            list(pool.map(os.rmdir, levels[depth]))


def unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


class BuildSession(Protocol):
    """What a Rebuilder builds with: `remote.RemoteSession`, or in tests `pipeline.Session`."""

    def rebuild(self): ...


class Rebuilder:
    """One rebuild, as a livereload task: returns what the browsers must reload (None: nothing)."""

    def __init__(self, session: BuildSession, site: SiteState, out: TextIO | None = None,
                 err: TextIO | None = None, lost: Callable[[str], None] | None = None,
                 index: PreviewIndex | None = None):
        self.session = session
        self.site = site
        self.index = index  # the preview's search index, made again after each rebuild
        self.lost = lost  # called when the builder process is gone (not stopped by us)
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.told: list[Diagnostic] | None = None  # the problems last printed, to print each set once

    def __call__(self) -> str | None:
        if self.index is not None:
            self.index.pause()
        try:
            result = self.session.rebuild()
        except remote.BuilderGone as exc:
            if not exc.stopped and self.lost is not None:
                self.lost(str(exc))
            return None
        except Exception as exc:  # a sitegen bug, or a file that vanished while it was read
            self.index_again("", [])
            return self.crashed(exc)
        self.index_again(result.language, result.changed)
        report = result.report
        self.tell(report)
        if report.failed():
            return self.site.update([], problems=tuple(report.sorted()))
        if result.changed:
            self.say(f"Built in {result.seconds:.2f} s: {changes(result.changed)}")
        return self.site.update(result.changed, base_path=result.base_path)

    def index_again(self, language: str, changed: list[str]) -> None:
        if self.index is not None:
            self.index.resume(language, changed)

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
        if isinstance(exc, remote.BuildCrashed):  # raised in the builder: its own traceback
            kind, details = exc.kind, exc.details
        else:
            kind, details = type(exc).__name__, "".join(traceback.format_exception(exc))
        self.say("sitegen failed while building (a bug; please report it with this text):\n" + details, self.err)
        self.told = None
        problem = Diagnostic("sitegen", None, None, ERROR,
                             f"the build stopped on an unexpected error: {kind}: {exc}",
                             "Save again; if it persists, report the message in the terminal.")
        return self.site.update([], problems=(problem,))

    def say(self, text: str, stream: TextIO | None = None) -> None:
        print(text, file=stream or self.out, flush=True)


def changes(paths: list[str]) -> str:
    shown = ", ".join(paths[:3])
    more = len(paths) - 3
    return f"{len(paths)} file{'s' * (len(paths) != 1)} changed ({shown}{f' and {more} more' if more > 0 else ''})"
