"""Reviewing a contribution: `sitegen check --format github` and the pull-request workflow.

The annotations are parsed as GitHub's runner parses a workflow command
(`::command key=value,key=value::data`, `%25 %0D %0A` escaped in the data,
also `%3A %2C` in property values) and compared with the JSON output of the
same check: every problem, at its file, line and column, with nothing else.
Author text that holds control characters or bidi overrides (a heading, a
link, a file name) reaches no output form raw: that rule is checked on real
files through the CLI and, for any text at all, with hypothesis.
The workflow is read as YAML and held to the rules that make it safe for
pull requests from forks.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import asdict

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, SiteFolder, run_cli
from sitegen.commands.console import problem_spans
from sitegen.model.diagnostics import ERROR, HINT, WARNING, Diagnostic, Report, json_text

WORKFLOW = ROOT / ".github" / "workflows" / "pull-request.yml"
COMMAND = {ERROR: "error", WARNING: "warning", HINT: "notice"}

# `::command props::data`; no property value may hold a raw `,` or `:` (so the first `::` ends them),
# and every `%` must start one of the escapes GitHub reads.
ANNOTATION = re.compile(r"::(?P<command>error|warning|notice) (?P<props>[^:]*)::(?P<data>.*)")
PROPERTY = re.compile(r"(?P<key>file|line|col|title)=(?P<value>[^,:]*)")
DATA_PERCENT = re.compile(r"%(?!25|0D|0A)")
PROPERTY_PERCENT = re.compile(r"%(?!25|0D|0A|3A|2C)")

# Beside the C0/C1 controls (category Cc) and lone surrogates (Cs): the bidi embeddings,
# overrides and isolates, and the line and paragraph separators.
FORMAT_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029")
ESCAPE_SEQUENCE = re.compile(r"[\x1b\x9b]")
SOURCES = "\n  - title: The report\n    url: https://example.org/report"
ODD_NAMES = pytest.mark.skipif(os.name == "nt", reason="file names with ':' and newlines")


def unescape_data(text: str) -> str:
    """As the runner does (ActionCommand.UnescapeValue): `%25` last."""
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(text: str) -> str:
    return (text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",")
            .replace("%25", "%"))


def parse_annotation(line: str) -> dict:
    """One annotation line, checked against GitHub's syntax, as {command, file, line, col, title, message}."""
    m = ANNOTATION.fullmatch(line)
    assert m, f"not a workflow command: {line!r}"
    props = {}
    for part in m["props"].split(","):
        p = PROPERTY.fullmatch(part)
        assert p, f"bad property {part!r} in {line!r}"
        assert p["key"] not in props, f"property {p['key']} twice in {line!r}"
        assert not PROPERTY_PERCENT.search(p["value"]), f"unescaped % in {part!r}"
        props[p["key"]] = unescape_property(p["value"])
    assert list(props)[0] == "file" and list(props)[-1] == "title", line  # the order sitegen writes
    assert not DATA_PERCENT.search(m["data"]), f"unescaped % in the message of {line!r}"
    if "col" in props:
        assert "line" in props, f"a column without a line: {line!r}"
    for key in ("line", "col"):
        if key in props:
            assert re.fullmatch(r"[1-9]\d*", props[key]), line
    return {"command": m["command"], "file": props["file"], "line": int(props["line"]) if "line" in props else None,
            "col": int(props["col"]) if "col" in props else None, "title": props["title"],
            "message": unescape_data(m["data"])}


def unsafe(c: str) -> bool:
    """A C0 or C1 control character, DEL, a bidi override or isolate, a line separator, a lone surrogate."""
    return unicodedata.category(c) in ("Cc", "Cs") or c in FORMAT_CONTROLS


def has_unsafe(text: str) -> bool:
    return any(map(unsafe, text))


def shown(text: str, keep: str = "") -> str:
    """`text` as the author sees it echoed: unsafe characters as \\t \\n \\r, \\xNN or \\uNNNN."""
    short = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
    return "".join(c if c in keep or not unsafe(c) else short.get(c) or
                   (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}") for c in text)


def check(content, *args: str):
    proc = run_cli("check", "--content", content, *args, cwd=content.parent)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def annotations(proc) -> list[dict]:
    lines = proc.stdout.splitlines()
    assert lines and lines[-1].startswith("Checked "), proc.stdout  # the plain summary line
    return [parse_annotation(line) for line in lines[:-1]]


def expected_from_json(content, *args: str) -> list[dict]:
    """The same check as JSON, in the form an annotation is read back as (controls made visible,
    but GitHub's own %0D and %0A give back CR and LF)."""
    problems = json.loads(check(content, "--format", "json", *args).stdout)["problems"]
    return [{"command": COMMAND[p["severity"]], "file": shown(p["path"], "\r\n"), "line": p["line"],
             "col": p["column"], "title": "sitegen check",
             "message": shown(p["message"] + (f" Fix: {p['fix']}" if p["fix"] else ""), "\r\n")}
            for p in problems]


# ---------------------------------------------------------------- the annotations, on real files

@pytest.fixture
def broken(tmp_path) -> SiteFolder:
    """Errors, one without a line, in files and texts that need escaping."""
    folder = SiteFolder(tmp_path / "content")
    folder.study("kashan-health-tv", sources=SOURCES,
                 body="Intro.\n\n## Evil \x1b]0;pwned\x07 head\u202e\n\n[x](gone\x1b[2J.md) and [y](100%.md)\n\n"
                      "# Second\x08\x08 title\u202e\n")
    folder.study("a,b:c%d", country="Irlnd", sources=SOURCES)
    folder.write("case-studies/widget.html", "<p>A widget</p>\n")  # an error without a line
    return folder


def test_every_problem_is_one_annotation_at_its_file_line_and_column(broken):
    proc = check(broken.root, "--format", "github")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    found = annotations(proc)
    expected = expected_from_json(broken.root)
    assert len(expected) == 5, expected
    assert found == expected  # %, ',' and ':' come back exactly; visible escapes stand for the controls


def test_annotation_lines_are_exactly_as_github_reads_them(broken):
    lines = check(broken.root, "--format", "github").stdout.splitlines()
    where = "content/case-studies/"
    fix = " Fix: Check the file name; links are relative to this file, e.g. other-city.md."
    for line in (
        # `,` `:` and `%` in the file property are escaped; in the message, ':' and ',' stay
        f"::error file={where}a%2Cb%3Ac%25d.md,line=4,col=10,title=sitegen check::"
        "unknown country 'Irlnd' Fix: Did you mean 'Ireland' (IE)?",
        # a % in the message; a raw ESC becomes the visible text \x1b
        f"::error file={where}kashan-health-tv.md,line=16,col=5,title=sitegen check::"
        f"link to 'gone\\x1b[2J.md', but there is no such case study or page{fix}",
        f"::error file={where}kashan-health-tv.md,line=16,col=26,title=sitegen check::"
        f"link to '100%25.md', but there is no such case study or page{fix}",
        f"::error file={where}kashan-health-tv.md,line=18,col=1,title=sitegen check::"
        "heading 'Second\\x08\\x08 title\\u202e' is a second h1: the page title is already the h1 "
        "Fix: Start the sections of the text with ## (and sub-sections with ###).",
        # no line, so neither line nor col
        f"::error file={where}widget.html,title=sitegen check::files of type .html are not published: a browser "
        "would run a script in them on the site's own address Fix: Write the page as Markdown in pages/ (or link "
        "to the file where it is hosted elsewhere), and move it out of the content folder.",
    ):
        assert line in lines, "\n".join(lines)
    assert lines[-1].startswith("Checked 2 files: 5 errors, 0 warnings, 0 hints"), lines[-1]


@ODD_NAMES
def test_warnings_and_hints_newlines_in_file_names_and_the_exit_status(tmp_path):
    folder = SiteFolder(tmp_path / "content")
    title = '"Twice: 100%, really"'
    folder.study("kashan-health-tv", title=title, sources=SOURCES)
    folder.study("an\nodd,x:y%", title=title, sources=SOURCES, date="2999-01-01")
    proc = check(folder.root, "--format", "github")
    assert proc.returncode == 0, proc.stdout  # warnings fail only with --strict, as with the text format
    found = annotations(proc)
    assert found == expected_from_json(folder.root)
    lines = proc.stdout.splitlines()
    odd = "content/case-studies/an%0Aodd%2Cx%3Ay%25.md"
    assert f"::warning file={odd},line=6,col=7,title=sitegen check::date 2999-01-01 is in the future " \
           "Fix: Use the date of the initiative or of its main source; check the year." in lines
    # the other file's name, quoted in a message: newline as %0A, ',' and ':' as they are
    assert any(line.startswith("::warning file=content/case-studies/kashan-health-tv.md,line=2,col=8,") and
               "also used by content/case-studies/an%0Aodd,x:y%25.md" in line for line in lines), proc.stdout
    assert any(a["command"] == "notice" for a in found), proc.stdout  # hints are notices
    assert all("\r" not in line for line in lines)

    strict = check(folder.root, "--strict", "--format", "github")
    assert strict.returncode == 1
    assert annotations(strict) == found
    # --quiet as with the text format: no hints, and no count when the check passes
    quiet = check(folder.root, "--quiet", "--format", "github")
    assert [parse_annotation(line) for line in quiet.stdout.splitlines()] == \
        [a for a in found if a["command"] != "notice"]


def test_a_clean_folder_gives_only_notices_and_status_0(tmp_path):
    folder = SiteFolder(tmp_path / "content")
    folder.study("kashan-health-tv", sources=SOURCES)
    folder.study("other", title="Other", city="Cork", country="IE", sources=SOURCES)
    proc = check(folder.root, "--format", "github", "--strict")
    assert proc.returncode == 0, proc.stdout
    assert all(a["command"] == "notice" for a in annotations(proc))  # hints only


def test_no_output_form_echoes_control_characters_from_author_text(broken):
    for args in ((), ("--format", "github"), ("--format", "json")):
        proc = check(broken.root, *args)
        assert proc.returncode == 1
        text = proc.stdout + proc.stderr
        assert not ESCAPE_SEQUENCE.search(text), (args, text)
        assert not has_unsafe(text.replace("\n", "")), (args, text)
    problems = json.loads(check(broken.root, "--format", "json").stdout)["problems"]
    # JSON keeps the raw text: a tool reading it gets the author's characters back
    assert any("gone\x1b[2J.md" in p["message"] for p in problems)
    assert any("\u202e" in p["message"] and "\x08" in p["message"] for p in problems)
    text = check(broken.root).stdout
    assert "link to 'gone\\x1b[2J.md'" in text


# ---------------------------------------------------------------- any text at all

# Characters that trouble terminals, logs or GitHub's syntax, drawn often; then any control; then any text.
# (A list joined, not st.text: st.text draws the rarer characters of its alphabet too seldom.)
TROUBLE = "\x1b\x07\x08\r\n\t\x00\x7f\x85\x9b\u2028\u2029\u202a\u202e\u2066\u2069\udcff%,:="
any_text = st.lists(st.sampled_from(TROUBLE) | st.characters(max_codepoint=0x9f) | st.characters(codec="utf-8"),
                    max_size=40).map("".join)
diagnostics = st.builds(Diagnostic, path=any_text, line=st.none() | st.integers(1, 10**6),
                        column=st.none() | st.integers(1, 10**4), severity=st.sampled_from([ERROR, WARNING, HINT]),
                        message=any_text, fix=any_text)
FUZZ = settings(max_examples=400, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.lists(diagnostics, min_size=1, max_size=5))
def test_formatted_output_never_holds_a_control_character_but_its_line_breaks(items):
    report = Report(list(items))
    ordered = report.sorted()
    for text in (report.as_text(), report.as_github()):
        lines = text.split("\n")
        assert len(lines) == len(ordered)  # one line per problem: newlines only between them
        for line in lines:
            assert not has_unsafe(line), repr(line)
    for d in ordered:
        parsed = parse_annotation(d.github())
        assert parsed["command"] == COMMAND[d.severity]
        assert (parsed["line"], parsed["col"]) == (d.line, d.column if d.line else None)
        # read back as GitHub does: CR and LF were %0D and %0A (GitHub shows a line break), '%' ',' ':' exact,
        # other controls visible escapes
        assert parsed["file"] == shown(d.path, keep="\r\n")
        assert parsed["message"] == shown(d.message + (f" Fix: {d.fix}" if d.fix else ""), keep="\r\n")
        text, spans = problem_spans(d)  # the coloured form lays styles over the same plain line
        where = ":".join([shown(d.path)] + [str(n) for n in (d.line, d.line and d.column) if n])
        assert text == f"{where}: {d.severity}: {shown(d.message)}" + (f" Fix: {shown(d.fix)}" if d.fix else "")
        assert all(0 <= start <= end <= len(text) for start, end, _ in spans)
        if d.fix:
            (start,) = [s for s, _, style in spans if style == "green"]
            assert text[start:] == f"Fix: {shown(d.fix)}"


@FUZZ
@given(st.lists(diagnostics, max_size=4))
def test_json_keeps_the_raw_text_but_writes_no_raw_control_character(items):
    report = Report(list(items))
    text = report.as_json()
    assert not has_unsafe(text.replace("\n", ""))
    assert json.loads(text) == [asdict(d) for d in report.sorted()]
    assert json.loads(json_text({"x": [d.message for d in items]})) == {"x": [d.message for d in items]}


# ---------------------------------------------------------------- the pull-request workflow

@pytest.fixture(scope="module")
def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    if True in data:  # `on:` read as a YAML 1.1 boolean
        data["on"] = data.pop(True)
    return data


def all_steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_the_workflow_runs_only_on_pull_request_with_read_only_permissions(workflow):
    triggers = workflow["on"]
    assert triggers == "pull_request" or list(triggers) == ["pull_request"], triggers
    assert "pull_request_target" not in WORKFLOW.read_text(encoding="utf-8")
    assert workflow["permissions"] == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        assert job.get("permissions", {"contents": "read"}) == {"contents": "read"}, name
        assert job.get("runs-on") and job.get("timeout-minutes"), name


def test_the_workflow_uses_no_secret_and_keeps_no_credentials(workflow):
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "secrets." not in text and "secrets[" not in text
    assert "GITHUB_TOKEN" not in text and "github.token" not in text
    checkouts = [s for s in all_steps(workflow) if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts, "no checkout step"
    for step in checkouts:
        assert step["with"]["persist-credentials"] is False
    for step in all_steps(workflow):  # no pull-request text (title, branch name) spliced into a shell command
        assert "${{" not in step.get("run", ""), step


def test_the_workflow_pins_released_actions(workflow):
    for step in all_steps(workflow):
        if "uses" in step:
            action, _, ref = step["uses"].partition("@")
            assert action.startswith("actions/"), step["uses"]
            assert re.fullmatch(r"v\d+(\.\d+){0,2}|[0-9a-f]{40}", ref), f"{step['uses']} is not pinned to a release"


def test_the_workflow_installs_checks_strictly_then_builds_and_uploads_a_preview(workflow):
    (job,) = workflow["jobs"].values()
    steps = job["steps"]
    runs = [s.get("run", "").strip() for s in steps]
    uses = [s.get("uses", "").split("@")[0] for s in steps]

    def index(predicate) -> int:
        return next(i for i, s in enumerate(steps) if predicate(s))

    python = steps[uses.index("actions/setup-python")]
    assert str(python["with"]["python-version"]) == "3.11"
    install = runs.index("python -m pip install -e . -c constraints.txt")
    check_step = index(lambda s: "check" in s.get("run", ""))
    assert re.fullmatch(r"(python build\.py|sitegen) check --strict --format github", runs[check_step])
    assert "if" not in steps[check_step]  # the check always decides the run's status
    build_step = index(lambda s: re.match(r"python build\.py( |$)(?!check)", s.get("run", "")))
    output = re.search(r"--output (\S+)", runs[build_step]).group(1)
    upload = uses.index("actions/upload-artifact")
    assert steps[upload]["with"]["path"].strip("./") == output
    assert uses.index("actions/checkout") < uses.index("actions/setup-python") < install < check_step \
        < build_step < upload
