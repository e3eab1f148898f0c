"""`sitegen serve`: the live preview, from the author's side.

The server always runs in a subprocess (`python build.py serve`), as an
author runs it; browser tests drive real headless Chromium and edit the
sources under it, then wait (generously) for the page to show the result.
Nothing here measures speed: `benchmarks/serve_latency.py` does. In-process
tests cover the parts with exact rules: how a request path maps to a file,
the reload decision, the error page, the watcher's batching, and that a
served folder after many rebuilds equals a clean full build byte for byte.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import http.client
import os
import re
import shutil
import signal
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, ServeProcess, SiteFolder, image_bytes, run_cli
from sitegen.build import pipeline
from sitegen.commands.devserver import SiteState, error_page, inject, live_script, locate, page_epoch, split_path
from sitegen.model.diagnostics import Diagnostic

WAIT_MS = 20_000  # how long a browser may take to show an edit (a test waits, it does not time)
START_SECONDS = ServeProcess.START_SECONDS  # how long serve may take to start, and a search index to appear
BASE = "/showcase/"  # the path of base_url in the test site.yaml
THEME_PAGE = "themes/health-wellbeing/"
STUDY_PAGE = "case-studies/kashan-health-tv/"


def expect(*args, **kwargs):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(*args, **kwargs)


# --------------------------------------------------------------------------- the server, in a subprocess

class Preview(ServeProcess):
    """A preview of a test site, whose pages are under the base path BASE: `url(path)`."""

    def __init__(self, content: Path, templates: Path, extra: tuple[str, ...], workdir: Path):
        super().__init__(content, workdir, *extra, templates=templates)

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{BASE}{path}"


@pytest.fixture
def preview(tmp_path):
    """Start `serve` on a content folder: `server = preview(site.root, "--no-drafts")`.

    Every server is stopped with SIGINT afterwards, and must exit 0 with no traceback.
    """
    started: list[Preview] = []

    def start(content: Path, *extra: str, templates: Path = ROOT / "templates") -> Preview:
        started.append(Preview(content, templates, extra, tmp_path))
        return started[-1]

    yield start
    for server in started:
        server.stop_cleanly()


@pytest.fixture(scope="module")
def read_only(tmp_path_factory):
    """One preview of the `site` fixture's content, shared by the tests that only send it requests:
    none edits a source or stops it, so each need not pay for a start and a first build."""
    work = tmp_path_factory.mktemp("read-only-preview")
    content = SiteFolder(work / "content")
    content.study("kashan-health-tv")
    server = Preview(content.root, ROOT / "templates", (), work)
    yield server
    server.stop_cleanly()


def fetch(port: int, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """One raw HTTP request (the path is sent exactly as given; redirects are not followed)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def wait_for_http(port: int, path: str, predicate, timeout: float = 20) -> tuple[int, dict, bytes]:
    """Fetch `path` until `predicate(status, body)` holds (after an edit, the rebuild takes a moment)."""
    deadline = time.monotonic() + timeout
    while True:
        answer = fetch(port, path)
        if predicate(answer[0], answer[2]) or time.monotonic() > deadline:
            return answer
        time.sleep(0.05)


def edit(path: Path, old: str, new: str) -> None:
    """Replace text in a file, failing if the text is not there (so a test never edits nothing)."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def wait_connected(page) -> None:
    """Until the page's livereload.js has finished its handshake with the server."""
    page.wait_for_function("() => window.LiveReload && window.LiveReload.connector.protocol >= 7",
                           timeout=WAIT_MS)


# --------------------------------------------------------------------------- in the browser

@pytest.mark.browser
def test_an_edited_title_appears_in_the_open_page(site, preview, page):
    server = preview(site.root)
    page.goto(server.url(STUDY_PAGE))
    expect(page.locator("h1")).to_contain_text("Every Home, A Health Base")
    site.study("kashan-health-tv", title="Health Lessons On Local Television")
    expect(page.locator("h1")).to_contain_text("Health Lessons On Local Television", timeout=WAIT_MS)


@pytest.mark.browser
def test_search_in_the_preview_finds_an_edit_once_the_page_has_reloaded(site, preview, page):
    server = preview(site.root)
    status, _, _ = wait_for_http(server.port, BASE + "pagefind/pagefind-entry.json",
                                 lambda status, _: status == 200, timeout=START_SECONDS)
    assert status == 200, "the first index is made after the first build"
    page.goto(server.url(STUDY_PAGE))
    wait_connected(page)
    site.study("kashan-health-tv", title="Quorblex Lessons On Local Television")
    expect(page.locator("h1")).to_contain_text("Quorblex", timeout=WAIT_MS)  # the page first, then the index
    deadline = time.monotonic() + START_SECONDS
    found: list[str] = []
    while not found and time.monotonic() < deadline:
        page.goto(server.url("search/?q=quorblex"))
        page.wait_for_function("() => { const s = document.getElementById('sg-search-status').textContent;"
                               " return s && !s.startsWith('Searching'); }", timeout=WAIT_MS)
        found = [a.get_attribute("href") for a in page.query_selector_all(".search-result-title a")]
        time.sleep(0.2)
    assert found == [BASE + STUDY_PAGE]
    assert server.output()[0].count("Search index made in") >= 2


@pytest.mark.browser
def test_three_quick_saves_end_with_the_last_one_shown(site, preview, page):
    server = preview(site.root)
    page.goto(server.url(STUDY_PAGE))
    wait_connected(page)
    for title in ("First Quick Save", "Second Quick Save", "Third Quick Save"):
        site.study("kashan-health-tv", title=title)
        time.sleep(0.1)
    expect(page.locator("h1")).to_contain_text("Third Quick Save", timeout=WAIT_MS)
    time.sleep(1)  # no late reload brings back an earlier save
    expect(page.locator("h1")).to_contain_text("Third Quick Save")


@pytest.mark.browser
def test_a_content_error_shows_the_error_page_and_the_fix_brings_the_site_back(site, preview, page):
    server = preview(site.root)
    page.goto(server.url(STUDY_PAGE))
    wait_connected(page)
    site.study("kashan-health-tv", country="Atlantis <b>bold</b>")  # country is line 4
    expect(page.locator("h1")).to_contain_text("cannot be built", timeout=WAIT_MS)
    problems = page.locator(".problems")
    expect(problems).to_contain_text(re.compile(r"case-studies/kashan-health-tv\.md:4(:\d+)?: error: unknown country"))
    expect(problems).to_contain_text("Atlantis <b>bold</b>")  # shown as text, not markup
    expect(page.locator(".problems b")).to_have_count(0)
    page.goto(server.url(THEME_PAGE))  # every page address shows it
    expect(page.locator("h1")).to_contain_text("cannot be built")
    site.study("kashan-health-tv", title="Back After The Fix")
    expect(page.locator("main")).to_contain_text("Back After The Fix", timeout=WAIT_MS)
    page.goto(server.url(STUDY_PAGE))
    expect(page.locator("h1")).to_contain_text("Back After The Fix")


@pytest.mark.browser
def test_a_deleted_case_study_disappears_from_its_theme_page(site, preview, page):
    site.study("gdynia-learning-at-home", title="Gdynia Learns At Home", city="Gdynia", country="PL")
    server = preview(site.root)
    page.goto(server.url(THEME_PAGE))
    main = page.locator("main")
    expect(main).to_contain_text("Gdynia Learns At Home")
    expect(main).to_contain_text("Every Home, A Health Base")
    (site.root / "case-studies" / "gdynia-learning-at-home.md").unlink()
    expect(main).not_to_contain_text("Gdynia Learns At Home", timeout=WAIT_MS)
    expect(main).to_contain_text("Every Home, A Health Base")


def open_with_own_templates(site, preview, page, tmp_path) -> Path:
    """Serve `site` with a copy of the templates, open a case study and mark the document; the copy's path."""
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    server = preview(site.root, templates=templates)
    page.goto(server.url(STUDY_PAGE))
    wait_connected(page)
    page.evaluate("window.__sameDocument = 'yes'")
    return templates


@pytest.mark.browser
def test_a_stylesheet_change_applies_without_reloading_the_page(site, preview, page, tmp_path):
    templates = open_with_own_templates(site, preview, page, tmp_path)
    outline = "() => getComputedStyle(document.body).outlineColor"
    assert page.evaluate(outline) != "rgb(1, 2, 3)"
    css = templates / "static" / "style.css"
    css.write_text(css.read_text() + "\nbody { outline: 7px solid rgb(1, 2, 3) !important; }\n")
    page.wait_for_function(f"() => ({outline})() === 'rgb(1, 2, 3)'", timeout=WAIT_MS)
    assert page.evaluate("window.__sameDocument") == "yes", "the page was reloaded instead of its stylesheet"


@pytest.mark.browser
def test_a_template_change_reloads_the_page(site, preview, page, tmp_path):
    templates = open_with_own_templates(site, preview, page, tmp_path)
    edit(templates / "base.html", "</body>", '<p id="template-edit">Edited</p></body>')
    expect(page.locator("#template-edit")).to_have_count(1, timeout=WAIT_MS)
    assert page.evaluate("window.__sameDocument") is None


@pytest.mark.browser
def test_drafts_are_shown_with_a_badge(site, preview, page):
    site.study("draft-study", title="A Study In Progress", draft="true")
    server = preview(site.root)
    page.goto(server.url("case-studies/draft-study/"))
    expect(page.locator("h1")).to_contain_text("A Study In Progress")
    expect(page.locator("h1 .badge")).to_have_text("Draft")
    page.goto(server.url(THEME_PAGE))
    expect(page.locator("main")).to_contain_text("A Study In Progress")


@pytest.mark.browser
def test_no_drafts_hides_them(site, preview, page):
    site.study("draft-study", title="A Study In Progress", draft="true")
    server = preview(site.root, "--no-drafts")
    page.goto(server.url(THEME_PAGE))
    expect(page.locator("main")).to_contain_text("Every Home, A Health Base")
    expect(page.locator("main")).not_to_contain_text("A Study In Progress")
    response = page.goto(server.url("case-studies/draft-study/"))
    assert response.status == 404


# --------------------------------------------------------------------------- over plain HTTP

def test_the_site_is_served_under_its_base_path(read_only):
    server = read_only
    status, headers, _ = fetch(server.port, "/")
    assert status == 302 and headers["location"] == BASE
    status, headers, _ = fetch(server.port, "/showcase")
    assert status == 301 and headers["location"] == BASE
    status, headers, _ = fetch(server.port, "/showcase/themes?x=1")
    assert status == 301 and headers["location"] == "/showcase/themes/?x=1"
    status, headers, body = fetch(server.port, BASE + STUDY_PAGE)
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert b"Every Home, A Health Base" in body and b"/livereload.js?port=" in body
    status, headers, _ = fetch(server.port, BASE + "static/style.css")
    assert status == 200 and headers["content-type"].startswith("text/css")
    status, headers, body = fetch(server.port, BASE + STUDY_PAGE, method="HEAD")
    assert status == 200 and body == b""


def test_a_missing_page_gets_the_sites_404_page(read_only):
    server = read_only
    status, _, body = fetch(server.port, BASE + "no-such-page/")
    assert status == 404 and b"Page not found" in body and b"/livereload.js" in body
    status, _, body = fetch(server.port, "/elsewhere/index.html")  # outside the base path
    assert status == 404 and b"Page not found" in body


TRAVERSALS = [
    "/showcase/../../../../etc/passwd",
    "/../../../../etc/passwd",
    "/showcase/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/showcase/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "/showcase/..%2f..%2f..%2fetc%2fpasswd",
    "/showcase/..%5c..%5cetc%5cpasswd",
    "/showcase/..\\..\\etc\\passwd",
    "/showcase//etc/passwd",
    "/showcase/%2fetc%2fpasswd",
    "//etc/passwd",
    "/showcase/static/../../../etc/passwd",
    "/showcase/%252e%252e/%252e%252e/etc/passwd",
    "/showcase/.nojekyll",
    "/showcase/static/style.css%00.html",
    "http://127.0.0.1/etc/passwd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_nothing_outside_the_built_site_is_served(read_only, path):
    status, _, body = fetch(read_only.port, path)
    assert status == 404, (path, status)
    assert b"root:" not in body and b"passwd" not in body.replace(b"Page not found", b"")


def test_the_error_page_lists_every_problem_escaped_with_the_live_script(site, preview):
    server = preview(site.root)
    site.study("kashan-health-tv", country="<script>alert(1)</script>")
    site.study("second-study", themes="[no-such-theme]")
    status, _, body = wait_for_http(server.port, BASE + STUDY_PAGE, lambda status, body: status == 500)
    assert status == 500
    text = body.decode()
    assert re.search(r'case-studies/kashan-health-tv\.md:4(:\d+)?</code>: <span class="severity">error</span>: '
                     r'<span class="message">unknown country', text)
    assert "case-studies/second-study.md:5" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>alert(1)" not in text
    assert text.count("/livereload.js?port=") == 1
    for path in ("", THEME_PAGE, "no-such-page/"):  # every page address shows it
        status, _, other = fetch(server.port, BASE + path)
        assert status == 500 and b"cannot be built" in other
    status, _, css = fetch(server.port, BASE + "static/style.css")  # the rest of the last good build stays
    assert status == 200 and b"cannot be built" not in css
    out, err = server.output()
    assert re.search(r"kashan-health-tv\.md:4(:\d+)?: error: unknown country", err)


def test_a_site_broken_from_the_start_is_served_as_the_error_page_until_fixed(site, preview):
    site.study("kashan-health-tv", country="Atlantis")
    server = preview(site.root)
    for path in ("/", BASE, BASE + STUDY_PAGE):
        status, _, body = fetch(server.port, path)
        assert status == 500 and b"unknown country" in body and b"/livereload.js" in body
    site.study("kashan-health-tv", title="Fixed From The Start")
    status, _, body = wait_for_http(server.port, BASE + STUDY_PAGE, lambda status, body: status == 200)
    assert status == 200 and b"Fixed From The Start" in body
    assert fetch(server.port, "/")[0] == 302


def test_base_url_option_sets_the_served_path(site, preview):
    server = preview(site.root, "--base-url", "https://example.net/preview/")
    status, headers, _ = fetch(server.port, "/")
    assert status == 302 and headers["location"] == "/preview/"
    assert fetch(server.port, "/preview/" + STUDY_PAGE)[0] == 200
    assert fetch(server.port, BASE + STUDY_PAGE)[0] == 404


def test_a_busy_port_is_refused_with_a_clear_message(site):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = run_cli("serve", "--content", site.root, "--templates", ROOT / "templates", "--port", port,
                       timeout=60)
    assert proc.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in proc.stderr and "--port" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_missing_content_folder_is_refused_with_a_clear_message(tmp_path):
    proc = run_cli("serve", "--content", tmp_path / "nowhere", "--port", 0, timeout=60)
    assert proc.returncode == 1 and "content folder" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_the_server_cleanly_and_removes_its_folder(site, preview, sig):
    server = preview(site.root)
    assert any(server.tmpdir.iterdir()), "the preview is built in a temporary folder"
    assert not (site.root.parent / "output").exists()
    assert server.stop(sig) == 0
    out, err = server.output()
    assert "Traceback" not in err and "Stopped." in out
    assert f"http://127.0.0.1:{server.port}{BASE}" in out
    assert not any(server.tmpdir.iterdir()), "the temporary folder is removed on exit"


# --------------------------------------------------------------------------- in-process: the rules

@pytest.mark.parametrize("raw, expected", [
    ("/", (302, None, "/showcase/")),
    ("/showcase", (301, None, "/showcase/")),
    ("/showcase/", (200, "index.html", "")),
    ("/showcase/themes", (301, None, "/showcase/themes/")),
    ("/showcase/themes/", (200, "themes/index.html", "")),
    ("/showcase/static/style.css", (200, "static/style.css", "")),
    ("/showcase/static/style.css/", (404, None, "")),
    ("/showcase/caf%C3%A9/", (200, "café/index.html", "")),
    ("/showcase/missing", (404, None, "")),
    ("/other/", (404, None, "")),
    ("/showcase/../showcase/", (404, None, "")),
    ("/showcase/%2e%2e/", (404, None, "")),
    ("/showcase/a%2fb", (404, None, "")),
    ("/showcase/%ff/", (404, None, "")),
    ("/showcase/.hidden", (404, None, "")),
])
def test_locate_maps_request_paths_to_files_of_the_site(tmp_path, raw, expected):
    root = tmp_path / "site"
    for rel in ("index.html", "themes/index.html", "static/style.css", "café/index.html", ".hidden"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x")
    status, file, location = expected
    target = locate(raw, "/showcase/", root)
    assert (target.status, target.file, target.location) == (status, root / file if file else None, location)


def test_locate_never_follows_a_link_out_of_the_site(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    (root / "link.txt").symlink_to(tmp_path / "secret.txt")
    assert locate("/link.txt", "/", root).status == 404


def test_split_path_rejects_odd_paths():
    assert split_path("/a/b/") == (["a", "b"], True)
    for raw in ("a/b", "/a//b", "/a/./b", "/a/../b", "/a/%2e%2e/b", "/a%2Fb", "/a%5Cb", "/a%00b", "/a\\b"):
        assert split_path(raw)[0] is None, raw


def test_the_live_script_goes_into_every_kind_of_html_page():
    script = live_script(7)
    assert inject(b"<html><head><title>t</title></head><body></body></html>", script) == \
        b"<html><head><title>t</title>" + script + b"</head><body></body></html>"
    assert inject(b"<HTML><HEAD></HEAD><BODY></BODY></HTML>", script) == \
        b"<HTML><HEAD>" + script + b"</HEAD><BODY></BODY></HTML>"
    assert inject(b"<!doctype html><title>t</title><p>x</body>", script) == \
        b"<!doctype html><title>t</title><p>x" + script + b"</body>"
    assert inject(b"<p>no head, no body", script) == b"<p>no head, no body" + script
    assert b"epoch:7" in script


def test_the_error_page_escapes_author_text_and_has_a_head():
    problems = (Diagnostic("content/a.md", 3, None, "error", "bad <em>value</em> & more", "Use \"x\"."),
                Diagnostic("content/b.md", None, None, "warning", "<script>", ""))
    page = error_page(problems).decode()
    assert "content/a.md:3" in page and "bad &lt;em&gt;value&lt;/em&gt; &amp; more" in page
    assert "Fix: Use &quot;x&quot;." in page and "&lt;script&gt;" in page and "<script>" not in page
    assert "</head>" in page and "2 problems (1 error)" in page


def test_site_state_decides_what_the_browsers_reload(tmp_path):
    site = SiteState(tmp_path)
    assert site.update(["index.html", "static/style.css"], base_path="/x/") == "/x/"  # first build: reload
    assert site.update([]) is None and site.epoch == 1  # nothing changed: no reload, same epoch
    assert site.update(["static/style.css"]) == "/x/static/style.css"  # livereload.js swaps it in place
    assert site.update(["static/a.css", "static/b.css"]) == "*.css"
    assert site.update(["case-studies/a/index.html"]) == "/x/"
    problem = Diagnostic("content/a.md", 2, None, "error", "broken")
    assert site.update([], problems=(problem,)) == "/x/" and site.broken
    assert site.update([], problems=(problem,)) is None  # the same problems: the page already shows them
    assert site.update([]) == "/x/" and not site.broken  # fixed, even with no file changed: reload
    assert site.epoch == 6


def test_a_page_reports_its_epoch_in_the_livereload_handshake():
    assert page_epoch('{"command": "info", "url": "u", "plugins": {"sitegen": {"epoch": 4, "version": "1"}}}') == 4
    assert page_epoch('{"command": "info", "url": "u", "plugins": {}}') is None
    assert page_epoch('{"command": "hello"}') is None
    assert page_epoch("not json") is None


def test_a_crash_in_a_build_is_shown_as_a_problem_and_the_server_stays_up(tmp_path):
    import io

    from sitegen.commands.serve import Rebuilder

    class Crashing:
        def rebuild(self):
            raise OSError("disk on fire")

    site, err = SiteState(tmp_path), io.StringIO()
    assert Rebuilder(Crashing(), site, out=io.StringIO(), err=err)() == "/"
    assert site.broken and "OSError: disk on fire" in site.problems[0].message
    assert "disk on fire" in err.getvalue()


def test_a_rebuild_prints_warnings_as_well_as_errors_with_the_rules_of_build_and_check(tmp_path):
    """serve's builds give the same problems as `build` and `check`: warnings are printed (once per
    set), and an error (a broken link) keeps the last good site and lists the warnings too."""
    import io

    from sitegen.commands import check
    from sitegen.commands.serve import Rebuilder

    site = SiteFolder(tmp_path / "content")
    site.study("kashan-health-tv")  # no sources: a warning
    options = pipeline.BuildOptions(content=site.root, output=tmp_path / "out", templates=ROOT / "templates",
                                    cache_dir=None, jobs=1)
    state, out, err = SiteState(tmp_path / "out"), io.StringIO(), io.StringIO()
    rebuild = Rebuilder(pipeline.Session(options), state, out=out, err=err)
    rebuild()
    assert "kashan-health-tv.md:1: warning: the case study lists no sources" in err.getvalue()
    assert not state.broken
    site.study("kashan-health-tv", body="See [Cork](cork.md).\n\n## Context\n\nText.\n")
    rebuild()
    printed = err.getvalue()
    assert "kashan-health-tv.md:9:12: error: link to 'cork.md'" in printed and state.broken
    checked = check.check(site.root, ROOT / "templates").report
    assert {(d.line, d.severity, d.message) for d in checked.items} == \
        {(p.line, p.severity, p.message) for p in state.problems}


# --------------------------------------------------------------------------- in-process: the watcher

@pytest.fixture
def ioloop():
    """A tornado IOLoop running in its own thread (the main thread may hold playwright's loop)."""
    from tornado.ioloop import IOLoop

    made: list[IOLoop] = []
    ready = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        made.append(IOLoop.current())
        ready.set()
        made[0].start()
        made[0].close(all_fds=True)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(10)
    yield made[0]
    made[0].add_callback(made[0].stop)
    thread.join(10)


def on_loop(io, func):
    """Run `func` on the IOLoop's thread and return its result."""
    done: concurrent.futures.Future = concurrent.futures.Future()
    io.add_callback(lambda: done.set_result(func()))
    return done.result(timeout=10)


def wait_until(predicate, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.02)


def test_the_watcher_builds_a_burst_of_saves_once_with_every_file_complete(tmp_path, ioloop):
    from sitegen.commands.watch import DebouncedWatcher

    folder = tmp_path / "content"
    folder.mkdir()
    builds: list[dict[str, str]] = []

    def build():  # reads every file, as a build does: that must not start another build
        builds.append({p.name: p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()})
        return "/"

    watcher = DebouncedWatcher(ioloop, quiet=0.5)
    watcher.watch(str(folder), build)
    watcher._changes.append(("__livereload__", 2))  # livereload's start-up pseudo-change
    reloads = []
    on_loop(ioloop, lambda: watcher.start(lambda: reloads.append(watcher.examine())))
    try:
        for n in range(5):
            (folder / f"study-{n}.md").write_text(f"study {n}")
        temporary = folder / ".study-0.md.tmp"  # an editor's atomic save: a temp file renamed over the original
        temporary.write_text("study 0, saved again")
        os.replace(temporary, folder / "study-0.md")
        wait_until(lambda: builds)
        time.sleep(1)
    finally:
        watcher.stop()
    assert len(builds) == 1
    assert builds[0] == {**{f"study-{n}.md": f"study {n}" for n in range(1, 5)}, "study-0.md": "study 0, saved again"}
    assert reloads == [("/", None)]


def test_a_save_during_a_build_is_built_next(tmp_path, ioloop):
    from sitegen.commands.watch import DebouncedWatcher

    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "a.md").write_text("1")
    seen: list[str] = []

    def build():
        seen.append((folder / "a.md").read_text())
        if len(seen) == 1:
            (folder / "a.md").write_text("2")  # saved while this build runs
        return "/"

    watcher = DebouncedWatcher(ioloop, quiet=0.05)
    watcher.watch(str(folder), build)
    on_loop(ioloop, lambda: watcher.start(watcher.examine))
    try:
        (folder / "a.md").write_text("1")
        wait_until(lambda: len(seen) >= 2)
        time.sleep(0.5)
    finally:
        watcher.stop()
    assert seen == ["1", "2"]


# --------------------------------------------------------------------------- in-process: rebuilds = clean build

def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_same_site(served: Path, clean: Path, step: str) -> None:
    a, b = snapshot(served), snapshot(clean)
    assert sorted(a) == sorted(b), f"after {step}: files differ: {sorted(set(a) ^ set(b))}"
    differing = [path for path in a if a[path] != b[path]]
    assert not differing, f"after {step}: contents differ in {differing}"


def test_the_served_folder_equals_a_clean_build_after_every_rebuild(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a clean build may keep a cache in the working folder
    site = SiteFolder(tmp_path / "content")
    site.study("kashan-health-tv")
    site.study("gdynia-at-home", title="Learning At Home", city="Gdynia", country="PL", themes="[literacy]")
    site.study("draft-study", title="Not Ready Yet", city="Espoo", country="FI", draft="true")
    site.write("pages/about.md", "---\ntitle: About\n---\n\nAbout this showcase.\n")
    site.write("images/photo.png", image_bytes())
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    served = tmp_path / "served"
    options = pipeline.BuildOptions(content=site.root, output=served, templates=templates, drafts=True)
    session = pipeline.Session(options)
    clean_builds = iter(range(1000))

    def check(step: str) -> None:
        result = session.rebuild()
        assert not result.report.failed(), f"{step}: {result.report.as_text()}"
        clean = tmp_path / f"clean-{next(clean_builds)}"
        full = pipeline.build(pipeline.BuildOptions(content=site.root, output=clean, templates=templates, drafts=True))
        assert not full.report.failed(), f"{step}: {full.report.as_text()}"
        assert_same_site(served, clean, step)

    check("the first build")
    site.study("kashan-health-tv", title="A New Title For Kashan")
    check("a title edit")
    site.study("seoul-libraries", title="Libraries Everywhere", city="Seoul", country="KR", themes="[literacy]")
    check("a new case study in a new country")
    os.replace(site.root / "case-studies" / "gdynia-at-home.md", site.root / "case-studies" / "gdynia-home-learning.md")
    check("a renamed case study")
    (site.root / "case-studies" / "seoul-libraries.md").unlink()
    check("a deleted case study")
    site.study("draft-study", title="Ready Now", city="Espoo", country="FI")
    check("a draft published")
    edit(templates / "base.html", "</body>", '<p class="edited">Edited</p></body>')
    check("a template change")
    css = templates / "static" / "style.css"
    css.write_text(css.read_text() + "\n.edited { color: red; }\n")
    check("a stylesheet change")
    edit(site.root / "site.yaml", "Test Showcase", "Renamed Showcase")
    check("a site.yaml change")
    edit(site.root / "site.yaml", "example.org/showcase/", "example.org/other/")
    check("a new base_url")
    (site.root / "images" / "photo.png").unlink()
    check("a deleted asset")
    site.write("templates/404.html", '{% extends "base.html" %}{% block main %}<p>Lost?</p>{% endblock %}')
    check("a template override in the content folder")
    (site.root / "templates" / "404.html").unlink()
    check("the override removed")
    site.write("pages/contact.md", "---\ntitle: Contact\n---\n\nWrite to us.\n")
    check("a new page")
    before = snapshot(served)
    site.study("kashan-health-tv", country="Atlantis")
    broken = session.rebuild()
    assert broken.report.failed() and snapshot(served) == before, "a failed rebuild leaves the folder as it was"
    site.study("kashan-health-tv", title="Fixed Again")
    check("the fix after an error")
    before, theme = snapshot(served), (templates / "theme.html").read_text()
    site.study("kashan-health-tv", title="Changed While A Template Is Broken")
    (templates / "theme.html").write_text(theme + "{% if %}")
    broken = session.rebuild()
    assert broken.report.failed() and snapshot(served) == before, "a template error leaves the folder as it was"
    (templates / "theme.html").write_text(theme)
    check("the fix after a template error")


def test_serve_builds_with_the_session_only():
    """serve owns no build logic: it reaches the stages through pipeline.Session, in its builder process."""
    serve_source = (ROOT / "src" / "sitegen" / "commands" / "serve.py").read_text()
    source = (ROOT / "src" / "sitegen" / "build" / "remote.py").read_text()  # the builder serve forks
    for text in (serve_source, source):
        for stage in ("render", "load", "index", "write"):
            assert f"from .{stage} import" not in text and f"from . import {stage}" not in text
            assert f"from ..{stage}" not in text and f"from .. import {stage}" not in text
    assert "remote.RemoteSession(" in serve_source
    assert "pipeline.Session(" in source


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
