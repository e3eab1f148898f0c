#!/usr/bin/env python3
"""Where a cold build's time goes: `python benchmarks/render_parts.py [--count 1000] [--repeat 3]`.

Writes the synthetic corpus (benchmarks/corpus.py) into a temporary folder
(in memory, /dev/shm, where there is one: a disk still catching up with
earlier writes would make the rest vary by seconds) and builds it in this process, with one job, no cache and no search index,
`--repeat` times (the first run also compiles the templates, which later
runs in the same process reuse, as `serve` and the tests do). For the
fastest run it prints the seconds spent in each template, in converting
Markdown, and in the rest of the build. It times the render stage's two
calls (`render_template` and `Converter.convert`) by wrapping them in this
process; it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(ROOT / "src"))

import corpus  # noqa: E402
from sitegen.build import pipeline  # noqa: E402
from sitegen.markup.convert import Converter  # noqa: E402
from sitegen.render import pages  # noqa: E402


def timing(spent: collections.Counter, counts: collections.Counter, name_of, function):
    """`function`, adding the seconds of each call to `spent[name_of(*args)]`."""
    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            name = name_of(*args)
            spent[name] += time.perf_counter() - started
            counts[name] += 1
    return timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="case studies in the corpus (default 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="builds to run; the fastest is shown (default 3)")
    args = parser.parse_args()
    spent, counts = collections.Counter(), collections.Counter()
    pages.render_template = timing(spent, counts, lambda env, name, *rest: name, pages.render_template)
    Converter.convert = timing(spent, counts, lambda *rest: "(Markdown)", Converter.convert)
    memory = Path("/dev/shm")
    work = Path(tempfile.mkdtemp(prefix="sitegen-parts-", dir=memory if memory.is_dir() else None))
    try:
        content = corpus.write_corpus(work / "content", args.count)
        runs = []
        for n in range(max(1, args.repeat)):
            spent.clear()
            counts.clear()
            started = time.perf_counter()
            result = pipeline.build(pipeline.BuildOptions(content=content, output=work / f"out-{n}",
                                                          templates=ROOT / "templates", cache_dir=None, jobs=1,
                                                          search=False))
            assert result.ok, result.report.as_text()[:2000]
            runs.append((time.perf_counter() - started, dict(spent), dict(counts)))
            shutil.rmtree(work / f"out-{n}")
        total, parts, calls = min(runs, key=lambda run: run[0])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{args.count} case studies, one job, fastest of {len(runs)}: {total:.2f} s")
    for name, seconds in sorted(parts.items(), key=lambda item: -item[1]):
        print(f"  {seconds:7.3f} s  {calls[name]:6}  {name}  ({seconds / calls[name] * 1000:.2f} ms each)")
    print(f"  {total - sum(parts.values()):7.3f} s          the rest (loading, contexts, writing)")


if __name__ == "__main__":
    main()
