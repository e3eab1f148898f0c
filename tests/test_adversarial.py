"""Bodies no author writes, from strangers: a located error or a built page, never a hang or a traceback.

Every body of benchmarks/adversarial.py (10,000 brackets, emphasis nested
2,000 deep, 100,000 broken links, headings inside quotes, huge tables...) is
checked and built with the real CLI, the refused ones in one content folder
and the accepted ones in another. The subprocess timeout is a hang guard, not
a speed assertion: the benchmark prints the seconds. A property test nests
brackets, links, emphasis, quotes, lists and HTML tags at random, below and
above sitegen's nesting limit, and requires a conversion or a located error.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import ROOT, SiteFolder, case_study, image_bytes, run_cli
from sitegen.build import pipeline
from sitegen.commands import check
from sitegen.markup import convert
from sitegen.model import urls
from sitegen.model.diagnostics import ERROR, display_path
from sitegen.model.records import Text

sys.path.insert(0, str(ROOT / "benchmarks"))
import adversarial  # noqa: E402

HANG_GUARD = 180  # seconds for one command over a whole folder of adversarial bodies
REFUSED = [c for c in adversarial.CASES if c.refused]
ACCEPTED = [c for c in adversarial.CASES if not c.refused]
FRONT_MATTER_LINES = 12  # adversarial.case_study: the body starts on line 13 (12 without a summary)


def no_traceback(proc) -> None:
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr[-3000:]


def body_lines(case) -> range:
    """The lines of the file that hold the body."""
    first = FRONT_MATTER_LINES + 1 - (not case.summary)
    return range(first, first + case.make().count("\n") + 1)


def problems_by_file(stdout: str) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for p in json.loads(stdout)["problems"]:
        found.setdefault(Path(p["path"]).name, []).append(p)
    return found


def check_and_build(tmp_path_factory, name: str, cases) -> tuple:
    """(check printing JSON, build, work folder) for a content folder of `cases`, each a fresh process."""
    work = tmp_path_factory.mktemp(name)
    content = adversarial.write_site(work / "content", cases)
    checked = run_cli("check", "--content", content, "--format", "json", cwd=work, timeout=HANG_GUARD)
    built = run_cli("build", "--content", content, "--output", work / "output", "--no-cache", cwd=work,
                    timeout=HANG_GUARD)
    return checked, built, work


@pytest.fixture(scope="module")
def refused(tmp_path_factory):
    """(check, build, work folder) for a folder of every body sitegen refuses."""
    return check_and_build(tmp_path_factory, "refused", REFUSED)


@pytest.fixture(scope="module")
def accepted(tmp_path_factory):
    """(check, build, output folder) for a folder of every adversarial body sitegen converts."""
    checked, built, work = check_and_build(tmp_path_factory, "accepted", ACCEPTED)
    return checked, built, work / "output"


def test_the_bodies_include_those_authors_reported():
    names = {c.name for c in adversarial.CASES}
    assert {"headings-in-quotes", "broken-links-100k", "broken-links-10k", "brackets-10k", "emphasis-2000-no-summary"} <= names
    assert {c.category for c in adversarial.CASES} >= {"links", "emphasis", "quotes", "lists", "html", "long lines",
                                                       "headings", "tables"}


def test_check_refuses_each_body_beyond_the_limits_at_its_line(refused):
    checked, _, _ = refused
    no_traceback(checked)
    assert checked.returncode == 1
    found = problems_by_file(checked.stdout)
    for case in REFUSED:
        errors = [p for p in found.get(f"{case.name}.md", ()) if p["severity"] == ERROR]
        limits = [p for p in errors if "sitegen stops at" in p["message"]]
        assert limits, (case.name, errors)
        for p in limits:
            assert p["line"] in body_lines(case) and p["column"] >= 1 and p["fix"], (case.name, p)
    assert "kashan.md" not in found  # the plain case study next to them is fine


def test_the_messages_say_how_deep_and_where_sitegen_stops(refused):
    found = problems_by_file(refused[0].stdout)
    messages = {name: [p["message"] for p in problems] for name, problems in found.items()}
    assert "this paragraph nests brackets [ ] 10,000 deep; sitegen stops at 50" in messages["brackets-10k.md"]
    assert "this paragraph nests emphasis (* and _) 2,000 deep; sitegen stops at 50" in \
        messages["emphasis-2000-no-summary.md"]
    assert any("footnote [^1] is referred to 10,001 times" in m for m in messages["one-footnote-10k-refs.md"])
    assert any("nested too deeply: 25,000 levels" in m for m in messages["quotes-one-line.md"])
    assert any("HTML tags with < that no > closes" in m for m in messages["tags-never-closed.md"])


def test_build_refuses_them_too_and_leaves_no_site(refused):
    _, built, work = refused
    no_traceback(built)
    assert built.returncode == 1
    for case in REFUSED:
        assert f"{case.name}.md:" in built.stderr + built.stdout, case.name
    assert not (work / "output").exists()


def test_build_converts_the_other_bodies_and_fails_only_on_their_broken_links(accepted):
    """The build converts every accepted body (none is refused at a limit); links to missing case
    studies are errors in a build as in check, so it stops, with only those errors."""
    checked, built, output = accepted
    no_traceback(built)
    assert built.returncode == 1 and not output.exists()
    errors = [line for line in built.stderr.splitlines() if ": error: " in line]
    assert errors and all("link" in line or "broken links" in line for line in errors), errors[:3]
    assert "sitegen stops at" not in built.stderr
    assert {line.split(":")[0].rsplit("/", 1)[-1] for line in errors} == {
        f"{c.name}.md" for c in ACCEPTED if "missing-" in c.make() or "(y.md)" in c.make()}


def test_check_reads_them_and_fails_only_on_their_broken_links(accepted):
    checked = accepted[0]
    no_traceback(checked)
    assert checked.returncode == 1
    errors = [p for p in json.loads(checked.stdout)["problems"] if p["severity"] == ERROR]
    assert errors and all("link" in p["message"] or "broken links" in p["message"] for p in errors), errors[:3]
    assert not any("sitegen stops at" in p["message"] for p in errors)


def test_ten_thousand_broken_links_are_twenty_problems_and_a_count(accepted):
    found = problems_by_file(accepted[0].stdout)["broken-links-10k.md"]
    listed = [p for p in found if p["message"].startswith("link to 'missing-")]
    assert [p["line"] for p in listed] == [13 + 2 * i for i in range(20)]
    (more,) = [p for p in found if p["message"].startswith("and ")]
    assert more["message"] == "and 9,980 more broken links from here on (only the first 20 are listed)"
    assert more["line"] == 13 + 2 * 20 and more["severity"] == ERROR
    assert len(found) == 21


def test_a_hundred_thousand_links_stop_at_the_first_past_the_limit(refused):
    (problem,) = problems_by_file(refused[0].stdout)["broken-links-100k.md"]
    assert problem["message"] == ("the text has 100,000 links and images; sitegen stops at 10,000 "
                                  "in one case study or page")
    assert problem["line"] == 13 + 2 * 10_000 and problem["column"] == len("[link 10000") + 1


def test_ten_thousand_kinds_of_removed_html_are_twenty_warnings_and_a_count(accepted):
    found = problems_by_file(accepted[0].stdout)["removed-tags-10k.md"]
    assert Counter(p["severity"] for p in found) == {"warning": 21}
    assert found[-1]["message"] == "and 9,980 more kinds of removed HTML from here on (only the first 20 are listed)"


def test_headings_inside_quotes_and_lists_are_located_at_their_lines(site):
    body = "Intro.\n\n> ## In a quote\n>\n> #### Skips a level\n\n- ###### In a list\n\nText.\n"
    site.study("kashan-health-tv", body=body)
    proc = run_cli("check", "--content", site.root, "--format", "json", cwd=site.root.parent, timeout=60)
    no_traceback(proc)
    skipped = [(p["line"], p["column"], p["message"].split(":")[0]) for p in json.loads(proc.stdout)["problems"]
               if "skips a level" in p["message"]]
    assert skipped == [(13, 3, "heading 'Skips a level' skips a level"),
                       (15, 3, "heading 'In a list' skips a level")]


def test_thousands_of_skipped_heading_levels_are_twenty_problems_and_a_count(site):
    site.study("kashan-health-tv", body="Intro.\n\n" + "#### Deep\n\n## Back\n\n" * 1000)
    proc = run_cli("check", "--content", site.root, "--format", "json", cwd=site.root.parent, timeout=60)
    found = [p for p in json.loads(proc.stdout)["problems"] if p["severity"] == ERROR]
    assert len(found) == 21 and all("skips a level" in p["message"] for p in found[:20])
    assert found[20]["message"] == ("and 980 more skipped heading levels from here on "
                                    "(only the first 20 are listed)")


def test_a_summary_is_never_a_traceback():
    for case in adversarial.CASES:
        if case.name != "broken-links-100k":
            assert isinstance(convert.summary_text(case.make()), str), case.name
    assert convert.summary_text(adversarial.emphasis(2000)) == ""  # the body's conversion reports it


@pytest.mark.parametrize("name", ["headings-in-quotes", "list-10k-items", "line-breaks", "emphasis-many-pairs-10k",
                                  "table-10k-rows", "div-blocks-40-deep", "fenced-blocks-4000"])
def test_the_speedups_convert_these_bodies_byte_for_byte_as_stock(name):
    """The speed-ups that keep these linear (a queue of blocks, triggers looked for from the search's
    start) change no byte of Python-Markdown's output."""
    from test_speedups import both
    (case,) = [c for c in adversarial.CASES if c.name == name]
    stock, skipping = both(case.make())
    assert skipping == stock


def test_many_paragraphs_convert_byte_for_byte_as_stock():
    from test_speedups import both
    body = "".join(f"Paragraph {i} with [a link](other-{i}.md) and *emphasis*.\n\n" for i in range(10_000))
    stock, skipping = both(body)
    assert skipping == stock and stock.count("<p>") == 10_000


def test_within_the_limits_everything_nests_and_converts_deep_in_the_stack():
    """At the limit of every kind at once, with the stack already 150 frames deep: HTML, no RecursionError."""
    links = "[" * 50 + "x" + "](y.md)" * 50
    body = ("".join("    " * i + "- x\n" for i in range(49)) + "    " * 49 + "- " + adversarial.emphasis(16).strip()
            + " " + links + "\n\n" + "> " * 50 + "quoted\n")
    converter = convert.Converter(urls.Urls("https://example.org/"), {}, frozenset(), audit=True)

    def nested(depth: int):
        return converter.convert(Text("case-studies/deep.md", body, 9)) if depth == 0 else nested(depth - 1)

    rendered = nested(150)
    assert not any(p.fatal for p in rendered.problems), rendered.problems[:3]
    assert rendered.html.count("<li>") == 50 and rendered.html.count("<blockquote>") == 50


# ---------------------------------------------------------------- random nestings

CONSTRUCTS = {  # name -> (opening, closing); repeated `depth` times around a word
    "brackets": ("[", "]"), "links": ("[", "](other.md)"), "images": ("![", "](photo.jpg)"),
    "footnotes": ("[^", "]"), "addresses": ("[a](", ")"), "stars": ("*a ", " a*"), "underscores": ("_a ", " a_"),
    "strong": ("**a ", " a**"), "mixed emphasis": ("*_**", "**_*"), "quotes": ("> ", ""), "lists": ("- ", ""),
    "numbered lists": ("1. ", ""), "indented lists": ("\n    - ", ""), "quoted lists": ("> - ", ""),
    "tags": ("<span>", "</span>"), "tags left open": ("<b ", ""), "code": ("`", "`"), "parentheses": ("(", ")"),
}


@st.composite
def nestings(draw):
    """Constructs nested up to 120 deep (sitegen stops at 50), closed or not, one after another or inside each other."""
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        opening, closing = CONSTRUCTS[draw(st.sampled_from(sorted(CONSTRUCTS)))]
        depth = draw(st.integers(0, 120))
        closed = draw(st.booleans())
        inner = draw(st.sampled_from(["x", "word", "[x](y.md)", "*e*", "\n\n"] + parts[-1:]))
        parts.append(opening * depth + inner + (closing * depth if closed else ""))
    return draw(st.sampled_from(["\n\n", " ", "\n"])).join(parts)


class Folder(SiteFolder):
    """A content folder whose one case study, without a summary, each example rewrites."""

    def __init__(self, root: Path):
        super().__init__(root)
        self.path = root / "case-studies" / "nested.md"
        for linked in ("y", "other"):  # what the constructs link to (a broken link is an error)
            self.study(linked, title=f"Linked {linked}")
        self.write("case-studies/photo.jpg", image_bytes("JPEG"))

    def rewrite(self, body: str) -> int:
        """Write the case study anew; the line its body starts on."""
        text = case_study(body=body, sources="[]")
        self.path.unlink(missing_ok=True)
        self.path.write_text(text, encoding="utf-8")
        return text[:len(text) - len(body)].count("\n") + 1


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Folder:
    return Folder(tmp_path_factory.mktemp("nestings") / "content")


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(body=nestings())
def test_random_nestings_build_or_stop_at_a_located_error(folder, body):
    """check never raises; it either finds nothing beyond the limits and the site builds, or the build
    stops too, and every problem of the file is located inside its body."""
    first = folder.rewrite(body)
    last = first + body.count("\n")
    result = check.check(folder.root, ROOT / "templates")
    mine = [d for d in result.report.items if d.path == display_path(folder.path)]
    limits = [d for d in mine if "sitegen stops at" in d.message]
    for d in mine:
        if d.severity == ERROR:
            assert first <= d.line <= last, d.format()
    output = folder.root.parent / "output"
    shutil.rmtree(output, ignore_errors=True)
    built = pipeline.build(pipeline.BuildOptions(content=folder.root, output=output, templates=ROOT / "templates",
                                                 cache_dir=None, jobs=1))
    errors = {(d.path, d.line, d.message) for d in result.report.items if d.severity == ERROR}
    if limits:
        event("refused at a located error")
        assert not built.ok and any("sitegen stops at" in d.message for d in built.report.items)
    elif errors:  # e.g. `[a](x)`: a link to no file, an error in check and build alike
        event("refused for another located error")
        assert not built.ok
        assert {(d.path, d.line, d.message) for d in built.report.items if d.severity == ERROR} == errors
    else:
        event("built")
        assert built.ok, built.report.as_text()
        assert (output / "case-studies" / "nested" / "index.html").is_file()
