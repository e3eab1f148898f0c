#!/usr/bin/env python3
"""Edit-to-visible latency of `sitegen serve` on the bundled showcase, in headless Chromium.

    python benchmarks/serve_latency.py [--runs 15] [--pause 0.5]

Copies content/ to a temporary folder, starts `python build.py serve` on a
free port (as an author would), opens one case study in Debian's Chromium,
then N times: rewrites the case study's title in its file and measures the
time until the browser shows the new title (save -> watcher -> rebuild ->
reload message -> page load). Prints min / median / max in milliseconds.
Only 127.0.0.1 is used; the repository's own content is never touched.
"""

from __future__ import annotations

import argparse
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
STUDY = "kashan-health-tv"
PAGE = f"case-studies/{STUDY}/"
TITLE = re.compile(r"^title:.*$", re.MULTILINE)
SERVING = re.compile(r"^Serving http://127\.0\.0\.1:(\d+)(/\S*)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="number of edits to time (default 15)")
    parser.add_argument("--pause", type=float, default=0.5, help="seconds between edits (default 0.5)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="serve-latency-") as temporary:
        content = Path(temporary) / "content"
        shutil.copytree(ROOT / "content", content)
        server = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--content", str(content),
                                   "--templates", str(ROOT / "templates"), "--port", "0"],
                                  cwd=temporary, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            port, base = wait_for_server(server)
            samples = measure(f"http://127.0.0.1:{port}{base}{PAGE}", content / "case-studies" / f"{STUDY}.md",
                              args.runs, args.pause)
        finally:
            server.send_signal(signal.SIGINT)
            output, _ = server.communicate(timeout=30)
    report(samples)
    if server.returncode != 0:
        print(output, file=sys.stderr)
    return 0 if server.returncode == 0 else 1


def wait_for_server(server: subprocess.Popen) -> tuple[int, str]:
    """Read serve's output until it says where it serves (it picked the port): the port and base path."""
    seen = []
    for line in server.stdout:
        seen.append(line)
        match = SERVING.match(line)
        if match:
            return int(match.group(1)), match.group(2)
    raise SystemExit("serve stopped before it served:\n" + "".join(seen))


def measure(url: str, source: Path, runs: int, pause: float) -> list[float]:
    from playwright.sync_api import sync_playwright

    original = source.read_text(encoding="utf-8")
    samples = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url)
        page.wait_for_function("() => window.LiveReload && window.LiveReload.connector.protocol >= 7")
        for n in range(runs):
            title = f"Benchmark edit {n} {time.time_ns()}"
            started = time.perf_counter()
            source.write_text(TITLE.sub(f"title: {title}", original, count=1), encoding="utf-8")
            page.wait_for_function("t => document.querySelector('h1')?.textContent.includes(t)", arg=title,
                                   timeout=30_000)
            samples.append((time.perf_counter() - started) * 1000)
            time.sleep(pause)
        browser.close()
    return samples


def report(samples: list[float]) -> None:
    print(f"sitegen serve, edit-to-visible for one case study of the bundled showcase ({len(samples)} edits):")
    print(f"  min {min(samples):.0f} ms   median {statistics.median(samples):.0f} ms   max {max(samples):.0f} ms")
    print("  each: " + " ".join(f"{s:.0f}" for s in samples))


if __name__ == "__main__":
    sys.exit(main())
