"""Shared fixtures: throw-away content folders, the real CLI, a static server, a real browser.

Browser tests carry the `browser` marker. Without a Chromium on the machine
they are skipped locally, but under CI (the CI environment variable set)
a missing browser fails the run instead: CI never skips them.

The suite runs on every core with pytest-xdist (`-n auto --dist loadgroup
--no-loadscope-reorder`, set in pyproject.toml). Each test module is one unit
of work, so a module's expensive module-scoped fixtures (a built site, a vnu
run) are made once, on one worker; a module marked `spread` has independent
tests that are dealt out one by one. Work is handed out longest first (see
LONGEST_FIRST) so that no long unit is left for the end. Every worker collects
the suite itself, so test ids must be the same in every process (no default
`repr` with a memory address in a parametrize id). Sites that tests only read
are built once per worker (`showcase`, `sample`). Every test runs from its own
temporary working folder, so nothing (a `.cache/`, an `output/`) is written
into the repository; the temporary folders live in memory where the machine
has a folder there (`pytest_configure`).
"""

from __future__ import annotations

import collections
import contextlib
import functools
import http.client
import http.server
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

SOURCES = '[{title: "Annual report", url: "https://example.org/report"}]'  # a `sources:` value, for warning-free sites
SITE_YAML = """\
title: Test Showcase
description: A showcase used by the tests.
base_url: https://example.org/showcase/
language: en
themes:
  - name: Health and well-being
    id: health-wellbeing
    description: Learning for health.
  - name: Literacy
    description: Reading and writing for all.
  - name: Equity and Inclusion
    id: equity-inclusion
"""


def chromium_executable() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


NODE_MODULES = ROOT / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_SCRIPT = NODE_MODULES / "axe-core" / "axe.min.js"

# marker -> (is the tool here?, how to get it)
TOOLS = {
    "browser": (lambda: chromium_executable() is not None, "apt-get install chromium"),
    "vnu": (lambda: VNU_JAR.exists() and shutil.which("java") is not None,
            "npm ci (vnu-jar) and apt-get install default-jre-headless"),
    "axe": (lambda: AXE_SCRIPT.exists() and chromium_executable() is not None, "npm ci (axe-core) and chromium"),
}


MEMORY = Path("/dev/shm")  # a folder in memory, where the system has one
MEMORY_NEEDED = 3 << 30  # bytes free there: a run writes about 1 GB of small files, kept until it ends
TEMPORARY_PREFIX = "sitegen-tests-"
TEMPORARY_ROOT = pytest.StashKey[Path]()


def memory_folder() -> Path | None:
    """MEMORY when it is a writable folder with room for a run's temporary files, else None."""
    try:
        usable = MEMORY.is_dir() and os.access(MEMORY, os.W_OK) and shutil.disk_usage(MEMORY).free >= MEMORY_NEEDED
    except OSError:
        return None
    return MEMORY if usable else None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@pytest.hookimpl(tryfirst=True)  # before pytest's tmpdir plugin reads the option
def pytest_configure(config):
    """The run's temporary files (every tmp_path) go to a folder in memory where there is one: the
    suite writes and deletes some 80,000 small files, and on a disk that costs about a tenth of the
    run, plus as long again when pytest prunes an old run's folder at exit. The folder is removed
    after a run that passed and kept after one that failed (the summary says where); a folder left
    by a run whose process is gone is removed at the next start. An explicit --basetemp wins."""
    folder = memory_folder()
    if folder is not None and config.option.basetemp is None and not hasattr(config, "workerinput"):
        for old in folder.glob(TEMPORARY_PREFIX + "*"):
            pid = old.name[len(TEMPORARY_PREFIX):].partition("-")[0]
            if pid.isdigit() and not alive(int(pid)):
                shutil.rmtree(old, ignore_errors=True)
        root = Path(tempfile.mkdtemp(prefix=f"{TEMPORARY_PREFIX}{os.getpid()}-", dir=folder))
        config.option.basetemp = str(root)
        config.stash[TEMPORARY_ROOT] = root
    for marker, (_, how) in TOOLS.items():
        config.addinivalue_line("markers", f"{marker}: needs an outside tool ({how}); skipped locally without it, never in CI")
    config.addinivalue_line("markers", "spread: the module's tests share nothing costly; xdist may run them on different workers")


# The modules that take longest (measured on two cores), handed out first under xdist; the others follow
# in file order. Only the order of the work changes: a missing or renamed name is harmless.
LONGEST_FIRST = ("test_warm_equals_clean.py", "test_robustness.py", "test_accessibility.py", "test_build.py",
                 "test_serve.py", "test_cache.py", "test_serve_stop.py", "test_deploy.py", "test_cli.py",
                 "test_incremental.py", "test_adversarial.py")


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which turns each xdist_group into its node id's suffix
def pytest_collection_modifyitems(config, items):
    """Skip tool-dependent tests locally when the tool is missing; in CI, fail them instead.

    Under xdist (on a worker), the modules in LONGEST_FIRST move to the front
    (a stable sort: each module stays whole, in its own order), and every test
    joins its module's xdist_group unless the module is marked `spread`: with
    `--dist loadgroup` a module then stays on one worker and builds its
    module-scoped fixtures once.
    """
    if hasattr(config, "workerinput"):
        rank = {name: n for n, name in enumerate(LONGEST_FIRST)}
        items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
        for item in items:
            if item.get_closest_marker("spread") is None:
                item.add_marker(pytest.mark.xdist_group(item.path.name))
    for marker, (available, how) in TOOLS.items():
        if available():
            continue
        for item in items:
            if marker in item.keywords:
                if IN_CI:
                    item.user_properties.append(("missing", how))
                else:
                    item.add_marker(pytest.mark.skip(reason=f"tool missing here: {how} (CI always runs these)"))


GROUPS_LOST = ("xdist_group has no effect with these versions of pytest and pytest-xdist, so this module's "
               "sites would be built on every worker: install the test tools with `-c constraints.txt`")


@pytest.hookimpl(trylast=True, specname="pytest_collection_modifyitems")
def pytest_collection_modifyitems_after_xdist(config, items):
    """After xdist's own hook: each group must have reached the node id that xdist deals out. pytest-xdist
    3.8 writes it into a field that pytest 9.2 no longer reads (pytest-dev/pytest-xdist#1386); then
    every test would be dealt out alone, silently. Such a test fails at its setup, saying why."""
    if hasattr(config, "workerinput") and config.getvalue("loadgroup"):
        for item in items:
            if item.get_closest_marker("xdist_group") and "@" not in item.nodeid:
                item.user_properties.append(("groups lost", GROUPS_LOST))


def pytest_sessionfinish(session, exitstatus):
    root = session.config.stash.get(TEMPORARY_ROOT, None)
    if root is not None and exitstatus == 0:
        shutil.rmtree(root, ignore_errors=True)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    root = config.stash.get(TEMPORARY_ROOT, None)
    if root is not None and root.exists():
        terminalreporter.write_line(f"temporary files of this run kept in {root}")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """In CI a test whose tool is missing fails here, before its fixtures start a browser or build a site."""
    missing = [how for key, how in item.user_properties if key == "missing"]
    if missing:
        pytest.fail(f"CI must have every tool; missing: {'; '.join(missing)}")
    for key, why in item.user_properties:
        if key == "groups lost":
            pytest.fail(why)


@pytest.fixture(autouse=True)
def _temporary_working_folder(tmp_path, monkeypatch):
    """Run each test from its own temporary folder: whatever code writes relative to the working
    folder (the build's default `.cache/`, `output/`) lands there, never in the repository."""
    monkeypatch.chdir(tmp_path)


JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def without_json_ld(html: str) -> str:
    """A page without its JSON-LD blocks, each of which must be JSON that no browser runs: what is left
    is what a substring check for script should look at (the blocks hold author text, escaped)."""
    for block in JSON_LD.findall(html):
        json.loads(block)
        assert "<" not in block and ">" not in block, "tojson escapes angle brackets"
    return JSON_LD.sub("", html)
def image_bytes(format: str = "PNG", size: tuple[int, int] = (4, 3), colour=(40, 90, 160)) -> bytes:
    """A real image file, small: the site reads every photo and bitmap it publishes (a few bytes that only
    start like a PNG are refused as damaged)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format)
    return out.getvalue()


TRANSLATION_FILE = re.compile(r"\.[a-z]{2,3}(?:-[A-Za-z0-9]+)*\.md$")  # kashan-health-tv.fa.md


def originals(folder: Path) -> list[Path]:
    """The Markdown files of a content folder's `folder` that are not translations (`slug.<lang>.md`)."""
    return sorted(p for p in folder.glob("*.md") if not TRANSLATION_FILE.search(p.name))


def tree(folder: Path) -> dict[str, bytes]:
    """Every file of a folder, by posix path, with its bytes, in the order of sorted paths. As
    `rglob` and `is_file` would: a link to a file counts, a link to a folder is not entered.
    (os.walk and open, not pathlib: the property tests read some 150,000 files.)"""
    found = {}
    for dirpath, _, files in os.walk(folder):
        rel = os.path.relpath(dirpath, folder).replace(os.sep, "/")
        for name in files:
            path = os.path.join(dirpath, name)
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    found[name if rel == "." else f"{rel}/{name}"] = f.read()
    return dict(sorted(found.items(), key=lambda item: item[0].split("/")))


def builds_agree(root: Path, options, session) -> dict[str, bytes] | None:
    """Build into root/warm (`options(path)`: its cache on disk), through `session` (a `pipeline.Session`) and
    into a new root/clean with no cache (`options(path, cache=False)`); assert the three outputs are the same,
    byte for byte, and return the clean one. When the content has an error (an author's action can make one,
    e.g. a link to a case study made a draft), all three must fail with the same problems: then None."""
    from sitegen.build import pipeline

    warm = pipeline.build(options(root / "warm"))
    served = session.rebuild()
    shutil.rmtree(root / "clean", ignore_errors=True)
    clean = pipeline.build(options(root / "clean", cache=False))
    told = [[d for d in result.report.sorted() if d.severity == "error"] for result in (warm, served, clean)]
    assert told[0] == told[1] == told[2], "\n\n".join(r.report.as_text() for r in (warm, served, clean))
    if not clean.ok:
        assert not warm.ok and not served.ok and not (root / "clean").exists()
        return None
    assert warm.ok and served.ok, warm.report.as_text()
    expected = tree(root / "clean")
    assert tree(root / "warm") == expected
    assert tree(root / "session") == expected
    return expected


def action(function):
    """A state machine's rule that its class counts in `done` (a Counter), under what the rule returns
    (what it did, when it can do one of several things) or else its name."""
    @functools.wraps(function)
    def act(self, *args, **kwargs):
        type(self).done[function(self, *args, **kwargs) or function.__name__] += 1
    return act


def replay(machine: type, settings) -> type:
    """Run `machine`'s runs (a state machine over a content folder, `site`, whose invariant is
    `warm_builds_equal_a_clean_build`) again without building, and return the class that ran them:
    its `steps` counts the checks, its `unchanged` those after a step that left the content folder
    as it was, byte for byte, and its `done` what the actions did. These are the machine's own steps
    when its class carries `@seed` (which the replay inherits; a derandomized machine is seeded from
    its class's source), since the invariant draws nothing."""
    from hypothesis.stateful import invariant

    class Replay(machine):
        done = collections.Counter()
        steps = unchanged = 0
        last = None  # the content folder's files at this run's last check

        @invariant()
        def warm_builds_equal_a_clean_build(self):
            now = tree(self.site.root)
            Replay.steps += 1
            Replay.unchanged += now == self.last
            self.last = now

    Replay.TestCase.settings = settings
    Replay.TestCase("runTest").runTest()
    return Replay


def made_from_templates(files) -> list[str]:
    """The files of a built site that templates make (pages, feeds, data and citation files), not those copied."""
    from sitegen.render import outputs

    return [f for f in files if f.endswith(outputs.TEMPLATE_SUFFIXES) and not f.startswith(outputs.reserved().copied)]


def case_study(title="Every Home, A Health Base", city="Kashan", country="IR", themes="[health-wellbeing]",
               date="2021-08-17", body="Kashan put health lessons on local TV.\n\n## Context\n\nText.\n", **extra) -> str:
    """The text of a valid case-study file; keyword arguments add or replace front-matter lines."""
    fields = {"title": title, "city": city, "country": country, "themes": themes, "date": date, **extra}
    lines = [f"{key}: {value}" for key, value in fields.items() if value is not None]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body


class SiteFolder:
    """A content folder in a temporary directory, with helpers to write files into it."""

    def __init__(self, root: Path):
        self.root = root
        (root / "case-studies").mkdir(parents=True)
        (root / "pages").mkdir()
        self.write("site.yaml", SITE_YAML)

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text) if text.startswith("\n") else text, encoding="utf-8")
        return path

    def study(self, name: str, **fields) -> Path:
        return self.write(f"case-studies/{name}.md", case_study(**fields))


@pytest.fixture
def compiles(monkeypatch) -> list[str]:
    """The name of each template Jinja compiles from now on in this test, in order."""
    import jinja2

    names: list[str] = []
    original = jinja2.Environment.compile

    def counting(self, source, name=None, *args, **kwargs):
        names.append(name)
        return original(self, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return names


@pytest.fixture
def site(tmp_path) -> SiteFolder:
    """A fresh, valid content folder with one case study (kashan-health-tv)."""
    folder = SiteFolder(tmp_path / "content")
    folder.study("kashan-health-tv")
    return folder


def run_cli(*args: str, cwd: Path = ROOT, timeout: float | None = None, process: bool = False
            ) -> subprocess.CompletedProcess:
    """Run `python build.py ARGS` as a user would, capturing its output and exit status.

    By default `build.py`'s `main` runs in this process: the same arguments, working folder and
    environment, its output written through pipe-like UTF-8 streams (strict on stdout, as Python's own
    pipes are) and read back as `subprocess.run(text=True)` reads it. That spares each call a Python
    start-up and the compiling of the theme. A real `python build.py` starts with `process=True`, with a
    `timeout` (a hang guard, which only a process can have; its stack is also a fresh one, as deep
    nesting needs), and for `serve` (signals, threads, a long life); tests/test_cli.py drives the
    installed command itself.
    """
    argv = [str(arg) for arg in args]
    if process or timeout is not None or argv[:1] == ["serve"]:
        return subprocess.run([sys.executable, str(ROOT / "build.py"), *argv], cwd=cwd,
                              capture_output=True, text=True, timeout=timeout or 120)
    return _run_main(argv, cwd)


def _run_main(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    from sitegen.commands.cli import main

    streams = {name: io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors=errors, newline="\n", write_through=True)
               for name, errors in (("out", "strict"), ("err", "backslashreplace"))}
    before = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(streams["out"]), contextlib.redirect_stderr(streams["err"]):
            try:
                status = main(argv, prog="build.py", default_command="build")
            except SystemExit as exc:  # argparse's errors and --help, as `python build.py` would exit
                status = exc.code
                if status is not None and not isinstance(status, int):  # sys.exit("a message")
                    print(status, file=sys.stderr)
                    status = 1
    finally:
        os.chdir(before)
    text = {name: stream.buffer.getvalue().decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
            for name, stream in streams.items()}
    return subprocess.CompletedProcess([sys.executable, str(ROOT / "build.py"), *argv], status or 0,
                                       text["out"], text["err"])


@pytest.fixture
def git_identity(monkeypatch, tmp_path):
    """git commits under a test identity, with no global or system configuration of this machine."""
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test Author")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "author@example.org")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test Committer")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "committer@example.org")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-global-gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)


def git(repo: Path, *args: str, check: bool = True) -> str:
    """`git ARGS` in `repo`; its output, stripped (asserting success unless `check` is False)."""
    proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    if check:
        assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout.strip()


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def build(tmp_path):
    """Build a content folder with the real CLI; returns (process, output folder)."""
    def _build(content: Path | SiteFolder, *args: str, output: Path | None = None):
        content = content.root if isinstance(content, SiteFolder) else content
        out = output or tmp_path / "output"
        return run_cli("build", "--content", content, "--output", out,
                       "--templates", ROOT / "templates", *args, cwd=tmp_path), out
    return _build


@pytest.fixture(scope="session")
def showcase(tmp_path_factory) -> Path:
    """The bundled showcase, built once per test run (strict: no warnings allowed)."""
    out = tmp_path_factory.mktemp("showcase") / "output"
    proc = run_cli("build", "--strict", "--content", ROOT / "content", "--templates", ROOT / "templates",
                   "--output", out, cwd=out.parent)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


@pytest.fixture(scope="session")
def sample(tmp_path_factory) -> Path:
    """test_design's sample site (a draft with an image, RTL and CJK names), built once per run with --drafts."""
    from test_design import build_sample

    return build_sample(tmp_path_factory.mktemp("sample"))


class _PrefixHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder under a URL prefix, with the folder's 404.html for missing pages (as GitHub Pages does)."""

    prefix = "/"

    def log_message(self, *args):
        pass

    def send_head(self):
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if not path.startswith(self.prefix):
            return self._not_found()
        self.path = "/" + path[len(self.prefix):]
        local = Path(self.translate_path(self.path))
        if local.is_dir() and not self.path.endswith("/"):
            self.send_response(301)
            self.send_header("Location", path + "/")
            self.end_headers()
            return None
        if local.is_dir():
            local = local / "index.html"
        if not local.exists():
            return self._not_found()
        return super().send_head()

    def _not_found(self):
        page = Path(self.directory) / "404.html"
        body = page.read_bytes() if page.exists() else b"not found"
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return None


SERVING_LINE = re.compile(r"^Serving http://(?:\[[^\]]+\]|[^\s/\[\]]*):(\d+)/", re.MULTILINE)


def serving_port(stdout: str) -> int | None:
    """The port `serve --port 0` took, read from the line it prints once it serves (None before).

    Servers in tests take a port of the system's choosing this way: a port found free here and
    passed in could be taken by another test's server or connection before serve binds it.
    """
    match = SERVING_LINE.search(stdout)
    return int(match.group(1)) if match else None


def answers_live_script(port: int) -> bool:
    """Whether a serve on 127.0.0.1:`port` answers with its live-reload script."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/livereload.js")
        response = conn.getresponse()
        response.read()
        return response.status == 200
    finally:
        conn.close()


class ServeProcess:
    """One `python build.py serve` on a port it picks (`--port 0`), its output and TMPDIR in a folder
    of its own under `workdir`; started once `answers(port)` holds (by default: it serves its live
    script on 127.0.0.1), and killed if it never does."""

    START_SECONDS = 60

    def __init__(self, content: Path, workdir: Path, *extra: str, templates: Path = ROOT / "templates",
                 answers=answers_live_script):
        own = Path(tempfile.mkdtemp(prefix="serve-", dir=workdir))
        self.port = 0  # until serve says which port it took
        self.tmpdir = own / "tmp"  # serve's temporary folder goes here
        self.tmpdir.mkdir()
        self.out_path, self.err_path = own / "serve.out", own / "serve.err"
        command = [sys.executable, str(ROOT / "build.py"), "serve", "--content", str(content),
                   "--templates", str(templates), "--port", "0", *extra]
        with self.out_path.open("w") as out, self.err_path.open("w") as err:
            self.process = subprocess.Popen(command, cwd=workdir, stdout=out, stderr=err,
                                            env=dict(os.environ, TMPDIR=str(self.tmpdir)))
        try:
            self.wait_until_serving(answers)
        except BaseException:
            self.process.kill()  # never left running
            self.process.wait()
            raise

    def output(self) -> tuple[str, str]:
        return self.out_path.read_text(), self.err_path.read_text()

    def wait_until_serving(self, answers) -> None:
        deadline = time.monotonic() + self.START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail("serve exited early: " + "\n".join(self.output()))
            self.port = serving_port(self.output()[0]) or 0
            try:
                if self.port and answers(self.port):
                    return
            except OSError:
                pass
            time.sleep(0.1)
        pytest.fail("serve did not answer within a minute: " + "\n".join(self.output()))

    def stop(self, sig: int = signal.SIGINT) -> int:
        """Send `sig` and wait for the exit status (a server still there after 30 s is killed: a failure)."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                pytest.fail("serve did not stop on a signal")
        return self.process.returncode

    def stop_cleanly(self) -> None:
        """Stop with Ctrl-C, as every server in the tests is stopped: exit 0, no traceback, whatever was sent."""
        code = self.stop()
        out, err = self.output()
        assert code == 0, out + err
        assert "Traceback" not in err and "Uncaught exception" not in err, err


@pytest.fixture
def static_server():
    """Serve a folder under a prefix on 127.0.0.1: `url = static_server(folder, "/showcase/")`."""
    servers = []

    def _serve(folder: Path, prefix: str = "/") -> str:
        handler = type("Handler", (_PrefixHandler,), {"prefix": prefix})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
        # a short poll: shutdown() waits for the loop to look, and every test that serves a folder
        # ends with one (the default half second, 56 times over, is half a minute of the suite)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}{prefix}"

    yield _serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by playwright (never a downloaded browser)."""
    executable = chromium_executable()
    if executable is None:
        pytest.fail("Chromium is required here (CI): apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    tab = context.new_page()
    yield tab
    context.close()
