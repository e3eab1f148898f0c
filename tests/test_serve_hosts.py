"""`sitegen serve` cannot be used by a hostile web page: the DNS-rebinding defence, over raw HTTP.

A page on evil.example that makes its own name resolve to 127.0.0.1 reaches
the preview with `Host: evil.example:PORT` and, for the live-reload socket,
`Origin: http://evil.example:PORT` (with `Sec-Fetch-Site: same-origin`, as
the browser thinks it is). Real `python build.py serve` processes on a site
with a draft; every request is sent byte for byte over a socket, so missing,
empty, doubled and malformed headers reach the server exactly as written.
A refused request gets 400 (403 for the socket's Origin) and never the
draft's text; the allowed names (the bound address, localhost, 127.0.0.1,
[::1], each alone or with the port) still get the page.
"""

from __future__ import annotations

import base64
import http.client
import json
import socket
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ServeProcess, SiteFolder, SOURCES
from sitegen.commands.devserver import HostRule, host_rule

DRAFT_TEXT = b"Unpublished Plans Of Kashan"
DRAFT_PAGE = "/showcase/case-studies/secret-draft/"
PUBLIC_PAGE = "/showcase/case-studies/kashan-health-tv/"
LOCAL = ("localhost", "127.0.0.1", "[::1]")


# --------------------------------------------------------------------------- the server, in a subprocess

class Serve(ServeProcess):
    """A serve of these tests, started once it answers at `address` to a request naming that address."""

    def __init__(self, content: Path, workdir: Path, *extra: str, address: str = "127.0.0.1"):
        self.address = address
        super().__init__(content, workdir, *extra, answers=lambda port: request(
            port, "/livereload.js", f"{address}:{port}", address=address).status == 200)


def draft_site(folder: Path) -> SiteFolder:
    site = SiteFolder(folder)
    site.study("kashan-health-tv", sources=SOURCES)
    site.study("secret-draft", title=DRAFT_TEXT.decode(), draft="true")
    return site


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The default `serve` (drafts shown, --host 127.0.0.1), shared by the module's tests."""
    work = tmp_path_factory.mktemp("serve-hosts")
    started = Serve(draft_site(work / "content").root, work)
    yield started
    started.stop_cleanly()


@pytest.fixture
def serve(tmp_path):
    """Start a `serve` of its own: `serve("--host", "0.0.0.0")` (`address`: where to check it answers)."""
    started: list[Serve] = []

    def start(*extra: str, address: str = "127.0.0.1") -> Serve:
        started.append(Serve(draft_site(tmp_path / f"content-{len(started)}").root, tmp_path, *extra, address=address))
        return started[-1]

    yield start
    for one in started:
        one.stop_cleanly()


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes):
        self.status, self.headers, self.body = status, headers, body


MISSING = object()  # no Host header at all


def request(port: int, path: str, host=MISSING, *, method: str = "GET", version: str = "HTTP/1.1",
            headers: tuple[tuple[str, str], ...] = (("Connection", "close"),), address: str = "127.0.0.1") -> Answer:
    """One request sent byte for byte: `host` is sent as written (several if a tuple, none if MISSING)."""
    hosts = () if host is MISSING else host if isinstance(host, tuple) else (host,)
    lines = [f"{method} {path} {version}", *(f"Host: {h}" for h in hosts),
             *(f"{name}: {value}" for name, value in headers)]
    with socket.create_connection((address, port), timeout=30) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        response = http.client.HTTPResponse(sock, method=method)
        response.begin()
        body = response.read() if response.status != 101 else b""
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, body)


def refused(answer: Answer) -> bool:
    """A 400 with a short line of plain text (or, refused by tornado's parser, nothing), and nothing of the site."""
    kind = answer.headers.get("content-type", "text/plain" if not answer.body else "")
    return (answer.status == 400 and kind.startswith("text/plain")
            and len(answer.body) < 200 and DRAFT_TEXT not in answer.body and b"<" not in answer.body)


# --------------------------------------------------------------------------- Host

def forbidden_hosts(port: int) -> list:
    return [
        "evil.example", f"evil.example:{port}",
        "127.0.0.1.evil.example", f"127.0.0.1.evil.example:{port}",
        "localhost.evil", f"localhost.evil:{port}", "evil.localhost", f"localhost.:{port}",
        "localhost:1@evil", f"localhost:{port}@evil.example", f"evil.example@localhost:{port}",
        "", " ", ":", f":{port}", "localhost:", f"localhost:{port}:{port}", f"localhost :{port}",
        f"localhost:{port + 1}", f"127.0.0.1:{port - 1}", "localhost:80", "127.0.0.1:0", f"localhost:0{port}",
        f"localhost:{port}0", f"localhost:{port}/", f"localhost:+{port}", "localhost:99999999999999999999",
        f"127.1:{port}", f"2130706433:{port}", f"0x7f.0.0.1:{port}", f"127.0.0.01:{port}",
        "::1", f"::1:{port}", "[::1", f"[::1]:{port + 1}", f"[::1]:{port}x", "[::2]", f"[::ffff:127.0.0.1]:{port}",
        f"[0:0:0:0:0:0:0:1]:{port}", f"[fe80::1]:{port}", f"[::1]evil:{port}", "[evil.example]", f"[localhost]:{port}",
        f"localhost%00:{port}", f"LOCALHOST.EVIL:{port}", f"l\u00f6calhost:{port}", "0.0.0.0", f"0.0.0.0:{port}",
        ("localhost", "evil.example"), ("evil.example", "localhost"), ("localhost", "localhost"),
    ]


def allowed_hosts(port: int) -> list[str]:
    return ["localhost", f"localhost:{port}", f"LocalHost:{port}", "LOCALHOST", "127.0.0.1", f"127.0.0.1:{port}",
            "[::1]", f"[::1]:{port}", f" localhost:{port} "]


def test_a_foreign_host_gets_400_and_no_page(server):
    for host in forbidden_hosts(server.port):
        for path in (DRAFT_PAGE, "/", "/livereload.js", "/showcase/no-such-page/", "/showcase/static/style.css"):
            answer = request(server.port, path, host)
            assert refused(answer), (host, path, answer.status, answer.body[:200])
        assert refused(request(server.port, DRAFT_PAGE, host, method="HEAD")), host
        assert refused(request(server.port, DRAFT_PAGE, host, method="POST")), host
        odd = request(server.port, DRAFT_PAGE, host, method="PROPFIND")  # a method no handler has: 405 or 400
        assert odd.status in (400, 405) and DRAFT_TEXT not in odd.body and b"<" not in odd.body, host


def test_a_missing_host_is_refused_on_http_1_1(server):
    assert refused(request(server.port, DRAFT_PAGE))
    assert refused(request(server.port, DRAFT_PAGE, ""))


def test_this_machines_names_get_the_page(server):
    for host in allowed_hosts(server.port):
        answer = request(server.port, DRAFT_PAGE, host)
        assert answer.status == 200 and DRAFT_TEXT in answer.body, (host, answer.status)
    assert request(server.port, "/", f"localhost:{server.port}").status == 302
    assert request(server.port, "/livereload.js", f"[::1]:{server.port}").status == 200
    answer = request(server.port, DRAFT_PAGE, version="HTTP/1.0")  # no Host before HTTP/1.1: not a browser
    assert answer.status == 200 and DRAFT_TEXT in answer.body


def test_the_refusal_is_the_same_with_http_client(server):
    """Through the standard library's client, as other tools send it."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("GET", DRAFT_PAGE, headers={"Host": f"evil.example:{server.port}"})
        response = conn.getresponse()
        body = response.read()
        assert response.status == 400 and DRAFT_TEXT not in body
        conn.request("GET", DRAFT_PAGE)  # http.client's own Host: 127.0.0.1:PORT, on the same connection
        response = conn.getresponse()
        assert response.status == 200 and DRAFT_TEXT in response.read()
    finally:
        conn.close()


# Host values: this machine's names, near misses and anything else, each with or without some port.
NAMES = st.sampled_from(["localhost", "LOCALHOST", "LocalHost", "127.0.0.1", "[::1]", "[::1", "::1", "evil.example",
                         "localhost.evil", "127.0.0.1.evil.example", "127.0.0.2", "0.0.0.0", "[::]", "[0::1]",
                         "localhost.", "", "l\u00f6calhost", "local\thost"])
TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=30)


def host_values(port: int):
    ports = st.sampled_from([None, str(port), str(port + 1), "0" + str(port), "", "80", "1@evil", f"{port} "]) | \
        st.integers(0, 70000).map(str)
    built = st.builds(lambda name, suffix, p: name + suffix + (f":{p}" if p is not None else ""),
                      NAMES | TEXT, st.sampled_from(["", "", "", ".evil", "x", "@evil.example"]), ports)
    return st.one_of(st.sampled_from(allowed_hosts(port)), built, TEXT)


def expected_allowed(host: str, port: int, names=LOCAL) -> bool:
    """The rule, written out: one of `names`, alone or with `:port`, in any case (around spaces are dropped)."""
    value = host.strip(" \t")
    return value.isascii() and value.lower() in {*names, *(f"{name}:{port}" for name in names)}


@settings(max_examples=250, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_only_this_machines_names_get_a_page(server, data):
    host = data.draw(host_values(server.port), label="Host")
    answer = request(server.port, DRAFT_PAGE, host)
    if expected_allowed(host, server.port):
        assert answer.status == 200 and DRAFT_TEXT in answer.body, (host, answer.status)
    else:
        assert answer.status == 400 and DRAFT_TEXT not in answer.body, (host, answer.status)


@settings(max_examples=3000, deadline=None, derandomize=True, database=None)
@given(host=host_values(8000))
def test_the_host_rule_matches_its_statement(host):
    """The same property on the rule itself (tornado strips the spaces around a header value first)."""
    assert host_rule("127.0.0.1", ["127.0.0.1"], 8000).allows(host.strip(" \t")) == expected_allowed(host, 8000)


# --------------------------------------------------------------------------- the live-reload socket

def upgrade(port: int, host, origin: str | None = None, extra: tuple[tuple[str, str], ...] = ()) -> Answer:
    headers = [("Connection", "Upgrade"), ("Upgrade", "websocket"), ("Sec-WebSocket-Key", base64.b64encode(b"0123456789abcdef").decode()),
               ("Sec-WebSocket-Version", "13"), *extra]
    if origin is not None:
        headers.append(("Origin", origin))
    return request(port, "/livereload", host, headers=tuple(headers))


def test_a_foreign_origin_cannot_open_the_live_reload_socket(server):
    port, host = server.port, f"localhost:{server.port}"
    same_origin = (("Sec-Fetch-Site", "same-origin"),)  # what a rebound page's browser sends
    for origin in (f"http://evil.example:{port}", f"http://127.0.0.1.evil.example:{port}", "http://evil.example",
                   f"http://localhost:{port + 1}", "http://localhost", f"https://localhost.evil:{port}", "null",
                   f"file://localhost:{port}", f"ws://localhost:{port}", f"http://localhost:{port}@evil.example",
                   f"http://localhost:{port}/", f"http://[::1]:{port + 1}", "", f"http://0.0.0.0:{port}"):
        for extra in ((), same_origin, (("Sec-Fetch-Site", "cross-site"),)):
            answer = upgrade(port, host, origin, extra)
            assert answer.status == 403 and b"<" not in answer.body, (origin, extra, answer.status)


def test_a_foreign_host_cannot_open_the_live_reload_socket(server):
    port = server.port
    for host, origin in ((f"evil.example:{port}", f"http://evil.example:{port}"), (f"evil.example:{port}", None),
                         (MISSING, None), (f"localhost:{port + 1}", f"http://localhost:{port + 1}"),
                         (f"evil.example:{port}", f"http://localhost:{port}")):
        answer = upgrade(port, host, origin, (("Sec-Fetch-Site", "same-origin"),))
        assert answer.status == 400, (host, origin, answer.status)


def test_this_machines_pages_open_the_live_reload_socket_and_shake_hands(server):
    port = server.port
    for host, origin in ((f"127.0.0.1:{port}", f"http://127.0.0.1:{port}"), (f"localhost:{port}", None),
                         (f"localhost:{port}", f"http://LOCALHOST:{port}"), (f"[::1]:{port}", f"https://[::1]:{port}"),
                         (f"127.0.0.1:{port}", f"http://localhost:{port}")):
        assert upgrade(port, host, origin).status == 101, (host, origin)
    assert hello(port) == "hello"


def hello(port: int) -> str:
    """livereload's handshake over a real socket from an allowed page: the command the server answers."""
    key = base64.b64encode(b"fedcba9876543210").decode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall((f"GET /livereload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                      f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                      f"Origin: http://127.0.0.1:{port}\r\n\r\n").encode())
        reader = sock.makefile("rb")
        assert reader.readline().startswith(b"HTTP/1.1 101")
        while reader.readline() not in (b"\r\n", b""):
            pass
        for text in (b"not json", b"[1, 2]", json.dumps({"command": "hello"}).encode()):  # the first two: ignored
            sock.sendall(bytes([0x81, 0x80 | len(text)]) + b"mask" + bytes(c ^ b"mask"[i % 4] for i, c in enumerate(text)))
        first, size = reader.read(2)
        assert first == 0x81 and size < 126
        return json.loads(reader.read(size))["command"]


# --------------------------------------------------------------------------- over-long paths

def test_an_over_long_path_is_a_plain_404(server):
    host = f"127.0.0.1:{server.port}"
    for path in ("/showcase/" + "a" * 10_000, "/" + "a" * 10_000, "/showcase/" + "a" * 300 + "/",
                 "/showcase/" + "%C3%A9" * 128, "/showcase/" + "a/" * 1020, "/showcase/" + "a" * 2040,
                 "/showcase/" + "a" * 256, "/showcase/case-studies/" + "b" * 255):
        answer = request(server.port, path, host)
        assert answer.status == 404 and b"Page not found" in answer.body, (len(path), answer.status)
    answer = request(server.port, DRAFT_PAGE, host)  # and the server is still there
    assert answer.status == 200 and DRAFT_TEXT in answer.body
    assert "Traceback" not in server.output()[1]


# --------------------------------------------------------------------------- --host

def test_listening_on_the_network_warns_that_drafts_are_visible(serve):
    server = serve("--host", "0.0.0.0")
    out, err = server.output()
    assert "--host 0.0.0.0 makes the preview, drafts included, visible to your network" in err
    assert "--no-drafts" in err
    port = server.port
    for host in (f"0.0.0.0:{port}", f"localhost:{port}", f"192.0.2.7:{port}", f"[2001:db8::7]:{port}"):
        answer = request(port, DRAFT_PAGE, host)  # an address can not be rebound: other machines use them
        assert answer.status == 200 and DRAFT_TEXT in answer.body, host
    for host in (f"evil.example:{port}", f"192.0.2.7.evil.example:{port}", f"192.0.2.7:{port + 1}", "::1"):
        assert refused(request(port, DRAFT_PAGE, host)), host
    assert upgrade(port, f"192.0.2.7:{port}", f"http://evil.example:{port}").status == 403


def test_a_loopback_host_is_allowed_by_its_address_and_does_not_warn(serve):
    server = serve("--host", "127.0.0.2", "--no-drafts", address="127.0.0.2")
    port = server.port
    out, err = server.output()
    assert "warning" not in err and f"http://127.0.0.2:{port}/showcase/" in out
    for host, status in ((f"127.0.0.2:{port}", 200), (f"localhost:{port}", 200), (f"127.0.0.3:{port}", 400)):
        assert request(port, PUBLIC_PAGE, host, address="127.0.0.2").status == status, host


def test_the_network_warning_without_drafts_does_not_mention_them():
    from sitegen.commands.serve import network_warning

    assert "drafts" not in network_warning("0.0.0.0", no_drafts=True)
    assert "drafts included" in network_warning("192.168.1.5", no_drafts=False)


def test_the_rule_for_each_way_of_listening():
    assert host_rule("127.0.0.1", ["127.0.0.1"], 8000) == HostRule(8000, frozenset(LOCAL))
    rule = host_rule("0.0.0.0", ["0.0.0.0"], 8000)
    assert rule.any_ip and rule.allows("0.0.0.0:8000") and rule.allows("10.1.2.3") and not rule.allows("evil.example")
    rule = host_rule("::", ["::"], 8000)
    assert rule.any_ip and rule.allows("[::]:8000") and rule.allows("[fe80::1]:8000") and not rule.allows("fe80::1")
    rule = host_rule("My-Box.local", ["192.168.1.5"], 8000)
    assert not rule.any_ip and rule.allows("my-box.local:8000") and rule.allows("192.168.1.5")
    assert not rule.allows("10.1.2.3") and not rule.allows("my-box.local.evil")
    rule = host_rule("fe80::1%eth0", ["fe80::1%eth0"], 8000)
    assert rule.allows("[fe80::1]:8000") and rule.allows("[FE80::1]")
    assert HostRule(443).allows_origin("https://localhost") and not HostRule(443).allows_origin("http://localhost")
