#!/usr/bin/env python3
"""Adversarial case studies: `python benchmarks/adversarial.py [--only TEXT] [--timeout S] [--repo DIR]`.

Case studies come from strangers, so a body may nest or repeat a construct
far beyond anything an author writes: 10,000 brackets `[[[[...`, emphasis
nested 2,000 deep, 100,000 broken links, headings inside quotes, huge
tables. For each body in CASES this writes a content folder holding that one
case study, runs `sitegen check` and `sitegen build` on it as subprocesses
(the way an author would) and prints the seconds each took, its exit status
and what it said: `refused` (a located error, exit status 1), `builds`, or
what went wrong (a traceback, a timeout). Every one should take 2 s or less.

`--repo DIR` runs DIR/build.py instead of this checkout's, to compare with
another version of sitegen. Prints figures; asserts nothing.
tests/test_adversarial.py runs the same bodies and checks the outcomes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZE = 50_000  # characters: about the size of the bodies reported

SITE_YAML = """\
title: Adversarial showcase
description: Bodies no author would write.
base_url: https://example.org/
language: en
themes:
  - name: Health and well-being
    id: health-wellbeing
"""


@dataclass(frozen=True)
class Case:
    """One adversarial body and what sitegen does with it now."""

    name: str  # also the file name
    category: str
    make: Callable[[], str]  # the body (made when needed: some are megabytes)
    refused: bool  # a located error (check and build exit 1); otherwise it builds
    summary: bool = True  # False: no `summary:`, so the card's excerpt is made from the first paragraph


def repeat(unit: str, size: int = SIZE) -> str:
    return unit * max(1, size // len(unit))


def nested(opening: str, closing: str, middle: str = "x", size: int = SIZE) -> str:
    count = size // (len(opening) + len(closing))
    return opening * count + middle + closing * count


def emphasis(depth: int) -> str:
    """`*a _a **a ... x ... a** a_ a*`: emphasis nested `depth` deep, the three marks in turn."""
    marks = ["*", "_", "**"]
    return ("Intro " + "".join(marks[i % 3] + "a " for i in range(depth)) + "x"
            + "".join(" a" + marks[i % 3] for i in reversed(range(depth))) + " end.\n")


def lines(template: str, count: int) -> str:
    return "".join(template.format(i=i) for i in range(count))


CASES: tuple[Case, ...] = (
    # -- reported by authors
    Case("headings-in-quotes", "headings", lambda: lines("> ## Heading {i}\n>\n", 2700), refused=False),
    Case("broken-links-100k", "links", lambda: lines("[link {i}](missing-{i}.md)\n\n", 100_000), refused=True),
    Case("broken-links-10k", "links", lambda: lines("[link {i}](missing-{i}.md)\n\n", 10_000), refused=False),
    Case("brackets-10k", "links", lambda: "[" * 10_000, refused=True),
    Case("emphasis-2000-no-summary", "emphasis", lambda: emphasis(2000), refused=True, summary=False),
    # -- links and brackets
    Case("broken-links-one-paragraph", "links", lambda: lines("[link {i}](missing-{i}.md)\n", 100_000), refused=True),
    Case("brackets-closed", "links", lambda: nested("[", "]"), refused=True),
    Case("links-nested", "links", lambda: nested("[", "](y.md)"), refused=True),
    Case("link-addresses-open", "links", lambda: repeat("[x]("), refused=True),
    Case("references-open", "links", lambda: repeat("[x]["), refused=True),
    Case("images-nested", "links", lambda: nested("![", "](y.png)"), refused=True),
    Case("footnote-refs-open", "links", lambda: repeat("[^"), refused=True),
    Case("one-footnote-10k-refs", "links", lambda: "[^1]" * 10_000 + "\n\n[^1]: A note.\n", refused=True),
    Case("links-50-deep", "links", lambda: nested("[", "](y.md)", size=50 * 7), refused=False),
    Case("links-5000", "links", lambda: repeat("See [a page](kashan.md) and ", 150_000), refused=False),
    # -- emphasis
    Case("emphasis-2000", "emphasis", lambda: emphasis(2000), refused=True),
    Case("emphasis-50-no-summary", "emphasis", lambda: emphasis(16), refused=False, summary=False),
    Case("emphasis-open-never-closed", "emphasis", lambda: repeat("*a "), refused=True),
    Case("strong-closed-by-em", "emphasis", lambda: repeat("**a ") + repeat("b* "), refused=True),
    Case("emphasis-tight-runs", "emphasis", lambda: nested("*_**", "**_*"), refused=True),
    Case("emphasis-many-pairs", "emphasis", lambda: repeat("*a* **b** _c_ "), refused=True),
    Case("emphasis-many-pairs-10k", "emphasis", lambda: repeat("*a* **b** _c_ ", 10_000), refused=False),
    # -- quotes and lists
    Case("quotes-one-line", "quotes", lambda: repeat("> "), refused=True),
    Case("quotes-deeper-each-line", "quotes", lambda: "".join("> " * i + "x\n" for i in range(1, 300)), refused=True),
    Case("quotes-40-deep", "quotes", lambda: "> " * 40 + "x\n", refused=False),
    Case("lists-indented", "lists", lambda: "".join("    " * i + "- x\n" for i in range(300)), refused=True),
    Case("lists-one-line", "lists", lambda: repeat("1. "), refused=True),
    Case("lists-and-quotes", "lists", lambda: repeat("- > "), refused=True),
    Case("list-10k-items", "lists", lambda: lines("- item {i}\n", 10_000), refused=False),
    Case("rule-of-dashes", "lists", lambda: repeat("- "), refused=False),
    # -- HTML
    Case("tags-never-closed", "html", lambda: "x " + repeat("<a "), refused=True),
    Case("less-than-letters", "html", lambda: repeat("a<b "), refused=True),
    Case("cdata-open", "html", lambda: "x " + repeat("<![CDATA["), refused=True),
    Case("autolinks-open", "html", lambda: "x " + repeat("<http://"), refused=True),
    Case("inline-tags-nested", "html", lambda: "x " + nested("<span>", "</span>"), refused=True),
    Case("inline-tags-40-deep", "html", lambda: repeat("x " + "<span>" * 40 + "y" + "</span>" * 40 + "\n\n"),
         refused=False),
    Case("bold-tags-unclosed", "html", lambda: "x " + repeat("<b>"), refused=True),
    Case("bold-tags-unclosed-10k", "html", lambda: "x " + repeat("<b>", 10_000), refused=True),
    Case("bold-tags-balanced", "html", lambda: repeat("x <b>bold</b> and <i>it</i> "), refused=False),
    Case("misnested-tags", "html", lambda: "x " + repeat("<b><i>a</b></i>"), refused=False),
    Case("div-blocks-nested", "html", lambda: repeat("<div>\n", SIZE // 2) + repeat("</div>\n", SIZE // 2),
         refused=True),
    Case("div-blocks-40-deep", "html", lambda: repeat("<div>\n" * 40 + "x\n" + "</div>\n" * 40 + "\n"),
         refused=False),
    Case("comments-left-open", "html", lambda: repeat("x <!-- a\n\n"), refused=False),
    Case("quoted-greater-than", "html", lambda: repeat('<a b="x>" '), refused=True),
    Case("removed-tags-10k", "html", lambda: lines("<x-{i}>t</x-{i}>\n\n", 10_000), refused=False),
    # -- code
    Case("backtick-runs-growing", "code", lambda: "".join("`" * i + "a" for i in range(1, 300)), refused=True),
    Case("backtick-runs-growing-10k", "code", lambda: "".join("`" * i + "a" for i in range(1, 140)), refused=False),
    Case("escapes", "long lines", lambda: repeat("\\* "), refused=True),
    Case("fences-never-closed", "code", lambda: "".join("`" * i + "\n" for i in range(3, 320)), refused=True),
    Case("fenced-blocks-4000", "code", lambda: repeat("```\nx\n```\n\n"), refused=False),
    Case("fenced-blocks-40k", "code", lambda: repeat("```\nx\n```\n\n", 500_000), refused=True),
    # -- long lines and many headings
    Case("long-line-words", "long lines", lambda: repeat("word ", 1_000_000), refused=False),
    Case("long-line-one-word", "long lines", lambda: "a" * 1_000_000, refused=False),
    Case("line-breaks", "long lines", lambda: repeat("a  \n"), refused=False),
    Case("headings-10k", "headings", lambda: lines("## Heading {i}\n\n", 10_000), refused=False),
    Case("headings-10k-same", "headings", lambda: repeat("## Same\n\n"), refused=False),
    Case("setext-without-blank-lines", "headings", lambda: repeat("x\n=\n"), refused=True),
    Case("headings-without-blank-lines", "headings", lambda: lines("## H{i}\ntext\n", 5_000), refused=True),
    # -- tables
    Case("table-10k-rows", "tables", lambda: "a|b\n-|-\n" + lines("{i}|[x](y.md)\n", 10_000), refused=False),
    Case("table-2000-columns", "tables", lambda: "|" + "a|" * 2000 + "\n|" + "-|" * 2000 + "\n"
         + ("|" + "1|" * 2000 + "\n") * 10, refused=False),
    Case("table-cell-pipes", "tables", lambda: "a|b\n-|-\n" + repeat("|"), refused=False),
)


def case_study(case: Case) -> str:
    summary = "summary: A body no author would write.\n" if case.summary else ""
    return ("---\ntitle: " + case.name + "\ncity: Kashan\ncountry: IR\nthemes: [health-wellbeing]\n"
            "date: 2021-08-17\n" + summary + "sources:\n  - title: A source\n    url: https://example.org/\n"
            "---\n\n" + case.make())


def write_site(root: Path, cases) -> Path:
    """A content folder with one case study per case (named after it); returns the folder."""
    (root / "case-studies").mkdir(parents=True)
    (root / "pages").mkdir()
    (root / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    (root / "case-studies" / "kashan.md").write_text(case_study(Case("kashan", "", lambda: "A plain one.\n", False)),
                                                     encoding="utf-8")
    for case in cases:
        (root / "case-studies" / f"{case.name}.md").write_text(case_study(case), encoding="utf-8")
    return root


@dataclass
class Run:
    seconds: float
    status: int | None  # None: killed after the timeout
    stdout: str
    stderr: str


def run(command: list[str], cwd: Path, timeout: float) -> Run:
    """Run `command`, killing its whole process group after `timeout` seconds."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
        status = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        status = None
    return Run(time.perf_counter() - started, status, out, err)


def outcome(runs: list[Run]) -> str:
    """What the runs say, in a word or two."""
    if any(r.status is None for r in runs):
        return "TIMEOUT"
    if any("Traceback" in r.stderr or "Traceback" in r.stdout for r in runs):
        return "TRACEBACK"
    check, build = runs
    if build.status == 0:
        return "builds"
    return "refused" if check.status == 1 and build.status == 1 else f"exit {check.status}/{build.status}"


def first_error(text: str) -> str:
    line = next((line for line in text.splitlines() if ": error: " in line), "")
    return line.split(": error: ", 1)[1][:90] if line else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="only the cases whose name or category contains this")
    parser.add_argument("--timeout", type=float, default=120, help="seconds before a run is killed (default 120)")
    parser.add_argument("--repo", type=Path, default=ROOT, help="the sitegen checkout to run (default: this one)")
    args = parser.parse_args(argv)
    build_py = args.repo.resolve() / "build.py"
    cases = [c for c in CASES if args.only in c.name or args.only in c.category]
    print(f"sitegen at {args.repo}; one case study per run; timeout {args.timeout:g} s")
    print(f"{'case':32} {'size':>9} {'check':>9} {'build':>9}  outcome   first error")
    slow = []
    with tempfile.TemporaryDirectory(prefix="sitegen-adversarial-") as tmp:
        for case in cases:
            work = Path(tmp) / case.name
            content = write_site(work / "content", [case])
            size = (content / "case-studies" / f"{case.name}.md").stat().st_size
            check = run([sys.executable, str(build_py), "check", "--content", str(content)], work, args.timeout)
            build = run([sys.executable, str(build_py), "build", "--content", str(content), "--output",
                         str(work / "output"), "--no-cache"], work, args.timeout)
            times = [f"{r.seconds:7.2f} s" if r.status is not None else f"> {args.timeout:g} s" for r in (check, build)]
            print(f"{case.name:32} {size / 1000:7.0f} KB {times[0]:>9} {times[1]:>9}  {outcome([check, build]):9} "
                  f"{first_error(check.stdout)}", flush=True)
            if max(check.seconds, build.seconds) > 2:
                slow.append(case.name)
            shutil.rmtree(work, ignore_errors=True)
    print(f"{len(cases) - len(slow)} of {len(cases)} within 2 s" + (f"; slower: {', '.join(slow)}" if slow else "."))
    return 0


if __name__ == "__main__":
    sys.exit(main())
