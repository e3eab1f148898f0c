#!/usr/bin/env python3
"""Lighthouse scores of the bundled showcase's main pages, mobile preset, in Debian's Chromium.

    python benchmarks/lighthouse.py [--pages home search map case-study] [--lighthouse 12.8.2]

Builds content/ into a temporary folder, serves it on 127.0.0.1 under its
real base path (/learning-cities/), and runs npm's `lighthouse` (fetched by
npx at the version given, once; it is not one of the test suite's packages)
on each page with the system Chromium. Prints the four category scores per
page (0-100) and exits 1 when one is under --floor (default 95). The search
page is opened with a query, so its results are part of what is measured.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = "/learning-cities/"
PAGES = {"home": "", "search": "search/?q=Kashan", "map": "map/", "case-study": "case-studies/kashan-health-tv/",
         "cities": "cities/", "country": "countries/iran/"}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


class Handler(http.server.SimpleHTTPRequestHandler):
    """The built site under BASE (404.html for anything else), as GitHub Pages serves it."""

    def log_message(self, *args):
        pass

    def send_head(self):
        path = self.path.split("?", 1)[0]
        if not path.startswith(BASE):
            self.send_error(404)
            return None
        self.path = "/" + path[len(BASE):]
        return super().send_head()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", nargs="+", choices=sorted(PAGES), default=["home", "search", "map", "case-study"],
                        help="which pages to score (default: home search map case-study)")
    parser.add_argument("--lighthouse", default="12.8.2", help="the npm lighthouse version npx runs (default 12.8.2)")
    parser.add_argument("--floor", type=int, default=95, help="exit 1 when a score is under this (default 95)")
    args = parser.parse_args(argv)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("Chromium is needed: apt-get install chromium")
    with tempfile.TemporaryDirectory(prefix="sitegen-lighthouse-") as work:
        site = Path(work) / "site"
        built = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--content", str(ROOT / "content"),
                                "--templates", str(ROOT / "templates"), "--output", str(site), "-q"], cwd=work)
        if built.returncode != 0:
            return built.returncode
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}{BASE}"
        try:
            rows = [(name, score(url + PAGES[name], chromium, args.lighthouse, Path(work))) for name in args.pages]
        finally:
            server.shutdown()
    print(f"{'page':<12}" + "".join(f"{c:>16}" for c in CATEGORIES))
    for name, scores in rows:
        print(f"{name:<12}" + "".join(f"{scores[c]:>16}" for c in CATEGORIES))
    low = [(name, c) for name, scores in rows for c in CATEGORIES if scores[c] < args.floor]
    if low:
        print(f"under {args.floor}: " + ", ".join(f"{name} {c}" for name, c in low))
    return 1 if low else 0


def score(url: str, chromium: str, version: str, work: Path) -> dict[str, int]:
    report = work / "report.json"
    command = ["npx", "--yes", f"lighthouse@{version}", url, "--quiet", "--output=json", f"--output-path={report}",
               "--form-factor=mobile", "--chrome-flags=--headless=new --no-sandbox"]
    done = subprocess.run(command, env={**os.environ, "CHROME_PATH": chromium}, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"lighthouse failed on {url}:\n{done.stderr[-2000:]}")
    categories = json.loads(report.read_text(encoding="utf-8"))["categories"]
    return {c: round(categories[c]["score"] * 100) for c in CATEGORIES}


if __name__ == "__main__":
    sys.exit(main())
