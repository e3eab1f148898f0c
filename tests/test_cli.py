"""The command line as a person and a CI job meet it: entry points, help, -q/-v, colour, progress, --jobs.

Every test drives the real CLI in a subprocess: through pipes (what CI
sees), or on a pseudo-terminal (what a person sees) for colour and
progress. benchmarks/corpus.py's handling of its output folder is here too.
"""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, SiteFolder, case_study, SOURCES

from sitegen.commands import console as console_module
from sitegen.commands.cli import COMMANDS

SRC = ROOT / "src"
CORPUS = ROOT / "benchmarks" / "corpus.py"
CHECK_DATA = ROOT / "tests" / "data" / "check"
ESCAPE = "\x1b"
SGR = re.compile(r"\x1b\[([0-9;]*)m")
CURSOR_HIDDEN, CURSOR_SHOWN = "\x1b[?25l", "\x1b[?25h"
ANY_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
SUMMARY = re.compile(r"^Built (\d+) pages? \((\d+) files?; (\d+) rendered, (\d+) written(?:, (\d+) removed)?\) "
                     r"into (.+) in \d+\.\d\d s; (\d+) errors?, (\d+) warnings?\.$")


def environment(**extra: str) -> dict[str, str]:
    """This machine's environment, without colour switches, running this tree's sitegen."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM", "COLUMNS")}
    env["PYTHONPATH"] = str(SRC) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def run(*args, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess:
    """`python ARGS` with stdout and stderr on pipes."""
    return subprocess.run([sys.executable, *map(str, args)], cwd=cwd, env=environment(**env),
                          capture_output=True, text=True, timeout=300)


def run_on_terminal(*args, cwd: Path | None = None, **env: str) -> tuple[int, str]:
    """`python ARGS` with stdin, stdout and stderr on one pseudo-terminal; (exit status, all it wrote)."""
    argv, env = [sys.executable, *map(str, args)], environment(TERM="xterm-256color", **env)
    pid, fd = pty.fork()
    if pid == 0:  # the child: its streams are the terminal
        try:
            if cwd is not None:
                os.chdir(cwd)
            os.execve(sys.executable, argv, env)
        finally:
            os._exit(127)
    chunks, deadline = [], time.monotonic() + 300  # a safety net against a hung child, not a timing check
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 1.0)
            if not ready:
                continue
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        else:
            os.kill(pid, signal.SIGKILL)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), b"".join(chunks).decode("utf-8", "replace")


def colour_codes(text: str) -> list[str]:
    """The colour parameters (30-49, 90-107) of every SGR escape in `text`."""
    found = []
    for params in SGR.findall(text):
        for p in params.split(";"):
            if p.isdigit() and (30 <= int(p) <= 49 or 90 <= int(p) <= 107):
                found.append(p)
    return found


def after_progress(text: str) -> list[str]:
    """What a terminal run printed after its progress display ended, as plain lines."""
    tail = text.rsplit(CURSOR_SHOWN, 1)[-1]
    plain = ANY_ESCAPE.sub("", tail).replace("\r", "")
    return [line for line in plain.split("\n") if line]


@pytest.fixture
def project(tmp_path) -> Path:
    """A project folder as `python build.py` expects it: content/ and templates/ in the working folder."""
    site = SiteFolder(tmp_path / "content")
    site.study("kashan-health-tv", sources=SOURCES)
    site.study("cork-festival", title="A festival of learning", city="Cork", country="IE", themes="[literacy]",
               sources=SOURCES)
    site.write("pages/about.md", "---\ntitle: About\nmenu: 1\n---\n\nWho we are.\n")
    (tmp_path / "templates").symlink_to(ROOT / "templates", target_is_directory=True)
    return tmp_path


def build_args(project: Path, *more) -> list:
    return [ROOT / "build.py", "--content", project / "content", "--templates", ROOT / "templates",
            "--output", project / "output", *more]


def broken(project: Path) -> None:
    """Give the project a case study with an unknown country (an error on line 4)."""
    (project / "content" / "case-studies" / "typo.md").write_text(case_study(country="Irland"), encoding="utf-8")


# --------------------------------------------------------------------------- entry points and help

def test_python_dash_m_sitegen_is_the_sitegen_command():
    proc = run("-m", "sitegen", "--version")
    assert proc.returncode == 0 and re.fullmatch(r"sitegen \d+\.\d+\.\d+\n", proc.stdout), proc
    assert run("-m", "sitegen", "check", "--help").stdout.startswith("usage: python -m sitegen check")


@pytest.mark.parametrize("command", [["-m", "sitegen"],
                                     ["-c", "import sys; from sitegen.commands.cli import main; sys.exit(main())"]],
                         ids=["python -m sitegen", "sitegen script"])
def test_sitegen_alone_prints_the_help_with_every_command_and_succeeds(command):
    proc = run(*command)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage:") and proc.stderr == ""
    for name in COMMANDS:
        assert re.search(rf"^\s+{name}\s+\S", proc.stdout, re.M), name
    assert "-q, --quiet" in proc.stdout and "-v, --verbose" in proc.stdout


def test_build_py_help_is_the_build_commands_own():
    proc = run(ROOT / "build.py", "--help")
    assert proc.returncode == 0 and proc.stdout.startswith("usage: build.py [-h]")
    for option in ("--content", "--templates", "--output", "--base-url", "--drafts", "--strict", "--no-cache",
                   "--jobs", "-q, --quiet", "-v, --verbose"):
        assert option in proc.stdout, option
    assert "Other commands: serve, check, new, deploy" in proc.stdout
    assert "--format" in run(ROOT / "build.py", "check", "--help").stdout  # other commands still reachable
    assert run(ROOT / "build.py", "--version").stdout.startswith("sitegen ")


def test_build_py_without_arguments_builds_the_project_in_the_working_folder(project):
    proc = run(ROOT / "build.py", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert (project / "output" / "index.html").is_file()
    assert (project / "output" / "case-studies" / "cork-festival" / "index.html").is_file()
    assert SUMMARY.match(proc.stdout.strip()), proc.stdout


# --------------------------------------------------------------------------- the summary, -q and -v

def test_the_summary_counts_what_it_says_and_verbose_lists_the_same_files(project):
    proc = run(*build_args(project, "-v"))
    assert proc.returncode == 0, proc.stderr
    pages, files, rendered, written, removed, output, errors, warnings = SUMMARY.match(proc.stdout.strip()).groups()
    on_disk = [p.relative_to(project / "output").as_posix() for p in (project / "output").rglob("*")
               if p.is_file() and p.name != ".sitegen-manifest.json"]  # the manifest is sitegen's bookkeeping
    assert int(files) == len(on_disk) and int(written) == len(on_disk) and removed is None
    assert int(pages) == sum(1 for p in on_disk if p.endswith(".html"))
    listed = {label: [line.split(None, 1)[1] for line in proc.stderr.splitlines() if line.startswith(label + " ")]
              for label in ("rendered", "written", "removed")}
    assert len(listed["rendered"]) == int(rendered) > 0 and sorted(listed["written"]) == sorted(on_disk)
    assert re.search(r"^\s+\d+\.\d\d s  \S", proc.stderr, re.M), proc.stderr  # stage timings
    assert (output, errors, warnings) == (str(project / "output"), "0", "0")

    (project / "content" / "case-studies" / "cork-festival.md").unlink()
    proc = run(*build_args(project, "-v"))
    pages2, files2, rendered2, written2, removed2, *_ = SUMMARY.match(proc.stdout.strip()).groups()
    gone = [line.split(None, 1)[1] for line in proc.stderr.splitlines() if line.startswith("removed ")]
    assert "case-studies/cork-festival/index.html" in gone and int(removed2) == len(gone)
    new = [rel for rel in (line.split(None, 1)[1] for line in proc.stderr.splitlines() if line.startswith("written "))
           if rel not in on_disk]  # the search index's files are named after their bytes
    assert int(files2) == int(files) - len(gone) + len(new) and int(pages2) < int(pages)
    assert int(written2) == sum(1 for line in proc.stderr.splitlines() if line.startswith("written "))


def test_quiet_prints_nothing_on_success_but_errors_still_print(project):
    proc = run(*build_args(project, "-q"))
    assert proc.returncode == 0 and (proc.stdout, proc.stderr) == ("", "")
    assert (project / "output" / "index.html").is_file()
    assert run(ROOT / "build.py", "-q", "check", "--content", project / "content").stdout == ""  # hints only

    broken(project)
    proc = run(*build_args(project, "-q"))
    assert proc.returncode == 1 and proc.stdout == ""
    assert "typo.md:4" in proc.stderr and ": error: unknown country 'Irland'" in proc.stderr
    assert "Build failed: 1 error, 0 warnings." in proc.stderr
    proc = run(ROOT / "build.py", "check", "-q", "--content", project / "content")
    assert proc.returncode == 1 and "error: unknown country 'Irland'" in proc.stdout
    assert re.match(r"Checked 4 files: 1 error, \d+ warnings?, \d+ hints? ", proc.stdout.rstrip().splitlines()[-1])
    assert ": hint:" not in proc.stdout


def test_quiet_and_verbose_go_before_or_after_the_command_but_not_together(project):
    assert run("-m", "sitegen", "-q", *build_args(project)[1:]).stdout == ""
    proc = run("-m", "sitegen", "build", "-q", "-v")
    assert proc.returncode == 2 and "not allowed with argument" in proc.stderr
    proc = run("-m", "sitegen", "-q", "build", "-v")
    assert proc.returncode == 2 and "cannot be used together" in proc.stderr


def test_quiet_silences_the_other_commands_but_not_their_errors(project):
    args = ["-m", "sitegen", "new", "case-study", "--city", "Gdynia", "--country", "PL",
            "--theme", "literacy", "--content", project / "content"]
    proc = run(*args[:3], "-q", *args[3:])
    assert proc.returncode == 0 and (proc.stdout, proc.stderr) == ("", "")
    assert list((project / "content" / "case-studies").glob("gdynia*.md"))
    proc = run(*args[:3], "-q", *args[3:7], "Atlantis", *args[8:])
    assert proc.returncode == 1 and "Atlantis" in proc.stderr and proc.stdout == ""


# --------------------------------------------------------------------------- colour and progress

def test_piped_and_no_color_output_is_plain_text(project):
    broken(project)
    for env in ({}, {"NO_COLOR": "1"}):
        build = run(*build_args(project), **env)
        check = run(ROOT / "build.py", "check", "--content", CHECK_DATA / "warnings", **env)
        assert build.returncode == 1 and ": error: " in build.stderr
        assert ": warning: " in check.stdout and ": hint: " in check.stdout
        for text in (build.stdout, build.stderr, check.stdout, check.stderr):
            assert ESCAPE not in text


def test_a_terminal_gets_colour_and_progress_and_the_same_words(project):
    status, text = run_on_terminal(*build_args(project))
    assert status == 0, text
    assert (project / "output" / "index.html").is_file()
    assert CURSOR_HIDDEN in text and text.rfind(CURSOR_SHOWN) > text.find(CURSOR_HIDDEN)  # progress, then cleared
    assert colour_codes(text)
    summary = after_progress(text)[-1]
    assert SUMMARY.match(summary), summary
    assert re.search(r"\x1b\[[0-9;]*mBuilt\x1b\[0m ", text)

    status, text = run_on_terminal(ROOT / "build.py", "check", "--content", CHECK_DATA / "warnings")
    assert status == 0 and CURSOR_HIDDEN in text
    assert re.search(r"\x1b\[[0-9;]*mwarning\x1b\[0m: ", text) and re.search(r"\x1b\[[0-9;]*mhint\x1b\[0m: ", text)
    piped = run(ROOT / "build.py", "check", "--content", CHECK_DATA / "warnings").stdout.splitlines()
    shown = after_progress(text)
    assert [re.sub(r"\(\d+\.\d\d s\)", "", line) for line in shown] == \
           [re.sub(r"\(\d+\.\d\d s\)", "", line) for line in piped]


def test_a_terminal_with_no_color_gets_progress_without_colour(project):
    broken(project)
    status, text = run_on_terminal(*build_args(project), NO_COLOR="yes")
    assert status == 1 and CURSOR_HIDDEN in text
    assert colour_codes(text) == []
    assert "Build failed: 1 error, 0 warnings." in after_progress(text)[-1]


def test_quiet_on_a_terminal_draws_no_progress(project):
    status, text = run_on_terminal(*build_args(project, "--quiet"))
    assert status == 0 and text == ""


def test_rich_is_not_imported_when_nothing_goes_to_a_terminal(project):
    code = ("import sys; from sitegen.commands.cli import main; status = main(sys.argv[1:]); "
            "print('rich imported' if any(m == 'rich' or m.startswith('rich.') for m in sys.modules) "
            "else 'no rich', file=sys.stderr); sys.exit(status)")
    for command in (["build", *map(str, build_args(project, "-v")[1:])],
                    ["check", "--content", str(CHECK_DATA / "warnings")]):
        proc = run("-c", code, *command, cwd=project)
        assert proc.returncode == 0 and proc.stderr.rstrip().endswith("no rich"), proc.stderr


def test_terminal_progress_draws_on_the_terminal_without_starting_a_thread():
    main, other = os.openpty()
    with os.fdopen(other, "w", encoding="utf-8") as stream:
        progress = console_module.TerminalProgress(stream, refresh_every=0.0)
        threads = threading.active_count()
        progress.stage("Loading files", 3)
        progress.advance()
        progress.advance(2)
        progress.stage("Rendering pages", 2)
        assert threading.active_count() == threads  # sitegen forks: no thread may run meanwhile
        progress.advance(2)
        progress.finish()
        progress.finish()
        stream.flush()
        drawn = b""
        while select.select([main], [], [], 0.2)[0]:
            drawn += os.read(main, 65536)
    os.close(main)
    text = drawn.decode()
    assert "Loading files" in text and "3/3" in text and "Rendering pages" in text and "2/2" in text
    assert text.rfind(CURSOR_SHOWN) > text.rfind(CURSOR_HIDDEN)
    assert [name for name, _ in progress.times] == ["Loading files", "Rendering pages"]


def test_progress_is_drawn_only_for_a_terminal_and_timed_only_when_verbose():
    main, other = os.openpty()
    with os.fdopen(other, "w") as tty, open(os.devnull, "w") as pipe:
        env = {}
        assert type(console_module.Console.open(out=pipe, err=pipe, environ=env).progress()) is console_module.NullProgress
        assert type(console_module.Console.open(verbose=True, out=pipe, err=pipe, environ=env).progress()) \
            is console_module.StageTimes
        assert type(console_module.Console.open(out=pipe, err=tty, environ=env).progress()) \
            is console_module.TerminalProgress
        assert type(console_module.Console.open(quiet=True, out=pipe, err=tty, environ=env).progress()) \
            is console_module.NullProgress
        assert not console_module.Console.open(out=tty, err=tty, environ={"NO_COLOR": "1"}).colour_out
        assert console_module.Console.open(out=tty, err=tty, environ={"NO_COLOR": ""}).colour_out
        assert not console_module.Console.open(out=tty, err=tty, environ={"TERM": "dumb"}).live
    os.close(main)


# --------------------------------------------------------------------------- --jobs

@pytest.mark.parametrize("value, message", [("-1", "-1 processes is out of range"), ("x", "'x' is not a number"),
                                            ("1.5", "'1.5' is not a number"), ("100000", "100000 processes is out of range")])
def test_jobs_rejects_nonsense(project, value, message):
    proc = run(*build_args(project, "--jobs", value))
    assert proc.returncode == 2 and proc.stdout == ""
    assert f"argument --jobs: {message}" in proc.stderr and "0 for one per core" in proc.stderr
    assert not (project / "output").exists()


def test_jobs_zero_means_one_per_core(project):
    proc = run(*build_args(project, "--jobs", "0"))
    assert proc.returncode == 0, proc.stderr


# --------------------------------------------------------------------------- benchmarks/corpus.py

def test_corpus_refuses_a_folder_it_did_not_write_and_keeps_its_files(tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("precious")
    proc = run(CORPUS, "--count", "3", "--out", foreign)
    assert proc.returncode == 2 and "did not write" in proc.stderr and str(foreign) in proc.stderr
    assert [p.name for p in foreign.iterdir()] == ["notes.txt"] and (foreign / "notes.txt").read_text() == "precious"
    file = tmp_path / "file"
    file.write_text("x")
    assert run(CORPUS, "--out", file).returncode == 2 and file.read_text() == "x"


def test_corpus_writes_a_new_or_empty_folder_and_replaces_its_own(tmp_path):
    out = tmp_path / "corpus"
    assert run(CORPUS, "--count", "3", "--out", out).returncode == 0
    assert len(list((out / "case-studies").glob("*.md"))) == 3 and (out / ".sitegen-corpus").is_file()
    proc = run(CORPUS, "--count", "2", "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (out / "case-studies").iterdir()) == ["study-00000.md", "study-00001.md"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run(CORPUS, "--count", "1", "--out", empty).returncode == 0 and (empty / "site.yaml").is_file()


def test_corpus_help_describes_every_option_with_its_default():
    text = " ".join(run(CORPUS, "--help").stdout.split())
    for option, default in (("--count N", "(default: 1000)"), ("--out DIR", "(default: benchmarks/corpus)"),
                            ("--seed SEED", "(default: 7)")):
        described = text.split(option, 2)[-1]  # after the usage line, the option's own entry
        assert default in described.split(" --")[0], option
