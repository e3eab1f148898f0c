"""`sitegen serve` never hangs: it stops on a signal at any moment, and keeps up with rapid edits.

Real `sitegen serve` processes on a site of 300 case studies written by
benchmarks/corpus.py (enough pages for the build to render them on a pool of
forked workers), each in a session of its own, so that every process it
leaves behind can be found. A stop is a signal sent at a seeded random
moment: as the first build starts, while it renders on the
pool, while serving, or while a rebuild renders on the pool; the only timed
assertion is the task's limit, 2 s from the signal to the exit. Serve runs
with the fork-with-threads DeprecationWarning (Python 3.12+) turned into an
error.
"""

from __future__ import annotations

import http.client
import importlib.util
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, serving_port

STUDIES = 300
SEED = 20240611
STOP_LIMIT = 2.0  # seconds from the signal to the exit: the task's limit
WAIT = 90  # seconds a test waits for a build, an edit or an exit (it waits, it does not time)
FORK_WARNING = "This process"  # "This process (pid=...) is multi-threaded, use of fork() may lead to deadlocks"


def load_corpus_module():
    spec = importlib.util.spec_from_file_location("corpus", ROOT / "benchmarks" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The 300 case studies, written once per module."""
    return load_corpus_module().write_corpus(tmp_path_factory.mktemp("corpus") / "content", STUDIES, 7)


@pytest.fixture
def content(corpus, tmp_path) -> Path:
    """A copy of the corpus this test may edit."""
    return Path(shutil.copytree(corpus, tmp_path / "content"))


# --------------------------------------------------------------------------- processes

def session_processes(sid: int) -> list[dict]:
    """Every live (not zombie) process of session `sid`: pid, parent, process group, state."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[3]) == sid and fields[0] != "Z":
            found.append({"pid": int(entry.name), "state": fields[0], "ppid": int(fields[1]), "pgid": int(fields[2])})
    return found


class Serve:
    """One `sitegen serve` subprocess, leading a session of its own, with its output in files."""

    def __init__(self, content: Path, workdir: Path, name: str):
        self.tmpdir = workdir / f"tmp-{name}"  # its TMPDIR, where its temporary folder goes
        self.tmpdir.mkdir(parents=True)
        self.out_path, self.err_path = workdir / f"{name}.out", workdir / f"{name}.err"
        command = [sys.executable, "-W", f"error:{FORK_WARNING}:DeprecationWarning", "-m", "sitegen.commands.cli",
                   "serve", "--content", str(content), "--templates", str(ROOT / "templates"),
                   "--port", "0"]  # it picks a free port, and says which (`port`)
        env = dict(os.environ, TMPDIR=str(self.tmpdir),
                   PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])))
        with self.out_path.open("w") as out, self.err_path.open("w") as err:
            self.process = subprocess.Popen(command, cwd=workdir, stdout=out, stderr=err, env=env,
                                            start_new_session=True)

    def output(self) -> tuple[str, str]:
        return self.out_path.read_text(), self.err_path.read_text()

    def describe(self) -> str:
        out, err = self.output()
        return f"\n--- stdout:\n{out}\n--- stderr:\n{err}"

    def wait_for(self, text: str) -> None:
        """Until stdout has `text` (a line serve prints)."""
        deadline = time.monotonic() + WAIT
        while text not in self.output()[0]:
            if self.process.poll() is not None:
                pytest.fail(f"serve exited (status {self.process.returncode}) before printing {text!r}"
                            + self.describe())
            if time.monotonic() > deadline:
                pytest.fail(f"serve did not print {text!r}" + self.describe())
            time.sleep(0.02)

    @property
    def port(self) -> int:
        """The port serve took, once it serves."""
        self.wait_for("Serving ")
        return serving_port(self.output()[0])

    def processes(self) -> list[dict]:
        return session_processes(self.process.pid)

    def wait_for_render_pool(self) -> None:
        """Until the builder renders on its pool: more processes than serve and the builder."""
        deadline = time.monotonic() + WAIT
        while len(self.processes()) <= 2:
            if time.monotonic() > deadline or self.process.poll() is not None:
                pytest.fail("the build never rendered on a pool of workers" + self.describe())
            time.sleep(0.005)

    def signal(self, how: str) -> float:
        """Send the stop signal ("SIGINT", "SIGINT to the group" as a terminal's Ctrl-C does, "SIGTERM")."""
        sent = time.monotonic()
        if how == "SIGINT to the group":
            os.killpg(self.process.pid, signal.SIGINT)
        else:
            self.process.send_signal(getattr(signal, how))
        return sent

    def wait_exit(self) -> int:
        try:
            return self.process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail("serve did not exit" + self.describe())

    def kill(self) -> None:
        for proc in self.processes():
            try:
                os.kill(proc["pid"], signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()

    def assert_left_nothing(self) -> None:
        left = self.processes()
        assert not left, f"processes of serve's session still alive: {left}" + self.describe()
        folders = [p.name for p in self.tmpdir.iterdir()]
        assert not folders, f"serve left {folders} in its TMPDIR" + self.describe()
        _, err = self.output()
        assert "Traceback" not in err, self.describe()
        assert "fork" not in err.lower() and "thread" not in err.lower(), self.describe()


@pytest.fixture
def serve(tmp_path):
    """Start serve processes; any still running at the end is killed with its whole session."""
    started: list[Serve] = []

    def start(content: Path, name: str = "serve") -> Serve:
        started.append(Serve(content, tmp_path, name))
        return started[-1]

    yield start
    for server in started:
        if server.process.poll() is None:
            server.kill()


def fetch(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_until_served(port: int, path: str, *texts: str) -> bytes:
    """Fetch `path` until it answers 200 with every text in it (a rebuild takes a moment)."""
    deadline = time.monotonic() + WAIT
    while True:
        status, body = fetch(port, path)
        if status == 200 and all(text.encode() in body for text in texts):
            return body
        if time.monotonic() > deadline:
            pytest.fail(f"{path} never showed {texts}: status {status}, {body[:300]!r}")
        time.sleep(0.05)


def set_site_title(content: Path, title: str) -> None:
    path = content / "site.yaml"
    lines = path.read_text().splitlines(keepends=True)
    assert lines[0].startswith("title: ")
    path.write_text(f"title: {title}\n" + "".join(lines[1:]))


def set_study_title(content: Path, study: str, title: str) -> None:
    path = content / "case-studies" / f"{study}.md"
    lines = path.read_text().splitlines(keepends=True)
    assert lines[0] == "---\n" and lines[1].startswith("title: ")
    path.write_text(lines[0] + f"title: {title}\n" + "".join(lines[2:]))


# --------------------------------------------------------------------------- a signal at any moment

MOMENTS = ["build start", "first render", "serving", "rebuild"]
HOW = ["SIGINT", "SIGINT to the group", "SIGTERM"]


@pytest.mark.parametrize("run", range(10))
def test_a_signal_at_any_moment_stops_serve_within_two_seconds(content, serve, run):
    rng = random.Random(f"{SEED}-{run}")
    moment, how = MOMENTS[run % len(MOMENTS)], rng.choice(HOW)
    server = serve(content)
    server.wait_for("Building the preview")
    if moment == "first render":
        server.wait_for_render_pool()
    elif moment in ("serving", "rebuild"):
        server.wait_for("Serving")
    if moment == "rebuild":
        set_site_title(content, f"Renamed Showcase {run}")  # every page renders again
        server.wait_for_render_pool()
    time.sleep(rng.uniform(0, 0.4))
    busy = len(server.processes()) > 2  # the render pool was running
    sent = server.signal(how)
    code = server.wait_exit()
    latency = time.monotonic() - sent
    print(f"stop {run}: {moment}, {how}, render pool running: {busy}: exit {code} after {latency:.3f} s")
    assert code == 0, server.describe()
    assert latency <= STOP_LIMIT, f"{latency:.2f} s from {how} to the exit" + server.describe()
    out, _ = server.output()
    assert out.rstrip().endswith("Stopped."), server.describe()
    server.assert_left_nothing()


# --------------------------------------------------------------------------- rapid edits

def test_thirty_rapid_edits_end_with_the_last_one_served(content, serve):
    rng = random.Random(SEED)
    server = serve(content)
    server.wait_for("Serving")
    studies = ["study-00003", "study-00042", "study-00150", "study-00299"]
    titles: dict[str, str] = {}
    site_title = "Synthetic Showcase"
    for n in range(30):
        if n % 5 == 1:
            site_title = f"Showcase Save {n:02d}"
            set_site_title(content, site_title)
            study = rng.choice(sorted(titles) or studies)
        else:
            study = rng.choice(studies)
            titles[study] = f"Quick Edit {n:02d} Of {study}"
            set_study_title(content, study, titles[study])
        if n % 7 == 6:  # now and then, wait until the last edit is served
            wait_until_served(server.port, f"/showcase/case-studies/{study}/", site_title, titles.get(study, ""))
        else:
            time.sleep(rng.uniform(0, 0.25))
        status, _ = fetch(server.port, "/livereload.js")  # the server answers between and during builds
        assert status == 200
    for study, title in titles.items():
        wait_until_served(server.port, f"/showcase/case-studies/{study}/", site_title, title)
    wait_until_served(server.port, "/showcase/", site_title)
    server.signal("SIGINT")
    assert server.wait_exit() == 0, server.describe()
    out, _ = server.output()
    assert out.rstrip().endswith("Stopped."), server.describe()
    server.assert_left_nothing()


# --------------------------------------------------------------------------- a builder that dies

def test_a_builder_killed_from_outside_ends_serve_with_a_clear_message(site, serve):
    server = serve(site.root)
    server.wait_for("Serving")
    builders = [p for p in server.processes() if p["ppid"] == server.process.pid]
    assert len(builders) == 1 and builders[0]["pgid"] == builders[0]["pid"], server.processes()
    os.kill(builders[0]["pid"], signal.SIGKILL)
    assert server.wait_exit() == 1, server.describe()
    out, err = server.output()
    assert f"the build process (pid {builders[0]['pid']}) was killed by signal SIGKILL" in err, server.describe()
    assert "run sitegen serve again" in err and "Stopped." not in out
    server.assert_left_nothing()
