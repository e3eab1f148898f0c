#!/usr/bin/env python3
"""Build-speed benchmark: `python benchmarks/bench.py [--counts 1000 10000]`.

For each size it writes the synthetic corpus (benchmarks/corpus.py), then
times sitegen's cold build (no cache, into a new folder), warm build
(nothing changed), a build after one case study was edited, and the median
time a `serve` session takes to rebuild after one edit; and it measures peak
memory (the build process and its workers together). With `--repeat N` each
build runs N times (each cold one into a folder of its own) and the median is
printed: a disk that is still catching up on earlier work makes single runs
vary by a second or more. With `--images N`, N case studies of each corpus
carry a 2,000 x 1,500 photo, and the time the cold and warm builds spent
reading and making images (their stages, as `build -v` prints them) is
printed too. Where `hugo` is on PATH, or `pelican` is on PATH
or importable, it builds the same corpus with them in the same run and
prints the ratios. Under sitegen's row it prints how many files the cold
build wrote and its time per file and per case study, since versions differ
in how much they publish. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as f:
                total += next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")), 0)
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    stack += [int(child) for child in f.read().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


STAGE_TIME = re.compile(r"^\s*(\d+\.\d+) s  (.+)$", re.M)  # a stage's time, as `build -v` prints it
IMAGE_STAGES = ("Reading images", "Making images")  # load/images.py, write/images.py
LAST_STAGES: dict[str, float] = {}  # the stage times of the last command `timed` ran with -v


def timed(command: list[str], cwd: Path, env: dict | None = None) -> tuple[float, float]:
    """(seconds, peak MB of the whole process tree) of one command, which must succeed; with -v, the
    times of its stages are left in LAST_STAGES.

    Writes still pending from the step before (a corpus written, a folder deleted)
    are flushed first, so the disk's catching up is not charged to this command.
    """
    os.sync()
    peak = 0
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_kb(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, command))} failed:\n{out}\n{err}")
    LAST_STAGES.clear()
    LAST_STAGES.update((name, float(value)) for value, name in STAGE_TIME.findall(err))
    return seconds, peak / 1024


def repeated(repeat: int, run) -> tuple[float, float]:
    """Median seconds and highest peak MB of `repeat` calls of `run()`, which returns (seconds, peak MB)."""
    results = [run(n) for n in range(repeat)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


# --------------------------------------------------------------------------- sitegen

def sitegen(work: Path, content: Path, repeat: int, search: bool = True,
            images: bool = False) -> dict[str, tuple[float, float]]:
    """Each build's (median seconds, peak MB); with `images`, also the image stages of the cold and warm
    builds ("cold images", "warm images": (median seconds of reading and making images, 0)); and under "files"
    (the count, 0), how many files the first cold build wrote."""
    cache = work / ".cache"

    def command(output: Path) -> list[str]:
        return [sys.executable, str(ROOT / "build.py"), "build", "--content", str(content),
                "--templates", str(ROOT / "templates"), "--output", str(output), *([] if search else ["--no-search"]),
                *(["-v"] if images else [])]

    image_times: dict[str, list[float]] = {"cold images": [], "warm images": []}

    def with_images(kind: str, result: tuple[float, float]) -> tuple[float, float]:
        image_times[kind].append(sum(LAST_STAGES.get(stage, 0.0) for stage in IMAGE_STAGES))
        return result

    def cold(n: int) -> tuple[float, float]:  # each into a folder of its own, with no cache (nor image cache)
        shutil.rmtree(cache, ignore_errors=True)
        return with_images("cold images", timed(command(work / f"sitegen-out-{n}"), work))

    results = {"cold": repeated(repeat, cold)}
    results["files"] = (float(sum(1 for f in (work / "sitegen-out-0").rglob("*") if f.is_file())), 0.0)
    last = command(work / f"sitegen-out-{repeat - 1}")  # the cache now belongs to this one
    results["warm"] = repeated(repeat, lambda n: with_images("warm images", timed(last, work)))
    if images:
        results.update({kind: (statistics.median(times), 0.0) for kind, times in image_times.items()})
    edited = content / "case-studies" / "study-00001.md"
    original = edited.read_text(encoding="utf-8")

    def one_edit(n: int) -> tuple[float, float]:
        edited.write_text(original + f"\nOne more sentence for the benchmark, number {n}.\n", encoding="utf-8")
        return timed(last, work)

    results["one edit"] = repeated(repeat, one_edit)
    edited.write_text(original, encoding="utf-8")
    results["serve edit"] = (serve_edit(content, work, edits=max(7, repeat)), 0.0)
    return results


def serve_edit(content: Path, work: Path, edits: int = 7) -> float:
    """Median seconds for a `serve` session (pipeline.Session) to bring its folder up to date after one edit."""
    sys.path.insert(0, str(ROOT / "src"))
    from sitegen.build import pipeline

    # as `serve` builds: no search index in the rebuild (serve makes it afterwards, behind the reload), and
    # the image cache of the builds before (serve keeps no build cache, but shares the image cache)
    session = pipeline.Session(pipeline.BuildOptions(content=content, output=work / "serve-out",
                                                     templates=ROOT / "templates", cache_dir=work / ".cache",
                                                     drafts=True, search=False))
    session.rebuild()
    edited = content / "case-studies" / "study-00002.md"
    original = edited.read_text(encoding="utf-8")
    times = []
    for n in range(edits):
        edited.write_text(original.replace("title: ", f"title: Edit {n} ", 1), encoding="utf-8")
        started = time.perf_counter()
        result = session.rebuild()
        times.append(time.perf_counter() - started)
        assert result.ok and result.rendered, result.report.as_text()
    edited.write_text(original, encoding="utf-8")
    return statistics.median(times)


# --------------------------------------------------------------------------- Hugo

HUGO_LAYOUT = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main><h1>{{ .Title }}</h1>{{ .Content }}
{{ range .Paginator.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><p>{{ .Summary }}</p></article>{{ end }}
</main></body></html>
"""
HUGO_SINGLE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main><h1>{{ .Title }}</h1>{{ .Content }}
<ul>{{ range .GetTerms "themes" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
</main></body></html>
"""


def hugo_site(content: Path, site: Path) -> Path:
    """The corpus as a Hugo site: countries and themes as taxonomies."""
    (site / "content" / "case-studies").mkdir(parents=True)
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "hugo.toml").write_text('baseURL = "https://example.org/showcase/"\ntitle = "Synthetic"\n'
                                    'disableKinds = ["RSS"]\n[taxonomies]\ncountry = "countries"\ntheme = "themes"\n'
                                    '[pagination]\npagerSize = 24\n')
    (site / "layouts" / "_default" / "list.html").write_text(HUGO_LAYOUT)
    (site / "layouts" / "_default" / "single.html").write_text(HUGO_SINGLE)
    (site / "layouts" / "index.html").write_text(HUGO_LAYOUT)
    for path in (content / "case-studies").glob("*.md"):
        front, body = path.read_text(encoding="utf-8").split("---\n", 2)[1:]
        lines = [line for line in front.splitlines() if not line.startswith((" ", "sources"))]
        fields = dict(line.split(": ", 1) for line in lines if ": " in line)
        text = (f"---\ntitle: \"{fields['title']}\"\ndate: {fields['date']}\ncountries: [{fields['country']}]\n"
                f"themes: {fields['themes']}\n---\n" + body.replace(".md)", "/)"))
        (site / "content" / "case-studies" / path.name).write_text(text, encoding="utf-8")
    return site


def hugo(work: Path, content: Path, repeat: int) -> dict[str, tuple[float, float]] | None:
    if not shutil.which("hugo"):
        return None
    site = hugo_site(content, work / "hugo-site")

    def command(n: int) -> list[str]:
        return ["hugo", "--quiet", "--destination", str(work / f"hugo-out-{n}")]

    results = {"cold": repeated(repeat, lambda n: timed(command(n), site))}
    results["warm"] = repeated(repeat, lambda n: timed(command(repeat - 1), site))  # Hugo keeps no cache
    return results


# --------------------------------------------------------------------------- Pelican

PELICAN_CONF = """AUTHOR = "bench"
SITENAME = "Synthetic"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 24
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "pelican-cache"
"""


def pelican_command() -> list[str] | None:
    if shutil.which("pelican"):
        return ["pelican"]
    try:
        import pelican  # noqa: F401
    except ImportError:
        return None
    return [sys.executable, "-m", "pelican"]


def pelican(work: Path, content: Path, repeat: int) -> dict[str, tuple[float, float]] | None:
    command = pelican_command()
    if command is None:
        return None
    site = work / "pelican-site"
    (site / "content").mkdir(parents=True)
    (site / "pelicanconf.py").write_text(PELICAN_CONF)
    for path in (content / "case-studies").glob("*.md"):
        front, body = path.read_text(encoding="utf-8").split("---\n", 2)[1:]
        lines = [line for line in front.splitlines() if not line.startswith((" ", "sources"))]
        fields = dict(line.split(": ", 1) for line in lines if ": " in line)
        meta = (f"Title: {fields['title']}\nDate: {fields['date']}\nCategory: {fields['country']}\n"
                f"Tags: {fields['themes'].strip('[]')}\n")
        if "summary" in fields:
            meta += f"Summary: {fields['summary']}\n"
        (site / "content" / path.name).write_text(meta + "\n" + body, encoding="utf-8")
    def full(n: int) -> list[str]:
        return command + ["content", "-o", str(work / f"pelican-out-{n}"), "-s", "pelicanconf.py", "-q"]

    def cold(n: int) -> tuple[float, float]:  # each into a folder of its own, with no content cache
        shutil.rmtree(site / "pelican-cache", ignore_errors=True)
        return timed(full(n), site)

    results = {"cold": repeated(repeat, cold)}
    results["warm"] = repeated(repeat, lambda n: timed(full(repeat - 1), site))
    return results


# --------------------------------------------------------------------------- report

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1000, 10000], metavar="N",
                        help="the sizes of the corpora to build, in case studies (default: 1000 10000)")
    parser.add_argument("--keep", type=Path, help="keep the corpora and outputs in this folder")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run each build this many times and print the median (default 1)")
    parser.add_argument("--no-search", action="store_true",
                        help="build without the search index (sitegen build --no-search), to compare the "
                             "rest of the build with versions that had no search")
    parser.add_argument("--images", type=int, default=0, metavar="N",
                        help="give N case studies of each corpus a 2,000 x 1,500 photo (corpus.py --images) and "
                             "print the time the cold and warm builds spent reading and making images")
    parser.add_argument("--languages", nargs="+", default=[], metavar="CODE",
                        help="publish each corpus in these languages besides English, 10%% of its case studies "
                             "translated into each (corpus.py --languages); peers are not compared then")
    args = parser.parse_args()
    rows = []
    for count in args.counts:
        work = Path(tempfile.mkdtemp(prefix=f"sitegen-bench-{count}-", dir=args.keep))
        content = corpus.write_corpus(work / "content", count, images=min(args.images, count),
                                      languages=tuple(args.languages))
        peers = {} if args.images or args.languages else {"hugo": hugo(work, content, args.repeat),
                                        "pelican": pelican(work, content, args.repeat)}
        ours = sitegen(work, content, args.repeat, search=not args.no_search, images=args.images > 0)
        rows.append((count, ours, peers))
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print_table(rows)


TIMED = ("cold", "warm", "one edit", "serve edit")  # the measured builds, whose peak memory the table shows


def print_table(rows) -> None:
    print(f"{'case studies':>12} | {'tool':<8} | {'cold s':>7} | {'warm s':>7} | {'one edit s':>10} | "
          f"{'serve edit s':>12} | {'peak MB':>8}")
    print("-" * 83)
    for count, ours, peers in rows:
        lines = [("sitegen", ours)] + [(name, r) for name, r in peers.items() if r]
        for name, r in lines:
            edit = f"{r['one edit'][0]:10.2f}" if "one edit" in r else f"{'-':>10}"
            serve = f"{r['serve edit'][0]:12.3f}" if "serve edit" in r else f"{'-':>12}"
            peak = max(v[1] for k, v in r.items() if k in TIMED)
            print(f"{count:>12} | {name:<8} | {r['cold'][0]:7.2f} | {r['warm'][0]:7.2f} | {edit} | {serve} | {peak:8.0f}")
        for name, r in peers.items():
            if r:
                print(f"{'':>12}   sitegen cold is {ours['cold'][0] / r['cold'][0]:.2f}x {name}'s time; "
                      f"warm {ours['warm'][0] / r['warm'][0]:.2f}x")
        if "files" in ours:  # what a cold build costs depends on how much it makes: versions differ in that
            files = int(ours["files"][0])
            print(f"{'':>12}   sitegen wrote {files:,} files: cold {ours['cold'][0] / files * 1000:.2f} ms a file, "
                  f"{ours['cold'][0] / count * 1000:.2f} ms a case study")
        if "cold images" in ours:
            print(f"{'':>12}   of which reading and making images: cold {ours['cold images'][0]:.2f} s, "
                  f"warm {ours['warm images'][0]:.2f} s")
    missing = [name for name in ("hugo", "pelican") if not any(p.get(name) for _, _, p in rows)]
    if missing:
        print(f"(not installed, so not compared: {', '.join(missing)}; apt-get install hugo / pip install pelican[markdown])")


if __name__ == "__main__":
    main()
