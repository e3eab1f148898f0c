"""The preview web server of `serve`: the built site under its base path, live reload, the error page.

Owns `SiteState` (what is served: the built folder, its base path, the
current build problems and the build epoch, with the rule deciding what
the open pages must reload), how a request path maps to a file (only
files inside the built folder, under the base path; `..`, dot files,
encoded slashes, empty segments and anything else odd is a 404), the
live-reload script added to every HTML response, the error page, and
`PreviewServer`: livereload's `Server` with these handlers in place of its
static-file handler. Builds and requests run on the same IOLoop thread, so
a response never mixes two builds, and a page that connects its live-reload
socket after a newer build is reloaded at once (its epoch is older).
"""

from __future__ import annotations

import html
import ipaddress
import json
import logging
import mimetypes
import re
import string
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import quote, unquote

from livereload import Server
from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import httputil, web
from tornado.httpserver import HTTPServer

from ..model.diagnostics import Diagnostic, visible

ERROR_STATUS = 500  # the error page's status: the preview is broken, not the address


@dataclass
class SiteState:
    """What the preview serves. Changed only on the IOLoop thread, by `update`."""

    root: Path
    base_path: str = "/"
    problems: tuple[Diagnostic, ...] = ()  # non-empty: the sources do not build
    epoch: int = 0  # bumped by every build that changed what a browser shows

    @property
    def broken(self) -> bool:
        return bool(self.problems)

    def update(self, changed: list[str], problems: tuple[Diagnostic, ...] = (), base_path: str | None = None):
        """Record one build; returns the path for livereload's reload message, or None if nothing shows.

        A change of stylesheets only (and no error page before or after) sends
        the stylesheet's address, so livereload.js swaps it in place; anything
        else sends the base path, which makes every open page reload.
        """
        was_broken, old_problems = self.broken, self.problems
        self.problems = tuple(problems)
        if base_path:
            self.base_path = base_path
        if not changed and self.problems == old_problems:
            return None
        self.epoch += 1
        if not was_broken and not self.broken and all(path.endswith(".css") for path in changed):
            return self.base_path + changed[0] if len(changed) == 1 else "*.css"  # "*.css": all stylesheets
        return self.base_path


@dataclass(frozen=True)
class Target:
    """Where a request path leads: a file (200), a redirect, or nothing (404)."""

    status: int
    file: Path | None = None
    location: str = ""


MISSING = Target(404)
UNSAFE = re.compile(r"%(2f|5c|00)", re.IGNORECASE)  # encoded "/", "\" and NUL
MAX_PATH_BYTES = 2048  # a longer request path is a 404 without looking at the disk
MAX_SEGMENT_BYTES = 255  # the longest file name most file systems allow


def locate(raw_path: str, base_path: str, root: Path) -> Target:
    """Map the raw (still percent-encoded) request path to a file of the built site, or not."""
    if raw_path == "/" and base_path != "/":
        return Target(302, location=base_path)  # temporary: the base path may change while serving
    parts, slash = split_path(raw_path)
    base, _ = split_path(base_path)
    if parts is None or base is None or parts[:len(base)] != base:
        return MISSING
    rel = parts[len(base):]
    try:
        return locate_file(root, rel, slash, base_path)
    except (OSError, RuntimeError):  # a name the file system refuses, a link loop: nothing there
        return MISSING


def locate_file(root: Path, rel: list[str], slash: bool, base_path: str) -> Target:
    target = root.joinpath(*rel)
    if not target.resolve().is_relative_to(root.resolve()):
        return MISSING
    if target.is_dir():
        if not slash:
            return Target(301, location=base_path + quote("/".join(rel)) + ("/" if rel else ""))
        target = target / "index.html"
    elif slash:
        return MISSING
    return Target(200, target) if target.is_file() else MISSING


def split_path(raw_path: str) -> tuple[list[str] | None, bool]:
    """The decoded segments of a path and whether it ends with "/"; None for any unsafe, odd or over-long path."""
    if not raw_path.startswith("/") or len(raw_path) > MAX_PATH_BYTES or UNSAFE.search(raw_path):
        return None, False
    try:
        text = unquote(raw_path, errors="strict")
    except UnicodeDecodeError:
        return None, False
    parts = text.split("/")[1:]
    slash = parts[-1] == ""
    if slash:
        parts.pop()
    if any(p in ("", ".", "..") or p.startswith(".") or "\\" in p or "\x00" in p
           or len(p.encode("utf-8", "surrogatepass")) > MAX_SEGMENT_BYTES for p in parts):
        return None, False
    return parts, slash


# Types Python's table may not know (it reads the system's, which varies), as GitHub Pages serves them
KNOWN_TYPES = {".geojson": "application/geo+json", ".csv": "text/csv", ".json": "application/json",
               ".bib": "application/x-bibtex"}


def content_type(path: Path) -> str:
    kind = KNOWN_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/xml", "image/svg+xml", "application/json",
                                            "application/geo+json"):
        kind += "; charset=utf-8"
    return kind


def is_html(path: Path) -> bool:
    return content_type(path).startswith("text/html")


HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


def live_script(epoch: int) -> bytes:
    """The live-reload snippet: livereload's loader, plus a plugin that tells the server the page's epoch."""
    return (
        '<script>(function(){'
        'function P(){}P.identifier="sitegen";P.version="1";'
        f'P.prototype.analyze=function(){{return{{epoch:{int(epoch)}}};}};'
        'window.LiveReloadPluginSitegen=P;'
        'var port=window.location.port||(window.location.protocol=="https:"?443:80);'
        'var s=document.createElement("script");'
        's.src="//"+window.location.hostname+":"+port+"/livereload.js?port="+port;'
        'document.head.appendChild(s);'
        '})();</script>'
    ).encode()


def inject(page: bytes, script: bytes) -> bytes:
    """Put the script before the first </head> (any case), else before </body>, else at the end."""
    for tag in (HEAD_END, BODY_END):
        found = tag.search(page)
        if found:
            return page[:found.start()] + script + page[found.start():]
    return page + script


def error_page(problems: tuple[Diagnostic, ...]) -> bytes:
    """The page shown while the sources do not build: every problem, escaped."""
    items = "\n".join(problem_item(d) for d in problems)
    errors = sum(1 for d in problems if d.severity == "error")
    summary = f"{len(problems)} problem{'s' * (len(problems) != 1)} ({errors} error{'s' * (errors != 1)}) " \
              "stop the site from building."
    template = string.Template(resources.files("sitegen.commands").joinpath("data/serve_error.html").read_text("utf-8"))
    return template.substitute(summary=html.escape(summary), items=items).encode("utf-8")


def problem_item(d: Diagnostic) -> str:
    """One problem in the error page; text from the sources is shown with its control characters escaped."""
    fix = f' <span class="fix">Fix: {html.escape(visible(d.fix))}</span>' if d.fix else ""
    return (f'<li class="{html.escape(d.severity)}"><code class="where">{html.escape(visible(d.location()))}</code>: '
            f'<span class="severity">{html.escape(d.severity)}</span>: '
            f'<span class="message">{html.escape(visible(d.message))}</span>{fix}</li>')


LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})
HOST = re.compile(r"(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::([0-9]+))?")  # lower-cased Host: name or [IPv6], port
ORIGIN = re.compile(r"(https?)://(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::([0-9]+))?")
DEFAULT_PORTS = {"http": "80", "https": "443"}


@dataclass(frozen=True)
class HostRule:
    """The `Host` values (and websocket `Origin`s) the preview answers; anything else is refused.

    A browser sends the name in its address bar as `Host`. A hostile page
    that rebinds its own name to 127.0.0.1 sends that name, so only the
    names of this machine pass: `names` (lower case, IPv6 in brackets),
    each alone or with `port`. `any_ip` (the server listens on every
    interface): any IP address passes too, as an address cannot be rebound.
    """

    port: int
    names: frozenset[str] = LOCAL_NAMES
    any_ip: bool = False

    def allows(self, host: str | None) -> bool:
        """Whether a `Host` header value names this server (None: no header, refused)."""
        if host is None or not host.isascii():
            return False
        found = HOST.fullmatch(host.lower())
        return bool(found) and found[2] in (None, str(self.port)) and self.allows_name(found[1])

    def allows_origin(self, origin: str | None) -> bool:
        """Whether a websocket's `Origin` is a page of this server (None: no header, not a browser page)."""
        if origin is None:
            return True
        if not origin.isascii():
            return False
        found = ORIGIN.fullmatch(origin.lower())
        return bool(found) and (found[3] or DEFAULT_PORTS[found[1]]) == str(self.port) and self.allows_name(found[2])

    def allows_name(self, name: str) -> bool:
        return name in self.names or self.any_ip and ip_literal(name)


def ip_literal(name: str) -> bool:
    """"192.168.1.5" or "[fe80::1]": an IP address as a URL writes it."""
    bracketed = name.startswith("[") and name.endswith("]")
    try:
        ipaddress.IPv6Address(name[1:-1]) if bracketed else ipaddress.IPv4Address(name)
    except ValueError:
        return False
    return True


def host_rule(host: str, addresses: list[str], port: int) -> HostRule:
    """The rule for a server started with `--host host`, listening on `addresses` (IPs) and `port`."""
    names = set(LOCAL_NAMES)
    for name in [host, *addresses]:
        name = name.strip().lower().split("%")[0]  # an IPv6 zone ("%eth0") is not part of a URL
        if name:
            names.add(f"[{name.strip('[]')}]" if ":" in name else name)
    return HostRule(port, frozenset(names), any_ip=any(wildcard(address) for address in addresses))


def wildcard(address: str) -> bool:
    """0.0.0.0 or ::, every interface of the machine."""
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_unspecified
    except ValueError:
        return False


def loopback(address: str) -> bool:
    """An address only this machine reaches: 127.x.y.z, ::1 (also as ::ffff:127.x.y.z)."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or bool(mapped and mapped.is_loopback)


REFUSED = b"400 Bad Request: this preview answers only to the address sitegen serve printed " \
          b"(or localhost, 127.0.0.1, [::1]).\n"


class RefusedHost(web.RequestHandler):
    """The answer to every request whose `Host` is not this server's: 400, a line of text, no page."""

    SUPPORTED_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")

    def prepare(self) -> None:
        self.set_status(400)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.finish(REFUSED)

    def write_error(self, status_code: int, **kwargs) -> None:
        self.finish(f"{status_code} {httputil.responses.get(status_code, 'Error')}\n")  # 405: an odd method


class PreviewApplication(web.Application):
    """The preview's routes, behind the `Host` check: a request with a foreign Host reaches no handler."""

    def __init__(self, handlers: list, hosts: HostRule, **settings) -> None:
        super().__init__(handlers, **settings)
        self.hosts = hosts

    def find_handler(self, request, **kwargs):
        if not self.allows(request):
            return self.get_handler_delegate(request, RefusedHost)
        return super().find_handler(request, **kwargs)

    def allows(self, request) -> bool:
        hosts = request.headers.get_list("Host")
        if not hosts:  # only HTTP/1.0 may leave it out; no browser does
            return request.version == "HTTP/1.0"
        return len(hosts) == 1 and self.hosts.allows(hosts[0])


NOT_FOUND = b"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Not found</title>\n" \
            b"</head>\n<body>\n<h1>Not found</h1>\n</body>\n</html>\n"


class SiteHandler(web.RequestHandler):
    """GET and HEAD for every address that is not livereload's own."""

    def initialize(self, site: SiteState) -> None:
        self.site = site

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")  # a preview must never come from the browser's cache
        self.set_header("X-Content-Type-Options", "nosniff")

    def compute_etag(self):
        return None

    def head(self) -> None:
        self.get()

    def get(self) -> None:
        target = locate(self.request.path, self.site.base_path, self.site.root)
        if target.location:
            query = f"?{self.request.query}" if self.request.query else ""
            self.redirect(target.location + query, status=target.status)
        elif target.file is not None and not is_html(target.file):
            self.send(200, target.file.read_bytes(), content_type(target.file))
        elif self.site.broken:
            self.send_html(ERROR_STATUS, error_page(self.site.problems))
        elif target.file is not None:
            self.send_html(200, target.file.read_bytes())
        else:
            page = self.site.root / "404.html"
            self.send_html(404, page.read_bytes() if page.is_file() else NOT_FOUND)

    def send_html(self, status: int, page: bytes) -> None:
        self.send(status, inject(page, live_script(self.site.epoch)), "text/html; charset=utf-8")

    def send(self, status: int, body: bytes, kind: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", kind)
        self.finish(body)


class PreviewSocket(LiveReloadHandler):
    """livereload's WebSocket, which also reloads a page at once if it was served before the last build."""

    def initialize(self, site: SiteState, hosts: HostRule) -> None:
        self.site = site
        self.hosts = hosts

    def prepare(self) -> None:
        """Refuse (403) a socket opened by a page of another origin, before the upgrade.

        Done here rather than in `check_origin` alone, which tornado skips for
        `Sec-Fetch-Site: same-origin`: exactly what a rebound page sends.
        """
        origin = self.request.headers.get("Origin", self.request.headers.get("Sec-WebSocket-Origin"))
        if not self.hosts.allows_origin(origin):
            self.set_status(403)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(b"403 Forbidden: the live-reload socket is only for pages of this preview.\n")

    def check_origin(self, origin: str) -> bool:
        return self.hosts.allows_origin(origin)  # this server's pages only, unlike livereload's "any"

    def on_message(self, message) -> None:
        try:
            valid = isinstance(json.loads(message), dict)
        except (ValueError, TypeError):
            valid = False
        if not valid:  # livereload's handler would raise, and print a traceback
            return
        super().on_message(message)
        epoch = page_epoch(message)
        if epoch is not None and epoch < self.site.epoch:
            self.send_message({"command": "reload", "path": self.site.base_path, "liveCSS": True, "liveImg": True})


def page_epoch(message) -> int | None:
    """The epoch a page reports in livereload.js's "info" message (None for other messages)."""
    try:
        data = json.loads(message)
        epoch = data["plugins"]["sitegen"]["epoch"] if data.get("command") == "info" else None
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return epoch if isinstance(epoch, int) else None


def quiet_log(handler: web.RequestHandler) -> None:
    """No access log: an author's terminal shows builds and problems, not requests."""


class PreviewServer(Server):
    """livereload's Server, serving `site` on sockets already bound by the caller.

    One per process: livereload keeps its browser list, watcher and reload
    settings on the `LiveReloadHandler` class.
    """

    def __init__(self, site: SiteState, sockets: list, watcher, hosts: HostRule) -> None:
        super().__init__(watcher=watcher)
        self.site = site
        self.sockets = sockets
        self.hosts = hosts

    def application(self, port, host, liveport=None, debug=None, live_css=True) -> web.Application:
        LiveReloadHandler.watcher = self.watcher
        LiveReloadHandler.live_css = live_css
        LiveReloadHandler.DEFAULT_RELOAD_TIME = 0  # livereload drops a reload within 3 s of the last one
        app = PreviewApplication([
            (r"/livereload", PreviewSocket, {"site": self.site, "hosts": self.hosts}),
            (r"/livereload\.js", LiveReloadJSHandler),
            (r".*", SiteHandler, {"site": self.site}),
        ], self.hosts, log_function=quiet_log)
        HTTPServer(app).add_sockets(self.sockets)
        return app

    def _setup_logging(self) -> None:
        """livereload's info lines (every connect and reload) would drown the build messages."""
        logging.getLogger("livereload").setLevel(logging.WARNING)
